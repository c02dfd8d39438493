"""Which files a scan reads (gitignore, excludes, vendored folders, symlinks, explicit paths) and
how the runner caches, parallelises and sorts."""

from __future__ import annotations

import json
import os
from pathlib import Path

from aiospo_ci.scan import runner
from aiospo_ci.scan.registry import is_wanted
from aiospo_ci.scan.runner import scan_paths
from aiospo_ci.scan.walk import walk

LOADER = 'from transformers import AutoModel\nAutoModel.from_pretrained("{id}")\n'


def write(root: Path, rel: str, text: str) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    return p


def files(root: Path, **kw) -> list[str]:
    return [f.relpath for f in walk(root, wanted=is_wanted, **kw).files]


def test_gitignore_nested_negation_and_config_exclude(tmp_path):
    write(tmp_path, ".gitignore", "*_gen.py\nbuild/\nsecret_*.py\n")
    write(tmp_path, "pkg/.gitignore", "!secret_keep.py\nlocal.py\n")
    for rel in ("a.py", "x_gen.py", "build/gen.py", "pkg/secret_keep.py", "pkg/secret_drop.py", "pkg/local.py",
                "pkg/sub/local.py", "tests/fixtures/f.py", "docs/readme.md"):
        write(tmp_path, rel, "x = 1\n")
    got = files(tmp_path, exclude=["tests/fixtures/"])
    assert got == ["a.py", "docs/readme.md", "pkg/secret_keep.py"]


def test_vendored_folders_are_skipped_with_a_note(tmp_path):
    for rel in ("node_modules/x/index.js", ".venv/lib/site.py", "third_party/lib/a.py", "src/ok.py", ".git/hooks/x.py"):
        write(tmp_path, rel, "x = 1\n")
    listing = walk(tmp_path)
    assert [f.relpath for f in listing.files] == ["src/ok.py"]
    assert [(s.file, s.reason) for s in listing.skipped] == [
        (".venv", "vendored folder, skipped by default"),
        ("node_modules", "vendored folder, skipped by default"),
        ("third_party", "vendored folder, skipped by default"),
    ]
    assert listing.errors == [] and listing.unread == []


def test_symlinks_are_never_followed_and_loops_are_harmless(tmp_path):
    outside = tmp_path / "outside"
    write(outside, "leak.py", LOADER.format(id="org/outside"))
    root = tmp_path / "repo"
    write(root, "src/real.py", LOADER.format(id="org/inside"))
    os.symlink(outside / "leak.py", root / "leak.py")
    os.symlink(outside, root / "outside_dir")
    os.symlink(root / "src", root / "src_again")
    os.symlink(root, root / "src" / "loop")
    result = scan_paths(root, cache_dir=tmp_path / "cache", jobs=1)
    assert [r.id for r in result.references] == ["org/inside"]
    notes = {s.file: s.reason for s in result.skipped}
    assert notes["leak.py"] == "symlink not followed (it points outside the scanned root)"
    assert notes["outside_dir"] == "symlink not followed (it points outside the scanned root)"
    assert notes["src_again"].startswith("symlink not followed (its target inside the root")
    assert notes["src/loop"].startswith("symlink not followed (its target inside the root")


def test_explicit_paths_as_pre_commit_passes_them(tmp_path):
    write(tmp_path, ".gitignore", "ignored/\n")
    write(tmp_path, "a.py", LOADER.format(id="org/a"))
    write(tmp_path, "b.py", LOADER.format(id="org/b"))
    write(tmp_path, "sub/c.py", LOADER.format(id="org/c"))
    write(tmp_path, "ignored/d.py", LOADER.format(id="org/d"))
    result = scan_paths(tmp_path, [Path("a.py"), Path("sub"), Path("ignored/d.py"), tmp_path.parent / "elsewhere.py"],
                        cache_dir=tmp_path / ".cache-dir", jobs=1)
    assert [r.id for r in result.references] == ["org/a", "org/c"]
    assert result.files_scanned == 2
    assert len(result.errors) == 1 and "outside the scanned root" in result.errors[0].reason


def test_oversized_and_binary_files_that_may_name_a_model_are_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "MAX_TEXT_BYTES", 1000)
    write(tmp_path, "big.py", "from_pretrained\n" + "x = 1\n" * 400)
    write(tmp_path, "big_plain.py", "x = 1\n" * 400)  # nothing a scanner looks for: left alone
    (tmp_path / "bin.py").write_bytes(b"from_pretrained\0\0\0")
    (tmp_path / "video.ts").write_bytes(b"\x47\0\0" * 100)  # an MPEG stream named like TypeScript
    (tmp_path / "huge.bin").write_bytes(b"\x80\x04" + b"\0" * 2000)
    monkeypatch.setattr(runner, "MAX_WEIGHT_BYTES", 1000)
    result = scan_paths(tmp_path, cache_dir=tmp_path / "c", jobs=1)
    assert [(u.file, u.cause, u.reason) for u in result.unread] == [
        ("big.py", "size", "2416 bytes, above the 1000-byte limit for text files, and it may name a model"),
        ("bin.py", "encoding", "binary content (a NUL byte near the start) where the python scanner expects text that may name a model"),
        ("huge.bin", "weights-too-large", "a weight file of 2002 bytes, above the 1000-byte scan limit: its content was not checked"),
    ]
    (ref,) = result.references
    assert (ref.id, ref.source, dict(ref.detail)["scan"]) == ("huge.bin", "file", "error")


