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
    assert detail("m.onnx", b"\x08\x07") == {"format": "onnx"}
    assert detail("m.h5", b"\x89HDF\r\n\x1a\n") == {"format": "hdf5", "scan": "clean"}  # its Keras configuration is read


def test_too_large_weight_file_is_still_listed():
    r = too_large_reference("big/model.bin", 10, 5)
    assert dict(r.detail) == {"format": "pickle-based", "scan": "error", "error": "10 bytes, above the 5-byte scan limit"}


# -- bounded work: what a small crafted file can make the scan do --------------------------------

def scanned(relpath: str, data: bytes):
    (r,), gaps = WeightsScanner().scan_with_notes(relpath, data)
    return dict(r.detail), [(g.cause, g.reason) for g in gaps]


def test_pickle_with_unknown_imports_is_suspicious_not_clean():
    # GLOBAL sklearn.linear_model._logistic LogisticRegression, then EMPTY_TUPLE, REDUCE, STOP
    data = b"\x80\x04csklearn.linear_model._logistic\nLogisticRegression\n)R."
    d, gaps = scanned("model.pkl", data)
    assert d == {"format": "pickle", "scan": "suspicious", "suspicious_globals": "sklearn.linear_model._logistic.LogisticRegression"}
    assert gaps == []


def test_dangerous_and_suspicious_imports_are_both_named(tmp_path):
    data = payload(tmp_path / "x")[:-1] + b"0csklearn.tree\nDecisionTreeClassifier\n)R."
    d, _ = scanned("model.pkl", data)
    assert d["scan"] == "dangerous" and d["dangerous_globals"] == "posix.system"
    assert d["suspicious_globals"] == "sklearn.tree.DecisionTreeClassifier"


def test_compressed_joblib_is_decompressed_and_scanned(tmp_path):
    import bz2
    import gzip
    import lzma
    import zlib

    evil = payload(tmp_path / "pwned")
    for compress in (zlib.compress, gzip.compress, bz2.compress, lzma.compress, lambda b: lzma.compress(b, format=lzma.FORMAT_ALONE)):
        d, gaps = scanned("model.joblib", compress(evil))
        assert d["format"] == "joblib-compressed" and d["scan"] == "dangerous" and d["dangerous_globals"] == "posix.system", compress
        assert gaps == []
    assert not (tmp_path / "pwned").exists()


def test_decompression_bomb_stops_at_the_opcode_bound():
    import zlib

    from aiospo_ci.scan.budget import PICKLE_OPCODES

    bomb = zlib.compress(b"\x80\x04" + b"N" * (4 * PICKLE_OPCODES) + b".", 9)
    assert len(bomb) < 20_000  # a small file
    d, gaps = scanned("model.joblib", bomb)
    assert d["scan"] == "error"
    assert gaps == [("weights-too-large", f"a weight file too large or too compressed to scan: its pickle holds more than {PICKLE_OPCODES} opcodes")]


def test_a_pickle_read_too_large_to_hold_is_refused():
    import zlib

    # BINBYTES8 announcing 2**60 bytes: a scan that believed it would allocate them
    d, gaps = scanned("model.joblib", zlib.compress(b"\x80\x04\x8e" + (2**60).to_bytes(8, "little") + b"x" * 100))
    assert d["scan"] == "error" and gaps[0][0] == "weights-too-large"


def test_opcode_flood_in_a_plain_pickle_is_too_large_to_scan():
    from aiospo_ci.scan.budget import PICKLE_OPCODES

    d, gaps = scanned("model.pkl", b"\x80\x04" + b"N" * (3 * PICKLE_OPCODES + 10) + b".")
    assert d["scan"] == "error" and gaps[0][0] == "weights-too-large"


def test_zip_member_bomb_is_refused_before_it_is_decompressed():
    from aiospo_ci.scan.budget import PICKLE_BYTES

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("archive/data.pkl", b"\x80\x04" + b"N" * (PICKLE_BYTES + 1) + b".")
    assert len(buf.getvalue()) < 200_000
    d, gaps = scanned("model.pt", buf.getvalue())
    assert d["scan"] == "error"
    assert gaps == [("weights-too-large", "a weight file too large or too compressed to scan: its member archive/data.pkl holds "
                                          f"{PICKLE_BYTES + 4} bytes uncompressed, more than the {PICKLE_BYTES}-byte scan limit")]


def test_zip_with_too_many_members_is_refused():
    from aiospo_ci.scan.budget import ZIP_MEMBERS

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for i in range(ZIP_MEMBERS + 1):
            z.writestr(f"m{i}", b"")
    d, gaps = scanned("model.pt", buf.getvalue())
    assert d["scan"] == "error" and gaps[0][0] == "weights-too-large"


