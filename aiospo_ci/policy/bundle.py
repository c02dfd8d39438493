"""OPA bundles: the policy library and an organisation's policies and data as one file that a real
OPA and aiospo-ci's embedded engines load alike.

The format is OPA's own (docs/bundles.md cites OPA's "Bundle File Format" and "Signing"): a
gzipped tarball of `.rego` modules and `data.json` files (a data file is placed at the path of
its folder), a `.manifest` with `revision`, `roots` and `metadata`, and for a signed bundle a
`.signatures.json` holding one JWT whose `files` claim lists every other file with its SHA-256.
A JSON file's hash is taken over its canonical form (object keys sorted, no blanks), as OPA's
verifier computes it, so a bundle signed here verifies in OPA and the reverse.

aiospo-ci adds one data document, `data.aiospo.bundle`: the revision, the aiospo-ci version that
built the bundle, the input schema version it reads and the rules' titles for reports. A server
that holds the bundle answers it to `GET /v1/data/aiospo/bundle`, which is how a run that only
queries a central OPA checks what it is about to ask.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import subprocess
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from aiospo_ci import __version__
from aiospo_ci.errors import PolicyError
from aiospo_ci.policy import library, namespace
from aiospo_ci.policy.document import SCHEMA_VERSION

MANIFEST = ".manifest"
SIGNATURES = ".signatures.json"
#: The root aiospo-ci owns in the data tree: the library, the rules, and the bundle's own facts.
LIBRARY_ROOT = "aiospo"
#: data.aiospo.bundle: what built the bundle (see the module docstring).
MARKER_PATH = ("aiospo", "bundle")
HASH_ALGORITHM = "SHA-256"
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "HS256", "HS384", "HS512")
# OPA's hash algorithm names and hashlib's.
_HASHES = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-224": "sha224",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
    "SHA-512-224": "sha512_224",
    "SHA-512-256": "sha512_256",
}
# Limits on what a bundle may hold, well above the library (about 300 KB) and any policy set.
MAX_DOWNLOAD = 64 * 1024 * 1024
MAX_UNPACKED = 256 * 1024 * 1024
MAX_FILES = 10_000
FETCH_TIMEOUT = 30.0


@dataclass(frozen=True)
class Bundle:
    """A bundle read and checked: what the engines load, and what names it in reports."""

    source: str  # the file or URL it came from (a URL without query or credentials)
    modules: dict[str, str]  # path in the bundle -> Rego source
    data: dict[str, Any]
    manifest: dict[str, Any]
    signed: bool = False  # its signature was verified

    @property
    def revision(self) -> str:
        return str(self.manifest.get("revision") or "")

    @property
    def name(self) -> str:
        """How reports and decision logs name it: as OPA names a bundle given on its command
        line, by where it came from."""
        return self.source

    def with_policies(self, dirs: Sequence[Path]) -> tuple[dict[str, str], dict[str, Any]]:
        """The bundle's modules and data plus those of the repository's own policy folders,
        which may add rules beside the bundle's (policy_dirs, --policy)."""
        modules = dict(self.modules)
        for name, text in library.load_modules(dirs, with_library=False).items():
            if name in modules:
                raise PolicyError(f"policy module {name} is also in bundle {self.source}; rename the file.")
            modules[name] = text
        data = json.loads(json.dumps(self.data))
        _insert(data, (), library.load_data(dirs, with_library=False), "the policy folders' data.json", self.source)
        return modules, data

    def marker(self) -> dict[str, Any] | None:
        value: Any = self.data
        for part in MARKER_PATH:
            value = value.get(part) if isinstance(value, dict) else None
        return value if isinstance(value, dict) else None


@dataclass(frozen=True)
class SigningKey:
    """A private key (PEM) or an HMAC secret, with the JWT algorithm to sign with."""

    material: bytes = field(repr=False)
    algorithm: str = "RS256"
    key_id: str | None = None


