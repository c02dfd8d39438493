"""`aiospo-ci policy build`: write the organisation's policy bundle (policy/bundle.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from aiospo_ci.errors import PolicyError
from aiospo_ci.policy import authoring, bundle, library

EXAMPLES = """examples:
  aiospo-ci policy build policies/ -o bundle.tar.gz          the library, your policies and data
  aiospo-ci policy build policies/ --revision "$GITHUB_SHA"   name the revision yourself
  aiospo-ci policy build policies/ --signing-key private.pem --verification-key public.pem
  opa run --server --bundle bundle.tar.gz                    the same file in a real OPA
  aiospo-ci check --bundle bundle.tar.gz                     ... and in aiospo-ci's engines
"""


def register(actions: argparse._SubParsersAction) -> None:
    build = actions.add_parser(
        "build",
        help="write an OPA bundle: the library plus your policies and data, with a .manifest (optionally signed)",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    build.add_argument("dirs", nargs="*", metavar="DIR", help="folders of your policies (.rego) and data (data.json); *_test.rego files are left out")
    build.add_argument("--output", "-o", default="bundle.tar.gz", metavar="FILE", help="where to write the bundle (default: bundle.tar.gz)")
    build.add_argument("--revision", "-r", metavar="REV", help="the bundle's revision (default: the git commit of the folders if they are committed, else a digest of the content)")
    build.add_argument("--signing-key", metavar="FILE", help="sign the bundle: a PEM private key (RSA or EC), or for HS algorithms a file holding the secret")
    build.add_argument("--signing-alg", default="RS256", choices=bundle.SIGNING_ALGORITHMS, metavar="ALG", help="the JWT algorithm (default: RS256, as opa build)")
    build.add_argument("--signing-key-id", metavar="ID", help="the key id written in the token (`kid`), for an OPA that holds several keys")
    build.add_argument("--verification-key", metavar="FILE", help="verify the written bundle with this public key (or secret): proves the key pair matches")
    build.set_defaults(handler=cmd_build)


def cmd_build(args: argparse.Namespace) -> int:
    signing = None
    if args.signing_key:
        signing = bundle.SigningKey(bundle.read_key(args.signing_key, "--signing-key"), args.signing_alg, args.signing_key_id)
    elif args.signing_key_id:
        raise PolicyError("--signing-key-id names the key of a signature: give --signing-key too.")
    dirs = [Path(d) for d in args.dirs]
    # The author checks `check` makes, on the folders as written (so a refusal names the
    # author's file), for OPA, the engine a bundle is built for; `check --bundle` checks again
    # for the engine it runs on. A rule that would silently never fire is never bundled.
    authoring.check_modules(library.load_modules(dirs), "opa")
    raw, built = bundle.build(dirs, revision=args.revision, signing=signing)
    _decides(built)
    if args.verification_key:
        key = bundle.VerificationKey(bundle.read_key(args.verification_key, "--verification-key"))
        bundle.read_bundle(raw, args.output, key)
    try:
        Path(args.output).write_bytes(raw)
    except OSError as exc:
        raise PolicyError(f"--output {args.output}: cannot write ({exc.strerror or exc}); check the folder exists and is writable.") from None
    signed = f", signed with {args.signing_alg}" if signing else ""
    sys.stderr.write(f"aiospo-ci: wrote {args.output} (revision {built.revision}, roots {', '.join(built.manifest['roots'])}{signed})\n")
    return 0


def _decides(built: bundle.Bundle) -> None:
    """The bundle's policies must compile and answer the decision on an empty input: a bundle
    OPA would refuse to activate, or that decides nothing, is never written."""
    from aiospo_ci.policy.document import SCHEMA_VERSION
    from aiospo_ci.policy.embedded import embedded_engine

    engine = embedded_engine()
    try:
        engine.load(built.modules, built.data)
        engine.evaluate({"schema_version": SCHEMA_VERSION, "today": "2000-01-01", "config": {}, "references": []})
    finally:
        engine.close()
