"""Model files committed to the repository, listed with source 'file'.

Pickle-based files (.bin .pt .pth .ckpt .pkl .pickle .dill .joblib, and numpy's .npy/.npz, whose
arrays of Python objects are pickles) are read by picklescan, which disassembles
the pickle opcodes and lists the globals a load would import: nothing is ever unpickled. The
detail says `format`, `scan` (clean | suspicious | dangerous | error), `dangerous_globals` and
`suspicious_globals` ('module.name,...', sorted): suspicious are imports picklescan knows
neither as safe nor as dangerous (scan/suspicious-file judges them).

The work is bounded (budget.py), so a small crafted file cannot take gigabytes or minutes:
picklescan keeps every opcode of a pickle in a list, so the opcodes it may read are counted
(PICKLE_OPCODES) and so are the bytes (PICKLE_BYTES); a zip archive (PyTorch's format) is opened
here, member by member, with the member count and each member's size checked before anything is
decompressed; a compressed joblib file is decompressed as a stream, never whole. A file that
runs out of these bounds, or that picklescan cannot read, is scanned `error` and reported unread
(weights-too-large, weights-error): the policies deny it by default.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator
from typing import IO, Any

from aiospo_ci.model import ModelReference
from aiospo_ci.scan.budget import PICKLE_BYTES, PICKLE_OPCODES, ZIP_MEMBERS, BudgetExceeded
from aiospo_ci.scan.interface import Gap, Scanner

WEIGHT_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle", ".dill", ".joblib", ".npy", ".npz", ".h5", ".keras",
                   ".onnx", ".gguf", ".safetensors")
# Files a loader may unpickle: numpy's too (`np.load(allow_pickle=True)` on an object array).
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle", ".dill", ".joblib", ".npy", ".npz")
_NPY_MAGIC = b"\x93NUMPY"
# How a Git LFS pointer file starts (the Action's tree writer looks for it too).
LFS_POINTER = b"version https://git-lfs.github.com/spec/"
_HEADER_READ = 64 * 1024  # enough for any .npy header numpy writes (it caps them at 10,000 bytes)
_TORCH_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt")
# A read per opcode, and one more for most arguments.
_MAX_READS = 3 * PICKLE_OPCODES
_CHUNK = 1 << 20


def _suffix(relpath: str) -> str:
    base = relpath.rsplit("/", 1)[-1].lower()
    return "." + base.rsplit(".", 1)[-1] if "." in base else ""


def detect_format(suffix: str, data: bytes) -> str:
    if data.startswith(b"GGUF"):
        return "gguf"
    if data.startswith(b"\x89HDF\r\n\x1a\n"):
        return "hdf5"
    if data.startswith(b"PK\x03\x04"):
        return "keras" if suffix == ".keras" else "numpy-zip" if suffix == ".npz" else "pytorch-zip" if suffix in PICKLE_SUFFIXES else "zip"
    if len(data) >= 9 and data[8:9] == b"{" and suffix == ".safetensors":
        return "safetensors"
    if data[:1] == b"\x80":
        return "pickle"
    if data.startswith(_NPY_MAGIC):
        return "numpy"
    if suffix == ".joblib" and _decompressor(data) is not None:
        return "joblib-compressed"
    return {".onnx": "onnx", ".safetensors": "safetensors", ".gguf": "gguf", ".h5": "hdf5", ".keras": "keras"}.get(
        suffix, "unknown")


class TooLarge(BaseException):
    """The file holds more than the scan's bounds allow (the message says which); a BaseException,
    so picklescan's `except Exception` around its opcode loop lets it out."""


class _Bounded(io.BytesIO):
    """The bytes of a pickle, for picklescan, refusing to be read more than _MAX_READS times
    (opcodes) or past PICKLE_BYTES: the caller sees TooLarge."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self._reads = 0
        if len(data) > PICKLE_BYTES:
            raise TooLarge(f"its pickle holds {len(data)} bytes, more than the {PICKLE_BYTES}-byte scan limit")

    def _count(self) -> None:
        self._reads += 1
        if self._reads > _MAX_READS:
            raise _OutOfOpcodes()

    def read(self, n: int | None = -1) -> bytes:  # type: ignore[override]
        self._count()
        return super().read(n)

    def readline(self, limit: int | None = -1) -> bytes:  # type: ignore[override]
        self._count()
        return super().readline(limit)


class _OutOfOpcodes(BaseException):
    """Raised inside picklescan's opcode loop; a BaseException so its `except Exception` lets it out."""