def test_broken_zip_is_a_scan_error_reported_unread():
    d, gaps = scanned("model.pt", b"PK\x03\x04" + b"\xff" * 100)
    assert d["scan"] == "error" and gaps[0][0] == "weights-error"


def test_pickle_followed_by_a_zip_is_scanned_as_the_pickle_a_loader_reads(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("archive/data.pkl", pickle.dumps({"w": 1}, protocol=4))
    d, _ = scanned("model.pkl", payload(tmp_path / "x") + buf.getvalue())
    assert d["scan"] == "dangerous"


def test_weights_that_cannot_be_scanned_are_unread_in_the_scan(tmp_path):
    from aiospo_ci.scan.runner import scan_paths

    (tmp_path / "broken.pt").write_bytes(b"PK\x03\x04" + b"\xff" * 100)
    (tmp_path / "fine.pkl").write_bytes(pickle.dumps([1, 2], protocol=4))
    result = scan_paths(tmp_path, cache_dir=tmp_path / ".c", jobs=1)
    assert [(u.file, u.cause) for u in result.unread] == [("broken.pt", "weights-error")]
    assert {r.id: dict(r.detail)["scan"] for r in result.references} == {"broken.pt": "error", "fine.pkl": "clean"}


class _RunsCommand:
    """Pickles as a call of os.system (pickling it runs nothing; loading it would)."""

    def __init__(self, target):
        self.target = target

    def __reduce__(self):
        import os

        return (os.system, (f"touch {self.target}",))


def _npy(array) -> bytes:
    import numpy as np

    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=True)
    return buf.getvalue()


def test_numpy_object_arrays_are_pickles_and_are_scanned(tmp_path):
    """`np.load(path, allow_pickle=True)` unpickles an object array: numpy's own files, written
    by numpy, are judged like any pickle; an array of numbers is clean."""
    import numpy as np

    target = tmp_path / "pwned"
    evil = np.empty(1, dtype=object)
    evil[0] = _RunsCommand(target)
    d = detail("data/features.npy", _npy(evil))
    assert d["format"] == "numpy" and d["scan"] == "dangerous" and "system" in d["dangerous_globals"]
    assert detail("data/weights.npy", _npy(np.arange(12, dtype=np.float32))) == {"format": "numpy", "scan": "clean"}

    buf = io.BytesIO()
    np.savez(buf, ok=np.zeros(3), bad=evil)
    d = detail("data/bundle.npz", buf.getvalue())
    assert d["format"] == "numpy-zip" and d["scan"] == "dangerous" and "system" in d["dangerous_globals"]
    buf = io.BytesIO()
    np.savez_compressed(buf, a=np.ones((4, 4)), b=np.arange(3))
    assert detail("data/clean.npz", buf.getvalue()) == {"format": "numpy-zip", "scan": "clean"}
    assert not target.exists()


def test_an_npy_without_its_header_is_read_as_the_pickle_numpy_would_load(tmp_path):
    d = detail("data/x.npy", payload(tmp_path / "pwned"))
    assert d["scan"] == "dangerous" and d["dangerous_globals"] == "posix.system"


def test_a_broken_npy_header_is_a_scan_error_not_clean():
    d = detail("data/x.npy", b"\x93NUMPY\x01\x00\x10\x00{'descr': __import__}  \n")
    assert d["scan"] == "error" and "header" in d["error"]


def test_pickle_and_dill_files_are_scanned(tmp_path):
    for name in ("state.pickle", "pipeline.dill", "MODEL.PKL"):
        d = detail(name, payload(tmp_path / "pwned"))
        assert d["scan"] == "dangerous", name


def test_numpy_files_too_large_to_read_are_judged_by_their_headers(tmp_path, monkeypatch):
    """Above the weight-file size limit, an .npy/.npz of plain numbers is listed clean (its headers
    say no load unpickles it); one holding objects, or whose headers do not say, is unread."""
    import numpy as np

    from aiospo_ci.scan import runner

    monkeypatch.setattr(runner, "MAX_WEIGHT_BYTES", 4096)
    np.save(tmp_path / "embeddings.npy", np.zeros(10_000, dtype=np.float32))
    np.savez(tmp_path / "index.npz", vectors=np.ones((100, 64)), ids=np.arange(100))
    objects = np.empty(600, dtype=object)
    objects[:] = [{"row": i} for i in range(600)]
    np.save(tmp_path / "rows.npy", objects, allow_pickle=True)
    np.savez(tmp_path / "mixed.npz", vectors=np.ones((100, 64)), rows=objects)
    (tmp_path / "fake.npy").write_bytes(b"\x93NUMPY\x01\x00\xff\xff{'descr': '<f4'" + b" " * 9000)
    result = runner.scan_paths(tmp_path, cache_dir=tmp_path / ".cache", jobs=1)
    scans = {r.file: dict(r.detail)["scan"] for r in result.references}
    assert scans == {"embeddings.npy": "clean", "index.npz": "clean", "rows.npy": "error", "mixed.npz": "error",
                     "fake.npy": "error"}
    assert sorted((u.file, u.cause) for u in result.unread) == [
        ("fake.npy", "weights-too-large"), ("mixed.npz", "weights-too-large"), ("rows.npy", "weights-too-large"),
    ]