@dataclass(frozen=True)
class VerificationKey:
    """A public key or certificate (PEM), or an HMAC secret; `scope` must equal the token's, as
    OPA's `bundles[_].signing.scope` (empty when neither sets one)."""

    material: bytes = field(repr=False)
    scope: str = ""


def read_key(value: str, what: str) -> bytes:
    """Key material from a PEM text or the path of a file holding a key or secret."""
    if value.lstrip().startswith("-----BEGIN"):
        return value.strip().encode()
    try:
        raw = Path(value).read_bytes()
    except OSError as exc:
        # The value is not echoed: it may be a secret given where a path was expected.
        raise PolicyError(f"{what}: cannot read the key file it names ({exc.strerror or type(exc).__name__}); give PEM text or the path of a PEM file (for HMAC, a file holding the secret).") from None
    # An HMAC secret written with an editor ends in a newline that is not part of it.
    return raw.rstrip(b"\r\n") if not raw.lstrip().startswith(b"-----BEGIN") else raw


# -- hashing, as OPA's bundle verifier computes it ----------------------------------------------


class _Number(str):
    """A JSON number kept as written: OPA hashes `1.0` and `1e3` as they appear in the file."""


def _go_string(text: str) -> str:
    # Go's encoding/json with HTML escaping off (OPA's hasher): Python's escapes plus U+2028/9.
    return json.dumps(text, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _canonical(value: Any) -> str:
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: k.encode("utf-8"))
        return "{" + ",".join(f"{_go_string(k)}:{_canonical(value[k])}" for k in keys) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_canonical(v) for v in value) + "]"
    if isinstance(value, _Number):
        return str(value)
    if isinstance(value, str):
        return _go_string(value)
    return json.dumps(value)  # true, false, null; numbers from YAML


def _structured(name: str) -> bool:
    base = PurePosixPath(name).name
    return base in ("data.json", "data.yaml", MANIFEST, SIGNATURES)


def file_hash(name: str, content: bytes, algorithm: str = HASH_ALGORITHM) -> str:
    """The hex digest OPA records for a bundle file: over the bytes, or for JSON and YAML
    files over the canonical form of the value they hold."""
    hasher = hashlib.new(_HASHES[algorithm])
    if _structured(name):
        value = _parse_structured(name, content, exact_numbers=True)
        hasher.update(_canonical(value).encode("utf-8"))
    else:
        hasher.update(content)
    return hasher.hexdigest()


def _parse_structured(name: str, content: bytes, *, exact_numbers: bool = False) -> Any:
    text = content.decode("utf-8")
    if name.endswith((".yaml", ".yml")):
        import yaml

        return yaml.safe_load(text)
    if exact_numbers:
        return json.loads(text, parse_int=_Number, parse_float=_Number)
    return json.loads(text)


# -- signing -------------------------------------------------------------------------------------


def sign(files: dict[str, bytes], key: SigningKey) -> bytes:
    """The `.signatures.json` for these files: one JWT whose `files` claim lists each file with
    its hash (OPA's "Signature Format")."""
    import jwt

    payload: dict[str, Any] = {"files": [{"name": name, "hash": file_hash(name, files[name]), "algorithm": HASH_ALGORITHM} for name in sorted(files)]}
    headers = {}
    if key.key_id:
        payload["keyid"] = key.key_id  # OPA still writes the deprecated claim beside `kid`
        headers["kid"] = key.key_id
    try:
        token = jwt.encode(payload, _signing_material(key), algorithm=key.algorithm, headers=headers or None)
    except (jwt.PyJWTError, ValueError, TypeError) as exc:
        raise PolicyError(f"--signing-key: cannot sign with {key.algorithm} ({exc}); give a private key of the kind the algorithm needs (RS/PS: RSA, ES: EC, HS: a secret) or change --signing-alg.") from None
    return (json.dumps({"signatures": [token]}, indent=1) + "\n").encode()