def _dump(result) -> str:
    return json.dumps(result.to_dict(), sort_keys=True)


def _tree(root: Path, n: int) -> None:
    for i in range(n):
        write(root, f"pkg{i % 7}/m{i}.py", LOADER.format(id=f"org/m{i}") if i % 3 == 0 else "x = 1\n")
    write(root, "conf/train.yaml", "base_model: org/yaml\n")


def test_parallel_and_serial_scans_are_byte_identical(tmp_path, monkeypatch):
    _tree(tmp_path / "r", 60)
    serial = scan_paths(tmp_path / "r", cache_dir=tmp_path / "c1", jobs=1)
    monkeypatch.setattr(runner, "PARALLEL_MIN_FILES", 2)
    parallel = scan_paths(tmp_path / "r", cache_dir=tmp_path / "c2", jobs=2)
    assert _dump(serial) == _dump(parallel)
    assert len(serial.references) == 21 and serial.files_scanned == 61


def test_warm_scan_reads_nothing_unchanged_and_rescans_what_changed(tmp_path, monkeypatch):
    root = tmp_path / "r"
    _tree(root, 12)
    cold = scan_paths(root, cache_dir=tmp_path / "c", jobs=1)
    # Files written just now are stored without their stat (same-tick edits); age them.
    for p in root.rglob("*"):
        if p.is_file():
            os.utime(p, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    scan_paths(root, cache_dir=tmp_path / "c", jobs=1)  # records the aged stats

    read: list[str] = []
    real = runner.scan_file
    monkeypatch.setattr(runner, "scan_file", lambda f, known=None: read.append(f.relpath) or real(f, known))
    warm = scan_paths(root, cache_dir=tmp_path / "c", jobs=1)
    assert read == [] and _dump(warm) == _dump(cold)

    write(root, "pkg0/m0.py", LOADER.format(id="org/changed"))
    changed = scan_paths(root, cache_dir=tmp_path / "c", jobs=1)
    assert read == ["pkg0/m0.py"]
    assert "org/changed" in {r.id for r in changed.references} and "org/m0" not in {r.id for r in changed.references}


def test_same_stat_different_content_within_the_racy_window_is_rescanned(tmp_path):
    root = tmp_path / "r"
    p = write(root, "a.py", LOADER.format(id="org/one"))
    first = scan_paths(root, cache_dir=tmp_path / "c", jobs=1)
    st = p.stat()
    p.write_text(LOADER.format(id="org/two"))  # same size
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
    second = scan_paths(root, cache_dir=tmp_path / "c", jobs=1)
    assert [r.id for r in first.references] == ["org/one"]
    assert [r.id for r in second.references] == ["org/two"]


def test_cache_from_another_scanner_version_is_ignored(tmp_path, monkeypatch):
    root = tmp_path / "r"
    write(root, "a.py", LOADER.format(id="org/one"))
    scan_paths(root, cache_dir=tmp_path / "c", jobs=1)
    (cache_file,) = (tmp_path / "c" / "scan").glob("*.json")
    doc = json.loads(cache_file.read_text())
    doc["files"]["a.py"][2] = [{"file": "a.py", "line": 1, "id": "org/poisoned"}]
    cache_file.write_text(json.dumps(doc))
    monkeypatch.setattr(runner.registry, "fingerprint", lambda: "another-version")
    assert [r.id for r in scan_paths(root, cache_dir=tmp_path / "c", jobs=1).references] == ["org/one"]


def test_corrupt_cache_is_ignored(tmp_path):
    root = tmp_path / "r"
    write(root, "a.py", LOADER.format(id="org/one"))
    scan_paths(root, cache_dir=tmp_path / "c", jobs=1)
    (cache_file,) = (tmp_path / "c" / "scan").glob("*.json")
    cache_file.write_bytes(b"\x80\x04not json")
    assert [r.id for r in scan_paths(root, cache_dir=tmp_path / "c", jobs=1).references] == ["org/one"]


def test_damaged_cache_entries_are_dropped_not_trusted(tmp_path):
    root = tmp_path / "r"
    write(root, "a.py", LOADER.format(id="org/a"))
    write(root, "b.py", LOADER.format(id="org/b"))
    scan_paths(root, cache_dir=tmp_path / "c", jobs=1)
    (cache_file,) = (tmp_path / "c" / "scan").glob("*.json")
    doc = json.loads(cache_file.read_text())
    doc["files"]["a.py"][2] = [{"no": "file key"}]
    doc["files"]["b.py"] = "not a list"
    cache_file.write_text(json.dumps(doc))
    assert [r.id for r in scan_paths(root, cache_dir=tmp_path / "c", jobs=1).references] == ["org/a", "org/b"]


def test_deleted_files_leave_the_cache_and_the_result(tmp_path):
    root = tmp_path / "r"
    write(root, "a.py", LOADER.format(id="org/a"))
    b = write(root, "b.py", LOADER.format(id="org/b"))
    scan_paths(root, cache_dir=tmp_path / "c", jobs=1)
    b.unlink()
    assert [r.id for r in scan_paths(root, cache_dir=tmp_path / "c", jobs=1).references] == ["org/a"]


def test_file_vanishing_between_walk_and_read(tmp_path, monkeypatch):
    root = tmp_path / "r"
    write(root, "a.py", LOADER.format(id="org/a"))
    gone = write(root, "gone.py", LOADER.format(id="org/gone"))
    real_walk = runner.walk

    def walk_then_delete(*a, **kw):
        out = real_walk(*a, **kw)
        gone.unlink()
        return out

    monkeypatch.setattr(runner, "walk", walk_then_delete)
    result = scan_paths(root, cache_dir=tmp_path / "c", jobs=1)
    assert [r.id for r in result.references] == ["org/a"]
    assert [(u.file, u.cause, u.reason) for u in result.unread] == [("gone.py", "read", "vanished during the scan")]


def test_file_replaced_by_a_folder_mid_scan(tmp_path, monkeypatch):
    root = tmp_path / "r"
    p = write(root, "a.py", LOADER.format(id="org/a"))
    real_walk = runner.walk

    def walk_then_swap(*a, **kw):
        out = real_walk(*a, **kw)
        p.unlink()
        p.mkdir()
        return out

    monkeypatch.setattr(runner, "walk", walk_then_swap)
    result = scan_paths(root, cache_dir=tmp_path / "c", jobs=1)
    assert [(u.file, u.cause, u.reason) for u in result.unread] == [("a.py", "read", "became a folder during the scan")]


def test_file_swapped_for_a_named_pipe_mid_scan_does_not_hang(tmp_path, monkeypatch):
    root = tmp_path / "r"
    p = write(root, "a.py", LOADER.format(id="org/a"))
    real_walk = runner.walk

    def walk_then_swap(*a, **kw):
        out = real_walk(*a, **kw)
        p.unlink()
        os.mkfifo(p)
        return out

    monkeypatch.setattr(runner, "walk", walk_then_swap)
    result = scan_paths(root, cache_dir=tmp_path / "c", jobs=1)
    assert [(u.file, u.cause, u.reason) for u in result.unread] == [("a.py", "read", "no longer a regular file when it was read")]


def test_named_pipes_and_sockets_are_never_opened(tmp_path):
    root = tmp_path / "r"
    write(root, "ok.py", LOADER.format(id="org/ok"))
    os.mkfifo(root / "pipe.py")
    result = scan_paths(root, cache_dir=tmp_path / "c", jobs=1)
    assert [r.id for r in result.references] == ["org/ok"] and result.errors == ()


def test_a_few_explicit_files_skip_the_cache(tmp_path):
    write(tmp_path / "r", "a.py", LOADER.format(id="org/a"))
    result = scan_paths(tmp_path / "r", [Path("a.py")], cache_dir=tmp_path / "c", jobs=1)
    assert [r.id for r in result.references] == ["org/a"]
    assert not (tmp_path / "c").exists()


def test_module_entry_point_prints_the_scan_as_json(tmp_path):
    import subprocess
    import sys

    write(tmp_path / "r", "a.py", LOADER.format(id="org/a"))
    out = subprocess.run([sys.executable, "-m", "aiospo_ci.scan", str(tmp_path / "r"), "--cache-dir", str(tmp_path / "c")],
                         capture_output=True, check=True, text=True).stdout
    doc = json.loads(out)
    assert [r["id"] for r in doc["references"]] == ["org/a"] and doc["files_scanned"] == 1
    assert set(doc) == {"references", "files_scanned", "errors", "skipped", "unread"}


def test_extensions_are_read_whatever_their_case(tmp_path):
    """`python APP.PY` runs it, and a checkout on Windows or macOS cannot tell APP.PY from app.py."""
    write(tmp_path, "APP.PY", LOADER.format(id="org/upper-python"))
    write(tmp_path, "conf/TRAIN.Yaml", "base_model: org/upper-yaml\n")
    write(tmp_path, "RUN.SH", "hf download org/upper-shell\n")
    write(tmp_path, "NOTES.TXT", LOADER.format(id="org/not-code"))
    result = scan_paths(tmp_path, cache_dir=tmp_path / ".cache")
    assert sorted((r.file, r.id) for r in result.references) == [
        ("APP.PY", "org/upper-python"), ("RUN.SH", "org/upper-shell"), ("conf/TRAIN.Yaml", "org/upper-yaml"),
    ]