class _Inflating:
    """A decompressed stream for picklescan, never held whole: reads, readline, tell and the
    one-byte step back its pickle loop takes. Bounded like _Bounded, and by PICKLE_BYTES of output
    per read."""

    def __init__(self, chunks: Iterator[bytes]):
        self._chunks = chunks
        self._buf = b""
        self._at = 0  # offset in _buf
        self._pos = 0  # absolute position
        self._last = b""
        self._reads = 0

    def _fill(self, n: int) -> None:
        while len(self._buf) - self._at < n:
            chunk = next(self._chunks, b"")
            if not chunk:
                return
            self._buf = self._buf[self._at:] + chunk
            self._at = 0

    def read(self, n: int = -1) -> bytes:
        self._reads += 1
        if self._reads > _MAX_READS:
            raise _OutOfOpcodes()
        if n is None or n < 0 or n > PICKLE_BYTES:
            raise TooLarge(f"a read of {n} bytes in its pickle, more than the {PICKLE_BYTES}-byte scan limit")
        self._fill(n)
        out = self._buf[self._at: self._at + n]
        self._at += len(out)
        self._pos += len(out)
        if out:
            self._last = out[-1:]
        return out

    def readline(self, limit: int = -1) -> bytes:
        line = b""
        while not line.endswith(b"\n") and len(line) < 4096:
            c = self.read(1)
            if not c:
                break
            line += c
        return line

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        if whence == 1 and offset == -1 and self._at > 0:
            self._at -= 1
            self._pos -= 1
            return self._pos
        if whence == 1 and offset == 0:
            return self._pos
        raise io.UnsupportedOperation("a decompressed stream only steps back one byte")


def _decompressor(data: bytes) -> Callable[[], object] | None:
    """The stdlib decompressor for joblib's compressed formats, by their magic bytes."""
    import bz2
    import lzma
    import zlib

    if data[:1] == b"\x78":
        return zlib.decompressobj
    if data[:2] == b"\x1f\x8b":
        return lambda: zlib.decompressobj(16 + zlib.MAX_WBITS)
    if data[:3] == b"BZh":
        return bz2.BZ2Decompressor
    if data[:6] == b"\xfd7zXZ\x00" or data[:3] == b"\x5d\x00\x00":
        return lzma.LZMADecompressor
    return None


def _inflate(data: bytes, make: Callable[[], object]) -> Iterator[bytes]:
    """Decompressed chunks of at most _CHUNK bytes. zlib hands back the input it has not used;
    bz2 and lzma keep it and are asked again with no new input."""
    d: Any = make()
    keeps_input = hasattr(d, "needs_input")
    pending = data
    while not d.eof:
        out = d.decompress(pending, _CHUNK)
        pending = b"" if keeps_input else d.unconsumed_tail
        if out:
            yield out
        elif (d.needs_input if keeps_input else not pending):
            return


class PickleVerdict:
    __slots__ = ("dangerous", "suspicious", "error", "too_large")

    def __init__(self) -> None:
        self.dangerous: set[str] = set()
        self.suspicious: set[str] = set()
        self.error: str | None = None
        self.too_large: str | None = None

    def add(self, result: object) -> None:
        from picklescan.scanner import SafetyLevel

        for g in result.globals:  # type: ignore[attr-defined]
            name = f"{g.module}.{g.name}"
            if g.safety == SafetyLevel.Dangerous:
                self.dangerous.add(name)
            elif g.safety == SafetyLevel.Suspicious:
                self.suspicious.add(name)
        if result.scan_err and self.error is None:  # type: ignore[attr-defined]
            self.error = "the pickle could not be read to the end"


def _quiet() -> None:
    import logging

    logging.getLogger("picklescan").setLevel(logging.CRITICAL)  # its warnings are ours to report


def _scan_stream(verdict: PickleVerdict, stream: object, file_id: str, torch_legacy: bool) -> None:
    from picklescan import scanner as ps
    from picklescan.torch import InvalidMagicError

    try:
        if torch_legacy:
            try:
                verdict.add(ps.scan_pytorch(stream, file_id))  # type: ignore[arg-type]
                return
            except InvalidMagicError:
                stream.seek(0)  # type: ignore[attr-defined]
        verdict.add(ps.scan_pickle_bytes(stream, file_id))  # type: ignore[arg-type]
    except _OutOfOpcodes:
        verdict.too_large = f"its pickle holds more than {PICKLE_OPCODES} opcodes"
    except TooLarge as e:
        verdict.too_large = str(e)
    except Exception as e:  # noqa: BLE001 - picklescan raises assorted errors on malformed files; each is a scan error
        verdict.error = f"{type(e).__name__}: {e}"[:200]