def _signing_material(key: SigningKey) -> Any:
    if key.algorithm.startswith("HS"):
        if key.material.lstrip().startswith(b"-----BEGIN"):
            raise PolicyError(f"--signing-key holds a PEM key, but {key.algorithm} signs with a shared secret; use an RS/PS/ES algorithm with a private key.")
        return key.material
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        return load_pem_private_key(key.material, password=None)
    except (ValueError, TypeError) as exc:
        raise PolicyError(f"--signing-key is not an unencrypted PEM private key ({exc}); give the private key file (for HS algorithms, a file holding the secret).") from None


def _verification_material(key: VerificationKey, source: str) -> tuple[Any, list[str]]:
    """The key for PyJWT and the algorithms it may verify: a public key never verifies an HMAC
    token (the algorithm-confusion attack), and a secret verifies only HMAC tokens."""
    if not key.material.lstrip().startswith(b"-----BEGIN"):
        return key.material, ["HS256", "HS384", "HS512"]
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    public: Any
    try:
        if b"CERTIFICATE" in key.material:
            public = x509.load_pem_x509_certificate(key.material).public_key()
        else:
            public = load_pem_public_key(key.material)
    except (ValueError, TypeError) as exc:
        raise PolicyError(f"the verification key for bundle {source} is not a PEM public key or certificate ({exc}); give the public half of the signing key.") from None
    if isinstance(public, rsa.RSAPublicKey):
        return public, ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]
    if isinstance(public, ec.EllipticCurvePublicKey):
        return public, ["ES256", "ES384", "ES512"]
    raise PolicyError(f"the verification key for bundle {source} is a {type(public).__name__}; OPA bundles are signed with RSA, EC or HMAC keys.")


def verify(files: dict[str, bytes], signatures: bytes, key: VerificationKey, source: str) -> None:
    """Raise PolicyError unless the signature holds and names exactly these files with their
    hashes: OPA's "Signature Verification" steps."""
    import jwt

    where = f"bundle {source}"
    try:
        tokens = json.loads(signatures).get("signatures")
    except (ValueError, AttributeError):
        raise PolicyError(f"{where}: {SIGNATURES} is not a JSON object with a 'signatures' list; the bundle is damaged, rebuild it.") from None
    if not isinstance(tokens, list) or len(tokens) != 1 or not isinstance(tokens[0], str):
        raise PolicyError(f"{where}: {SIGNATURES} must hold exactly one JWT, as OPA requires; rebuild and sign the bundle again.")
    material, algorithms = _verification_material(key, source)
    try:
        claims = jwt.decode(
            tokens[0],
            material,
            algorithms=algorithms,
            # OPA checks the signature, the files and the scope; it reads no time claims.
            options={"verify_exp": False, "verify_nbf": False, "verify_iat": False, "verify_aud": False, "verify_iss": False},
        )
    except jwt.PyJWTError as exc:
        raise PolicyError(f"{where}: the signature does not verify with the verification key ({exc}); the bundle was not signed by that key's owner or was changed. Refusing it.") from None
    if (claims.get("scope") or "") != key.scope:
        raise PolicyError(f"{where}: the signature's scope {claims.get('scope')!r} is not {key.scope!r}, so it was signed for another use; refusing it.")
    listed: dict[str, dict[str, Any]] = {}
    for entry in claims.get("files") or []:
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            listed[entry["name"]] = entry
    for name in sorted(files):
        entry = listed.pop(name, None)
        if entry is None:
            raise PolicyError(f"{where}: {name} is not included in the bundle signature: it was added after signing. Refusing the bundle.")
        algorithm = entry.get("algorithm")
        if algorithm not in _HASHES:
            raise PolicyError(f"{where}: {name} is signed with an unsupported hash algorithm {algorithm!r}; OPA supports {', '.join(_HASHES)}.")
        try:
            digest = file_hash(name, files[name], algorithm)
        except (ValueError, UnicodeDecodeError):
            raise PolicyError(f"{where}: {name} is not valid JSON or YAML, so its signed hash cannot match; refusing the bundle.") from None
        if digest != str(entry.get("hash", "")).lower():
            raise PolicyError(f"{where}: {name}: digest mismatch: the file was changed after the bundle was signed. Refusing the bundle.")
    if listed:
        raise PolicyError(f"{where}: {', '.join(sorted(listed))} specified in the bundle signature but not found in the bundle: it was removed after signing. Refusing it.")


