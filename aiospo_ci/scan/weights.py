"""Model files committed to the repository, listed with source 'file'.

Pickle-based files (.bin .pt .pth .ckpt .pkl .joblib) are read by picklescan, which disassembles
the pickle opcodes and lists the globals a load would import: nothing is ever unpickled. The
detail says `format`, `scan` (clean | dangerous | error) and `dangerous_globals`
('module.name,...', sorted).
"""

from __future__ import annotations

import io

from aiospo_ci.model import ModelReference
from aiospo_ci.scan.interface import Scanner

WEIGHT_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl", ".joblib", ".h5", ".keras", ".onnx", ".gguf", ".safetensors")
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl", ".joblib")


def _suffix(relpath: str) -> str:
    base = relpath.rsplit("/", 1)[-1].lower()
    return "." + base.rsplit(".", 1)[-1] if "." in base else ""


def detect_format(suffix: str, data: bytes) -> str:
    if data.startswith(b"GGUF"):
        return "gguf"
    if data.startswith(b"\x89HDF\r\n\x1a\n"):
        return "hdf5"
    if data.startswith(b"PK\x03\x04"):
        return "keras" if suffix == ".keras" else "pytorch-zip" if suffix in PICKLE_SUFFIXES else "zip"
    if len(data) >= 9 and data[8:9] == b"{" and suffix == ".safetensors":
        return "safetensors"
    if data[:1] == b"\x80":
        return "pickle"
    if suffix == ".joblib" and data[:1] in (b"\x78", b"\x1f", b"\xfd", b"B"):
        return "joblib-compressed"
    return {".onnx": "onnx", ".safetensors": "safetensors", ".gguf": "gguf", ".h5": "hdf5", ".keras": "keras"}.get(
        suffix, "unknown")


def pickle_scan(relpath: str, suffix: str, data: bytes) -> tuple[str, list[str], str | None]:
    """(scan verdict, dangerous globals, error) from picklescan: never unpickles."""
    import logging

    logging.getLogger("picklescan").setLevel(logging.CRITICAL)  # its warnings are ours to report
    from picklescan.scanner import SafetyLevel, scan_bytes

    try:
        result = scan_bytes(io.BytesIO(data), relpath, suffix)
    except Exception as e:  # noqa: BLE001 - picklescan raises assorted errors on malformed archives
        return "error", [], f"{type(e).__name__}: {e}"[:200]
    dangerous = sorted({f"{g.module}.{g.name}" for g in result.globals if g.safety == SafetyLevel.Dangerous})
    if dangerous:
        return "dangerous", dangerous, None
    if result.scan_err:
        return "error", [], "the pickle could not be read to the end"
    return "clean", [], None


class WeightsScanner(Scanner):
    name = "weights"
    version = "1"
    binary = True

    def handles(self, relpath: str) -> bool:
        return relpath.lower().endswith(WEIGHT_SUFFIXES)

    def scan(self, relpath: str, data: bytes) -> list[ModelReference]:
        suffix = _suffix(relpath)
        fmt = detect_format(suffix, data)
        detail: dict[str, str] = {"format": fmt}
        if suffix in PICKLE_SUFFIXES and fmt not in ("safetensors", "gguf", "hdf5"):
            if fmt == "joblib-compressed":
                detail["scan"] = "error"
                detail["error"] = "compressed joblib file: its pickle cannot be read without decompressing"
            else:
                verdict, dangerous, error = pickle_scan(relpath, suffix, data)
                detail["scan"] = verdict
                if dangerous:
                    detail["dangerous_globals"] = ",".join(dangerous)
                if error:
                    detail["error"] = error
        return [oversized_or_file_reference(relpath, detail)]


def oversized_or_file_reference(relpath: str, detail: dict[str, str]) -> ModelReference:
    return ModelReference(file=relpath, line=1, id=relpath, kind="model", source="file", call="file",
                          detail=tuple(sorted(detail.items())))


def too_large_reference(relpath: str, size: int, limit: int) -> ModelReference:
    """A weight file above the size limit is still listed: that it is there is a fact."""
    suffix = _suffix(relpath)
    detail = {"format": detect_format(suffix, b""), "error": f"{size} bytes, above the {limit}-byte scan limit"}
    if suffix in PICKLE_SUFFIXES:
        detail["scan"] = "error"
        detail["format"] = "pickle-based"
    return oversized_or_file_reference(relpath, detail)