def test_a_large_numeric_npz_member_is_clean_and_a_large_object_member_too_large(monkeypatch):
    """The pickle bound applies to what a load would unpickle, not to arrays of numbers."""
    import numpy as np

    from aiospo_ci.scan import weights

    monkeypatch.setattr(weights, "PICKLE_BYTES", 10_000)
    buf = io.BytesIO()
    np.savez(buf, big=np.zeros(50_000))
    assert detail("data/big.npz", buf.getvalue()) == {"format": "numpy-zip", "scan": "clean"}
    objects = np.empty(2_000, dtype=object)
    objects[:] = [{"row": i} for i in range(2_000)]
    buf = io.BytesIO()
    np.savez(buf, rows=objects)
    d = detail("data/rows.npz", buf.getvalue())
    assert d["scan"] == "error" and "array of objects" in d["error"]


def test_a_git_lfs_pointer_is_not_taken_for_the_weights(tmp_path):
    """actions/checkout fetches no LFS objects by default: a pickle-based file that is still its
    pointer was not read, so it is unread (denied by default), never clean."""
    from aiospo_ci.scan.runner import scan_paths

    pointer = ("version https://git-lfs.github.com/spec/v1\n"
               "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n")
    (tmp_path / "pytorch_model.bin").write_text(pointer)
    (tmp_path / "model.safetensors").write_text(pointer)
    result = scan_paths(tmp_path, cache_dir=tmp_path / ".cache")
    details = {r.file: dict(r.detail) for r in result.references}
    assert details["pytorch_model.bin"]["format"] == "git-lfs-pointer" and details["pytorch_model.bin"]["scan"] == "error"
    assert details["model.safetensors"] == {"format": "git-lfs-pointer"}  # no code in safetensors: listed only
    assert [(u.file, u.cause) for u in result.unread] == [("pytorch_model.bin", "weights-error")]
    assert "lfs: true" in result.unread[0].reason


def _keras_config(lambda_layer: bool) -> bytes:
    import json

    layers = [{"class_name": "InputLayer", "config": {"batch_shape": [None, 4]}},
              {"class_name": "Dense", "config": {"units": 2}}]
    if lambda_layer:  # what Keras writes for Lambda(lambda x: ...): the function as base64 bytecode
        layers.append({"class_name": "Lambda", "config": {"function": {"class_name": "__lambda__",
                       "config": {"code": "4wEAAAAAAAAAAAAAAAEAAAACAAAAQwAAAHMEAAAAfABTAKkBTqkAqQHaAXhyAgAAAHICAAAA"}}}})
    return json.dumps({"class_name": "Sequential", "config": {"layers": layers}}).encode()


def test_keras_lambda_layers_are_code_in_the_configuration():
    """A Lambda layer's function is marshalled bytecode that TF-Keras runs when it loads an .h5
    file: dangerous. The .h5 model_config attribute is plain text in the file; a .keras archive
    keeps it in config.json."""
    h5 = b"\x89HDF\r\n\x1a\n" + b"\x00" * 64 + b"model_config" + b"\x00" * 8
    assert detail("m.h5", h5 + _keras_config(True)) == {
        "format": "hdf5", "scan": "dangerous", "dangerous_globals": "keras.layers.Lambda"}
    assert detail("m.h5", h5 + _keras_config(False)) == {"format": "hdf5", "scan": "clean"}
    # Keras parses its configuration as JSON: escapes spell the same layer
    escaped = _keras_config(True).replace(b'"class_name": "Lambda"', b'"class_n\\u0061me":"L\\u0061mbda"')
    assert b"Lambda" not in escaped
    assert detail("m.h5", h5 + escaped)["scan"] == "dangerous"
    for with_lambda, scan in ((True, "dangerous"), (False, "clean")):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("metadata.json", '{"keras_version": "3.6.0"}')
            z.writestr("config.json", _keras_config(with_lambda))
            z.writestr("model.weights.h5", b"\x89HDF\r\n\x1a\n")
        assert detail("m.keras", buf.getvalue())["scan"] == scan
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("model.weights.h5", b"\x89HDF\r\n\x1a\n")
    d = detail("broken.keras", buf.getvalue())
    assert d["scan"] == "error" and "config.json" in d["error"]