# -- reading -------------------------------------------------------------------------------------


def _display(location: str) -> str:
    """A URL without credentials or query string (a pre-signed URL carries its token there)."""
    parts = urlsplit(location)
    if parts.scheme not in ("http", "https"):
        return location
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def fetch(location: str, token: str | None = None, timeout: float = FETCH_TIMEOUT) -> bytes:
    """The bytes of the bundle at a path or an http(s) URL (a bundle service, as OPA's bundle
    plugin downloads it: GET, bearer token, 200 with the gzipped tarball)."""
    parts = urlsplit(location)
    if parts.scheme not in ("http", "https"):
        path = Path(location[len("file://") :] if location.startswith("file://") else location)
        try:
            if path.stat().st_size > MAX_DOWNLOAD:
                raise PolicyError(f"bundle {location}: larger than {MAX_DOWNLOAD // 2**20} MiB; a policy bundle is far smaller, check the file.")
            return path.read_bytes()
        except OSError as exc:
            raise PolicyError(f"bundle {location}: cannot read it ({exc.strerror or exc}); give the path of a bundle built by `aiospo-ci policy build`, or its URL.") from None
    import requests

    shown = _display(location)
    headers = {"Accept": "application/gzip, application/octet-stream"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        # requests drops the Authorization header when a redirect leaves the host.
        with requests.get(location, headers=headers, timeout=timeout, stream=True) as response:
            if response.status_code != 200:
                raise PolicyError(f"bundle {shown}: the server answered HTTP {response.status_code}; check the URL and its token (AIOSPO_BUNDLE_TOKEN).")
            body = io.BytesIO()
            for chunk in response.iter_content(65536):
                body.write(chunk)
                if body.tell() > MAX_DOWNLOAD:
                    raise PolicyError(f"bundle {shown}: larger than {MAX_DOWNLOAD // 2**20} MiB; refusing to download more.")
            return body.getvalue()
    except requests.RequestException as exc:
        raise PolicyError(f"bundle {shown}: could not be downloaded ({type(exc).__name__}); check the URL and the network.") from None


def _unpack(raw: bytes, source: str) -> dict[str, bytes]:
    """Files of a gzipped tarball by their path in the bundle ('x/data.json'), refusing links,
    paths that leave the bundle, duplicates and archives beyond the limits."""
    files: dict[str, bytes] = {}
    total = 0
    try:
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:gz") as archive:
            for member in archive:
                if member.isdir():
                    continue
                name = PurePosixPath(member.name.lstrip("/")).as_posix()
                if name.startswith("./"):
                    name = name[2:]
                if not member.isfile():
                    raise PolicyError(f"bundle {source}: {member.name} is not a regular file (a link or device); a bundle holds only files.")
                if ".." in PurePosixPath(name).parts or not name or name == ".":
                    raise PolicyError(f"bundle {source}: {member.name} points outside the bundle; refusing it.")
                total += member.size
                if len(files) >= MAX_FILES or total > MAX_UNPACKED:
                    raise PolicyError(f"bundle {source}: more than {MAX_FILES} files or {MAX_UNPACKED // 2**20} MiB unpacked; refusing it.")
                if name in files:
                    raise PolicyError(f"bundle {source}: {name} appears twice in the archive; rebuild the bundle.")
                handle = archive.extractfile(member)
                files[name] = handle.read() if handle else b""
    except (tarfile.TarError, OSError, EOFError, gzip.BadGzipFile) as exc:
        raise PolicyError(f"bundle {source}: not a gzipped tar archive ({exc}); give a bundle built by `aiospo-ci policy build` or `opa build`.") from None
    return files


def _contains(roots: Sequence[str], path: str) -> bool:
    """OPA's RootPathsContain: a path lies under one of the roots ('' holds everything)."""
    return any(root == "" or path == root or path.startswith(root + "/") for root in roots)


def _check_roots(manifest: dict[str, Any], modules: dict[str, str], data: dict[str, Any], source: str) -> None:
    """What OPA validates when it activates a scoped bundle: roots do not overlap, and every
    package and every data document lies under them."""
    roots = manifest.get("roots", [""])
    if not isinstance(roots, list) or not all(isinstance(r, str) for r in roots):
        raise PolicyError(f"bundle {source}: .manifest roots must be a list of paths; rebuild the bundle.")
    roots = [r.strip("/") for r in roots]
    for i, a in enumerate(roots):
        for b in roots[i + 1 :]:
            if _contains([a], b) or _contains([b], a):
                raise PolicyError(f"bundle {source}: manifest roots {a!r} and {b!r} overlap; OPA refuses such a bundle.")
    for name, text in modules.items():
        package = "/".join(namespace.package_path(text))
        if package and not _contains(roots, package):
            raise PolicyError(f"bundle {source}: {name} declares package {package.replace('/', '.')}, outside the manifest roots {roots}; OPA refuses such a bundle.")

    def walk(value: Any, path: str) -> None:
        if _contains(roots, path):
            return
        if isinstance(value, dict) and any(_contains([path], r) for r in roots):
            for key, item in value.items():
                walk(item, f"{path}/{key}" if path else key)
            return
        raise PolicyError(f"bundle {source}: data at /{path} lies outside the manifest roots {roots}; OPA refuses such a bundle.")

    walk(data, "")


def _insert(data: dict[str, Any], parts: Sequence[str], value: Any, name: str, source: str) -> None:
    if not parts:
        if not isinstance(value, dict):
            raise PolicyError(f"bundle {source}: {name} at the top of the bundle must hold a JSON object.")
        for key, item in value.items():
            _insert(data, (key,), item, name, source)
        return
    node = data
    for part in parts[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise PolicyError(f"bundle {source}: {name} writes under /{'/'.join(parts)}, where other data already holds a value.")
        node = child
    last = parts[-1]
    if isinstance(node.get(last), dict) and isinstance(value, dict):
        for key, item in value.items():
            _insert(node[last], (key,), item, name, source)
    elif last in node:
        raise PolicyError(f"bundle {source}: {name} sets /{'/'.join(parts)}, which another data file sets too; keep one.")
    else:
        node[last] = value


def read_bundle(raw: bytes, source: str, verification: VerificationKey | None = None) -> Bundle:
    """The bundle in these bytes, checked as OPA checks it before activation: its signature
    (when it has one, a verification key is required; when a key is given, a signature is),
    its manifest roots, and its Rego version."""
    files = _unpack(raw, source)
    signatures = files.pop(SIGNATURES, None)
    if signatures is not None and verification is None:
        raise PolicyError(f"bundle {source} is signed, but no verification key was given; pass --verification-key (or AIOSPO_BUNDLE_VERIFICATION_KEY) with the public key, as OPA requires.")
    if verification is not None:
        if signatures is None:
            raise PolicyError(f"bundle {source} is not signed ({SIGNATURES} is missing), but a verification key was given; refusing an unsigned bundle.")
        verify(files, signatures, verification, source)
    if "patch.json" in files:
        raise PolicyError(f"bundle {source} is a delta bundle (patch.json); give a snapshot bundle built by `aiospo-ci policy build`.")
    manifest: dict[str, Any] = {}
    if MANIFEST in files:
        try:
            manifest = json.loads(files[MANIFEST])
        except (ValueError, UnicodeDecodeError):
            raise PolicyError(f"bundle {source}: .manifest is not JSON; rebuild the bundle.") from None
        if not isinstance(manifest, dict):
            raise PolicyError(f"bundle {source}: .manifest must be a JSON object; rebuild the bundle.")
    if manifest.get("rego_version", 1) != 1 or 0 in (manifest.get("file_rego_versions") or {}).values():
        raise PolicyError(f"bundle {source} declares Rego v0 modules; aiospo-ci's engines read Rego v1 (OPA 1.0's default): rebuild it with `aiospo-ci policy build`.")
    modules: dict[str, str] = {}
    data: dict[str, Any] = {}
    for name in sorted(files):
        base = PurePosixPath(name)
        if name.endswith(".rego"):
            try:
                modules[name] = files[name].decode("utf-8")
            except UnicodeDecodeError:
                raise PolicyError(f"bundle {source}: {name} is not UTF-8 text.") from None
        elif base.name in ("data.json", "data.yaml", "data.yml"):
            try:
                value = _parse_structured(name, files[name])
            except (ValueError, UnicodeDecodeError):
                raise PolicyError(f"bundle {source}: {name} is not valid {base.suffix[1:].upper()}; rebuild the bundle.") from None
            _insert(data, base.parent.parts, value, name, source)
    _check_roots(manifest, modules, data, source)
    return Bundle(source=source, modules=modules, data=data, manifest=manifest, signed=verification is not None)


def check_compatible(marker: Any, where: str) -> dict[str, Any]:
    """data.aiospo.bundle, checked: the policies read the input this aiospo-ci builds. A bundle
    built by a newer minor version may read fields this one does not send, so its rules would
    quietly never fire: refused."""
    if not isinstance(marker, dict) or not marker.get("aiospo_ci"):
        raise PolicyError(f"{where} holds no aiospo-ci policy library (data.aiospo.bundle is undefined); build the bundle with `aiospo-ci policy build`.")
    if marker.get("input_schema_version") != SCHEMA_VERSION:
        raise PolicyError(f"{where} reads input schema version {marker.get('input_schema_version')!r}, but this aiospo-ci sends version {SCHEMA_VERSION}; rebuild the bundle with this aiospo-ci.")
    built, running = _minor(str(marker["aiospo_ci"])), _minor(__version__)
    if built is None or running is None or built > running:
        raise PolicyError(f"{where} was built by aiospo-ci {marker['aiospo_ci']}, newer than this {__version__}: its rules may read input this version does not send. Upgrade aiospo-ci (the Action's version) to {marker['aiospo_ci']} or later.")
    return marker


def _minor(version: str) -> tuple[int, int] | None:
    parts = version.split(".")
    try:
        return int(parts[0]), int(parts[1])
    except (ValueError, IndexError):
        return None


def load_bundle(location: str, *, token: str | None = None, verification: VerificationKey | None = None) -> Bundle:
    """Fetch, verify, read and check one bundle: the policies a run evaluates."""
    source = _display(location)
    found = read_bundle(fetch(location, token), source, verification)
    check_compatible(found.marker(), f"bundle {source}")
    return found


# -- building ------------------------------------------------------------------------------------


def roots_for(modules: dict[str, str], data: dict[str, Any]) -> list[str]:
    """The narrowest roots that hold every package and data document: `aiospo` for the library
    and the rules beside it, and the package paths and top-level data keys of anything else,
    so the bundle claims no part of the data tree another bundle may own."""
    wanted = {LIBRARY_ROOT}
    for name, text in modules.items():
        package = namespace.package_path(text)
        if not package:
            raise PolicyError(f"{name}: no package statement; every Rego module starts with `package <name>`.")
        wanted.add(LIBRARY_ROOT if package[0] == LIBRARY_ROOT else "/".join(package))
    wanted.update(key for key in data if key != LIBRARY_ROOT)
    return sorted(r for r in wanted if not any(other != r and _contains([other], r) for other in wanted))


def _bundle_paths(modules: dict[str, str]) -> dict[str, str]:
    """Module name -> path in the bundle: each file in the folder of its package (Regal's and
    OPA's convention), keeping its file name, so an error names a file its author recognises."""
    paths: dict[str, str] = {}
    used: set[str] = set()
    for name in modules:
        package = namespace.package_path(modules[name])
        simple = all(part.replace("_", "a").replace("-", "a").isalnum() for part in package)
        folder = "/".join(package) if package and simple else "modules"
        stem, base = PurePosixPath(name).stem, PurePosixPath(name).name
        path = f"{folder}/{base}"
        n = 2
        while path in used:
            path = f"{folder}/{stem}-{n}.rego"
            n += 1
        used.add(path)
        paths[name] = path
    return paths


def _content_digest(files: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return "sha256-" + digest.hexdigest()[:16]


def default_revision(dirs: Sequence[Path], files: dict[str, bytes]) -> str:
    """The git commit of the policy folders when they are committed and unchanged in one work
    tree; otherwise a digest of the bundle's content, so a revision always names what is in it."""
    if dirs:
        folder = Path(dirs[0]).resolve()
        folder = folder if folder.is_dir() else folder.parent
        try:
            head = subprocess.run(["git", "-C", str(folder), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=30)
            status = subprocess.run(
                ["git", "-C", str(folder), "status", "--porcelain", "--", *(str(Path(d).resolve()) for d in dirs)],
                capture_output=True,
                text=True,
                timeout=30,
            )
            if head.returncode == 0 and status.returncode == 0 and not status.stdout.strip():
                return head.stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            pass  # no git: the content names the revision
    return _content_digest(files)


def _tar_gz(files: dict[str, bytes]) -> bytes:
    """A gzipped tarball, byte-identical for the same files: sorted, no times, no owners."""
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=9) as zipped:
        with tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as archive:
            for name in sorted(files):
                info = tarfile.TarInfo(name)
                info.size = len(files[name])
                info.mode = 0o644
                info.mtime = 0
                archive.addfile(info, io.BytesIO(files[name]))
    return out.getvalue()


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()


def build(dirs: Sequence[Path] = (), *, revision: str | None = None, signing: SigningKey | None = None) -> tuple[bytes, Bundle]:
    """The bundle of the library plus these policy folders (their `.rego` files, tests left out,
    and their `data.json` files) as a gzipped tarball, and what it holds."""
    modules = library.load_modules(dirs)
    data = library.load_data(dirs)
    aiospo = data.get(LIBRARY_ROOT)
    if isinstance(aiospo, dict) and MARKER_PATH[1] in aiospo:
        raise PolicyError("a data.json in the policy folders sets data.aiospo.bundle, which the bundle itself writes; move that data elsewhere.")
    paths = _bundle_paths(modules)
    files = {paths[name]: source.encode("utf-8") for name, source in modules.items()}
    files["data.json"] = _json_bytes(data)
    revision = revision or default_revision(dirs, files)
    bundled = {paths[name]: source for name, source in modules.items()}
    marker = {
        "revision": revision,
        "aiospo_ci": __version__,
        "input_schema_version": SCHEMA_VERSION,
        "rules": library.rule_metadata(bundled),
    }
    data.setdefault(LIBRARY_ROOT, {})[MARKER_PATH[1]] = marker
    files["data.json"] = _json_bytes(data)
    manifest = {
        "revision": revision,
        "roots": roots_for(modules, data),
        "rego_version": 1,
        "metadata": {"aiospo_ci": {"version": __version__, "input_schema_version": SCHEMA_VERSION}},
    }
    files[MANIFEST] = _json_bytes(manifest)
    if signing is not None:
        files[SIGNATURES] = sign(files, signing)
    return _tar_gz(files), Bundle(source="(built)", modules=bundled, data=data, manifest=manifest, signed=signing is not None)