def npy_pickle(data: bytes) -> bytes | None:
    """The pickle an .npy file holds after its header (an array of Python objects, which
    `np.load(allow_pickle=True)` unpickles), or None for an array of plain numbers. The header
    is a Python literal read with ast.literal_eval, as numpy reads it (no numpy needed); a
    malformed one raises ValueError."""
    import ast

    if not data.startswith(_NPY_MAGIC) or len(data) < 10:
        raise ValueError("not an .npy file: no numpy header")
    major = data[6]
    size_bytes = 2 if major == 1 else 4
    if major not in (1, 2, 3) or len(data) < 8 + size_bytes:
        raise ValueError(f"unknown .npy format version {major}")
    start = 8 + size_bytes
    length = int.from_bytes(data[8:start], "little")
    header = data[start:start + length].decode("latin-1" if major < 3 else "utf-8", "replace")
    try:
        fields = ast.literal_eval(header.strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError) as e:
        raise ValueError(f"the .npy header is not a Python literal: {type(e).__name__}") from None
    if not isinstance(fields, dict) or "descr" not in fields:
        raise ValueError("the .npy header has no descr")
    if start + length > len(data):
        raise ValueError("the .npy header is cut short")
    return data[start + length:] if _has_objects(fields["descr"]) else None


def _has_objects(descr: object) -> bool:
    """Whether a numpy dtype description holds Python objects (stored as a pickle): '|O', or a
    structured dtype ([(name, descr, shape?), ...]) with such a field. Anything unexpected counts."""
    if isinstance(descr, str):
        return descr.lstrip("|<>=").startswith("O")
    if isinstance(descr, list):
        return any(not isinstance(f, tuple) or len(f) < 2 or _has_objects(f[1]) for f in descr)
    return True


def numeric_numpy(suffix: str, fh: IO[bytes]) -> bool:
    """Whether an .npy or .npz file too large to read whole holds only arrays of plain numbers,
    which no load unpickles: decided from the headers alone (an .npz's central directory, then
    the head of each member). Anything else, or any doubt, is False."""
    try:
        if suffix == ".npy":
            fh.seek(0)
            return npy_pickle(fh.read(_HEADER_READ)) is None
        if suffix == ".npz":
            fh.seek(0)
            with zipfile.ZipFile(fh) as archive:
                members = archive.infolist()
                if len(members) > ZIP_MEMBERS:
                    return False
                for info in members:
                    with archive.open(info) as f:
                        head = f.read(_HEADER_READ)
                    if head.startswith(_NPY_MAGIC) and npy_pickle(head) is not None:
                        return False
                    if not head.startswith(_NPY_MAGIC) and head[:1] == b"\x80":
                        return False  # a pickle-looking member: judged as the scan would judge it
                return True
    except Exception:  # noqa: BLE001 - crafted headers and archives: not provably numeric
        return False
    return False


def _scan_npy(verdict: PickleVerdict, data: bytes, file_id: str) -> None:
    if not data.startswith(_NPY_MAGIC):  # np.load unpickles a file without the header (allow_pickle)
        _scan_stream(verdict, _Bounded(data), file_id, torch_legacy=False)
        return
    try:
        pickled = npy_pickle(data)
    except ValueError as e:
        verdict.error = str(e)[:200]
        return
    if pickled is not None:
        _scan_stream(verdict, _Bounded(pickled), file_id, torch_legacy=False)


