"""`python -m aiospo_ci.scan [ROOT] [PATH ...]`: the scan stage alone, as JSON on stdout.

For debugging and for the benchmark; the product's command is `aiospo-ci scan`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m aiospo_ci.scan", description=__doc__)
    p.add_argument("root", nargs="?", default=".", help="the folder to scan (default: .)")
    p.add_argument("paths", nargs="*", help="files or folders under ROOT (default: all of it)")
    p.add_argument("--exclude", action="append", default=[], help="gitignore-style pattern (repeatable)")
    p.add_argument("--cache-dir", help="cache folder (default: AIOSPO_CACHE_DIR or ~/.cache/aiospo-ci)")
    p.add_argument("--jobs", "-j", type=int, help="worker processes (default: the number of cores)")
    args = p.parse_args(argv)

    from aiospo_ci.scan.runner import scan_paths

    result = scan_paths(
        Path(args.root),
        [Path(x) for x in args.paths] or None,
        exclude=args.exclude,
        cache_dir=Path(args.cache_dir) if args.cache_dir else None,
        jobs=args.jobs,
    )
    sys.stdout.write(json.dumps(result.to_dict(), indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
