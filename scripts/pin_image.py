"""Pin the Action to a published image: rewrite action.yml's `runs.image` to
`docker://REGISTRY/NAME@sha256:DIGEST`, so a workflow that pins the Action by commit pins the
image it runs too. The release workflow (.github/workflows/release-image.yml) runs it with the
digest `docker push` reported.

    python scripts/pin_image.py ghcr.io/aiospo-ci/aiospo-ci@sha256:<64 hex digits> [action.yml]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

REFERENCE = re.compile(r"[a-z0-9][a-z0-9.-]*(?::[0-9]+)?(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)+@sha256:[0-9a-f]{64}")
IMAGE_LINE = re.compile(r"^(  image: ).*$", re.M)


def pin(action_yml: str, reference: str) -> str:
    if not REFERENCE.fullmatch(reference):
        raise ValueError(f"{reference!r} is not an image reference by digest (registry/name@sha256:<64 hex>); tags can move, digests cannot.")
    text, count = IMAGE_LINE.subn(lambda m: f"{m.group(1)}docker://{reference}", action_yml)
    if count != 1:
        raise ValueError(f"action.yml has {count} `image:` lines under runs; expected one.")
    return text


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 2):
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    path = Path(argv[1] if len(argv) == 2 else Path(__file__).resolve().parents[1] / "action.yml")
    try:
        path.write_text(pin(path.read_text(encoding="utf-8"), argv[0]), encoding="utf-8")
    except ValueError as exc:
        print(f"pin_image: {exc}", file=sys.stderr)
        return 2
    print(f"pin_image: {path} now runs docker://{argv[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