def _scan_zip(verdict: PickleVerdict, relpath: str, data: bytes, numpy: bool = False) -> None:
    """The pickles in a zip archive (PyTorch's `*/data.pkl`): members named .pkl/.pickle are read
    whatever their size (a loader unpickles them by name, so one too large to scan is too large);
    other members that start like a pickle are read when small enough."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        verdict.error = f"not a readable zip archive: {e}"[:200]
        return
    if len(members) > ZIP_MEMBERS:
        verdict.too_large = f"its zip archive holds {len(members)} members, more than the {ZIP_MEMBERS} the scan reads"
        return
    for info in members:
        if numpy:  # np.load reads each member that starts with numpy's header as an array
            try:
                with archive.open(info) as f:
                    head = f.read(_HEADER_READ)
                if head.startswith(_NPY_MAGIC):
                    if npy_pickle(head) is None:
                        continue  # plain numbers, whatever the size
                    if info.file_size > PICKLE_BYTES:
                        verdict.too_large = (f"its member {info.filename} holds an array of objects of {info.file_size} bytes, "
                                             f"more than the {PICKLE_BYTES}-byte scan limit")
                        return
                    with archive.open(info) as f:
                        _scan_npy(verdict, f.read(PICKLE_BYTES + 1), f"{relpath}:{info.filename}")
                    continue
            except TooLarge as e:
                verdict.too_large = str(e)
                return
            except Exception as e:  # noqa: BLE001 - zipfile and its decompressors raise assorted errors on crafted input
                verdict.error = f"member {info.filename}: {type(e).__name__}: {e}"[:200]
                continue
        named = info.filename.lower().endswith((".pkl", ".pickle"))
        try:
            if not named:
                with archive.open(info) as f:
                    head = f.read(2)
                if not (head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05")) or info.file_size > PICKLE_BYTES:
                    continue
            if info.file_size > PICKLE_BYTES:
                verdict.too_large = (f"its member {info.filename} holds {info.file_size} bytes uncompressed, more than the "
                                     f"{PICKLE_BYTES}-byte scan limit")
                return
            with archive.open(info) as f:
                raw = f.read(PICKLE_BYTES + 1)
            _scan_stream(verdict, _Bounded(raw), f"{relpath}:{info.filename}", torch_legacy=False)
        except TooLarge as e:
            verdict.too_large = str(e)
        except (zipfile.BadZipFile, RuntimeError, OSError, ValueError, EOFError, NotImplementedError) as e:
            verdict.error = f"member {info.filename}: {type(e).__name__}: {e}"[:200]
        except Exception as e:  # noqa: BLE001 - zipfile and its decompressors raise assorted errors on crafted input
            verdict.error = f"member {info.filename}: {type(e).__name__}: {e}"[:200]
        if verdict.too_large:
            return


def pickle_scan(relpath: str, suffix: str, data: bytes, fmt: str) -> PickleVerdict:
    """What picklescan finds in a pickle-based file, within the bounds; never unpickles."""
    _quiet()
    verdict = PickleVerdict()
    try:
        if fmt in ("pytorch-zip", "numpy-zip", "zip"):
            _scan_zip(verdict, relpath, data, numpy=fmt == "numpy-zip")
        elif suffix == ".npy":
            _scan_npy(verdict, data, relpath)
        elif fmt == "joblib-compressed":
            make = _decompressor(data)
            assert make is not None
            _scan_stream(verdict, _Inflating(_inflate(data, make)), relpath, torch_legacy=False)
        else:
            _scan_stream(verdict, _Bounded(data), relpath, torch_legacy=suffix in _TORCH_SUFFIXES)
    except TooLarge as e:
        verdict.too_large = str(e)
    except BudgetExceeded:
        raise
    except Exception as e:  # noqa: BLE001 - a decompressor on crafted input: a scan error, judged
        verdict.error = f"{type(e).__name__}: {e}"[:200]
    return verdict


class WeightsScanner(Scanner):
    name = "weights"
    version = "2"
    binary = True

    def handles(self, relpath: str) -> bool:
        return relpath.lower().endswith(WEIGHT_SUFFIXES)

    def scan(self, relpath: str, data: bytes) -> list[ModelReference]:
        return self.scan_with_notes(relpath, data)[0]

    def scan_with_notes(self, relpath: str, data: bytes) -> tuple[list[ModelReference], list[Gap]]:
        suffix = _suffix(relpath)
        fmt = detect_format(suffix, data)
        detail: dict[str, str] = {"format": fmt}
        gaps: list[Gap] = []
        if data.startswith(LFS_POINTER):
            # A checkout without `lfs: true` holds the pointer, not the weights: they were not read.
            detail["format"] = "git-lfs-pointer"
            if suffix in PICKLE_SUFFIXES:
                detail["scan"] = "error"
                detail["error"] = "a Git LFS pointer: the file's content is not in the checkout"
                gaps.append(Gap("weights-error", "a Git LFS pointer, not the weights: fetch them (actions/checkout with "
                                                 "lfs: true, or git lfs pull) so the scan reads them"))
            return [oversized_or_file_reference(relpath, detail)], gaps
        if fmt in ("hdf5", "keras") and suffix in (".h5", ".keras"):
            problem = _keras_lambda(detail, data, fmt)
            if problem:
                gaps.append(Gap("weights-error", f"a Keras file whose configuration could not be read: {problem}"))
            return [oversized_or_file_reference(relpath, detail)], gaps
        if suffix in PICKLE_SUFFIXES and fmt not in ("safetensors", "gguf", "hdf5"):
            verdict = pickle_scan(relpath, suffix, data, fmt)
            if verdict.dangerous:
                detail["dangerous_globals"] = ",".join(sorted(verdict.dangerous))
            if verdict.suspicious:
                detail["suspicious_globals"] = ",".join(sorted(verdict.suspicious))
            problem = verdict.too_large or verdict.error
            if problem:
                detail["error"] = problem
            detail["scan"] = ("dangerous" if verdict.dangerous else "error" if problem else
                              "suspicious" if verdict.suspicious else "clean")
            if verdict.too_large:
                gaps.append(Gap("weights-too-large", f"a weight file too large or too compressed to scan: {verdict.too_large}"))
            elif verdict.error:
                gaps.append(Gap("weights-error", f"a weight file picklescan could not read: {verdict.error}"))
        return [oversized_or_file_reference(relpath, detail)], gaps


# A Lambda layer in a Keras model's configuration: its function is stored as marshalled Python
# bytecode, which TF-Keras 2 runs when it loads an .h5 file (Keras 3 only with safe_mode=False).
_KERAS_LAMBDA = re.compile(rb'"class_name"\s*:\s*"Lambda"')
_KERAS_CONFIG_BYTES = 16 * 1024 * 1024


def _keras_lambda(detail: dict[str, str], data: bytes, fmt: str) -> str | None:
    """Fill `detail` with the scan of a Keras file's configuration (an .h5 file's model_config
    attribute is stored as plain text; a .keras archive holds config.json). The problem, if the
    configuration could not be read."""
    if fmt == "keras":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                info = archive.getinfo("config.json")
                if info.file_size > _KERAS_CONFIG_BYTES:
                    problem = f"its config.json holds {info.file_size} bytes, more than the {_KERAS_CONFIG_BYTES} the scan reads"
                    detail.update(scan="error", error=problem)
                    return problem
                with archive.open(info) as f:
                    data = f.read(_KERAS_CONFIG_BYTES + 1)
        except Exception as e:  # noqa: BLE001 - zipfile raises assorted errors on crafted input
            problem = f"{type(e).__name__}: {e}"[:200]
            detail.update(scan="error", error=problem)
            return problem
    if _KERAS_LAMBDA.search(data) or (b"\\u" in data and _escaped_lambda(data)):
        detail.update(scan="dangerous", dangerous_globals="keras.layers.Lambda")
    else:
        detail["scan"] = "clean"
    return None


# Any short JSON string pair "key": "value", escapes included: Keras reads its configuration with a
# JSON parser, so "class_n\u0061me": "L\u0061mbda" is a Lambda layer too.
_JSON_PAIR = re.compile(rb'"((?:[^"\\\x00-\x1f]|\\.){1,80})"\s*:\s*"((?:[^"\\\x00-\x1f]|\\.){1,80})"')


def _escaped_lambda(data: bytes) -> bool:
    import json

    for m in _JSON_PAIR.finditer(data):
        if b"\\" not in m.group(0):
            continue
        try:
            key, value = (json.loads(b'"' + g + b'"') for g in m.groups())
        except ValueError:
            continue
        if key == "class_name" and value == "Lambda":
            return True
    return False


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


def large_numeric_numpy_reference(relpath: str, fh: IO[bytes]) -> ModelReference | None:
    """An .npy/.npz file above the size limit whose headers show plain numbers only: listed as
    clean (no load unpickles it), not unread. None when that cannot be shown."""
    suffix = _suffix(relpath)
    if suffix not in (".npy", ".npz") or not numeric_numpy(suffix, fh):
        return None
    return oversized_or_file_reference(relpath, {"format": "numpy" if suffix == ".npy" else "numpy-zip", "scan": "clean"})
