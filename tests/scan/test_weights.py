"""Committed model files: listed with source 'file'; pickles read by picklescan, never loaded."""

from __future__ import annotations

import io
import pickle
import struct
import zipfile

from aiospo_ci.scan.weights import WeightsScanner, too_large_reference


def detail(relpath: str, data: bytes) -> dict:
    (r,) = WeightsScanner().scan(relpath, data)
    assert (r.source, r.id, r.call, r.line) == ("file", relpath, "file", 1)
    return dict(r.detail)


def payload(target) -> bytes:
    """A pickle whose loading would run `touch target` (opcodes written by hand)."""
    cmd = f"touch {target}".encode()
    return b"\x80\x04cposix\nsystem\n\x8c" + bytes([len(cmd)]) + cmd + b"\x85R."


def test_dangerous_pickle_is_found_and_never_run(tmp_path):
    target = tmp_path / "pwned"
    d = detail("models/evil.pkl", payload(target))
    assert d == {"format": "pickle", "scan": "dangerous", "dangerous_globals": "posix.system"}
    assert not target.exists()


def test_dangerous_pickle_inside_a_torch_zip(tmp_path):
    target = tmp_path / "pwned"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("archive/data.pkl", payload(target))
    d = detail("model.pt", buf.getvalue())
    assert d["format"] == "pytorch-zip" and d["scan"] == "dangerous" and "posix.system" in d["dangerous_globals"]
    assert not target.exists()


def test_clean_pickle():
    assert detail("m.bin", pickle.dumps({"w": [1.0, 2.0]}, protocol=4)) == {"format": "pickle", "scan": "clean"}


def test_truncated_pickle_is_an_error_not_clean(tmp_path):
    d = detail("m.pkl", payload(tmp_path / "x")[:-6])
    assert d["scan"] in ("error", "dangerous")
    assert d["scan"] != "clean"


def test_compressed_joblib_cannot_be_called_clean():
    d = detail("m.joblib", b"\x78\x9c" + b"\0" * 20)
    assert d["format"] == "joblib-compressed" and d["scan"] == "error"


def test_non_pickle_formats_are_listed_without_a_pickle_scan():
    header = b'{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}'
    assert detail("m.safetensors", struct.pack("<Q", len(header)) + header + b"\0" * 4) == {"format": "safetensors"}
    assert detail("m.gguf", b"GGUF\x03\0\0\0") == {"format": "gguf"}
    assert detail("m.h5", b"\x89HDF\r\n\x1a\n") == {"format": "hdf5"}
    assert detail("m.onnx", b"\x08\x07") == {"format": "onnx"}


def test_too_large_weight_file_is_still_listed():
    r = too_large_reference("big/model.bin", 10, 5)
    assert dict(r.detail) == {"format": "pickle-based", "scan": "error", "error": "10 bytes, above the 5-byte scan limit"}
