"""Facts from the live Hub through huggingface_hub.HfApi.

One lookup per FactsKey, run concurrently on a bounded pool. A lookup is `model_info` (or
`dataset_info`) at the revision asked, plus `list_repo_refs` when only the refs can tell a
branch from a tag. 429 and 5xx answers and timeouts are retried with backoff (model_info does
not retry by itself), within a global deadline. Every failure becomes a fact; error sentences
are written here, never copied from an exception, so no URL, header or token reaches them.

huggingface_hub is imported on first use: an offline run never pays for it.
"""

from __future__ import annotations

import email.utils
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

from aiospo_ci.hub import extract, http_guard
from aiospo_ci.hub.interface import FactsKey, FactsSource, key_order
from aiospo_ci.hub.settings import HubSettings
from aiospo_ci.model import HubFacts, HubStatus


class _GaveUp(Exception):
    """A transient failure that retries did not fix; carries the sentence for the fact."""


def retry_after_seconds(headers: Any, now: float | None = None) -> float | None:
    """The wait a 429/503 answer asks for: Retry-After (seconds or HTTP date), else the
    `t=` of the IETF RateLimit header the Hub sends."""
    value = headers.get("Retry-After") if headers is not None else None
    if value:
        value = value.strip()
        if value.isdigit():
            return float(value)
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            when = None
        if when is not None:
            now = time.time() if now is None else now
            return max(0.0, when.timestamp() - now)
    limit = headers.get("RateLimit") if headers is not None else None
    if limit:
        match = re.search(r"\bt=(\d+)", limit)
        if match:
            return float(match.group(1))
    return None


class HubClient(FactsSource):
    """Asks the Hub. Thread-safe; one instance per run (the deadline starts at creation)."""

    def __init__(
        self,
        settings: HubSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._sleep = sleep
        self._clock = clock
        self._deadline = clock() + settings.deadline
        self._api_lock = threading.Lock()
        self._api: Any = None
        self._refs: dict[tuple[str, str], Any] = {}  # one refs listing per repo per run

    # -- FactsSource -------------------------------------------------------------------

    def facts(self, keys: list[FactsKey]) -> dict[FactsKey, HubFacts]:
        distinct = sorted(set(keys), key=key_order)
        if not distinct:
            return {}
        workers = max(1, min(self._settings.workers, len(distinct)))
        if workers == 1:
            return {k: self.lookup(k) for k in distinct}
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="aiospo-hub") as pool:
            return dict(zip(distinct, pool.map(self.lookup, distinct)))

    # -- one lookup ----------------------------------------------------------------------

    def lookup(self, key: FactsKey) -> HubFacts:
        """Facts for one key; never raises."""
        what = f"{key.kind} {key.id}" + (f" at revision {key.revision}" if key.revision else "")
        try:
            with http_guard.guarded(self._settings.endpoint_url, self._settings.timeout):
                return self._lookup(key)
        except Exception as exc:  # noqa: BLE001 - every failure is a fact, never a crash
            status, sentence = self._describe(exc, what)
            return HubFacts(
                id=key.id,
                kind=key.kind,
                status=status,
                error=self._scrub(sentence),
                origin="hub",
                revision=key.revision,
                revision_kind=extract.revision_shape(key.revision),
            )

    def _lookup(self, key: FactsKey) -> HubFacts:
        from huggingface_hub.errors import RevisionNotFoundError

        api = self._hf_api()
        if key.kind == "dataset":
            fetch: Callable[..., Any] = api.dataset_info
            extra: dict[str, Any] = {}
            fields_of = extract.dataset_fields
        else:
            fetch = api.model_info
            extra = {"securityStatus": True}
            fields_of = extract.model_fields

        kind = extract.revision_shape(key.revision)
        revision_status = "ok"
        if key.revision is None:
            info = self._call(fetch, key.id, **extra)
        else:
            try:
                info = self._call(fetch, key.id, revision=key.revision, **extra)
            except RevisionNotFoundError:
                # The repo exists, the revision does not: a fact about the reference. The
                # default branch still tells the license and the rest.
                revision_status = "not_found"
                info = self._call(fetch, key.id, **extra)
        fields = fields_of(info)
        if key.revision is not None and revision_status == "ok" and kind is None:
            kind = self._ref_kind(api, info.id, key)
        return HubFacts(
            id=key.id,
            kind=key.kind,
            status="ok",
            origin="hub",
            revision=key.revision,
            revision_kind=kind,
            revision_status=revision_status,
            resolved_commit=fields.get("sha") if revision_status == "ok" else None,
            **fields,
        )

    def _ref_kind(self, api: Any, repo_id: str, key: FactsKey) -> str | None:
        """branch or tag, from the repo's refs (names and full `refs/...` forms)."""
        rev = key.revision or ""
        if rev.startswith(("refs/heads/", "refs/convert/")):
            return "branch"
        if rev.startswith("refs/tags/"):
            return "tag"
        with self._api_lock:
            refs = self._refs.get((key.kind, repo_id))
        if refs is None:
            refs = self._call(api.list_repo_refs, repo_id, repo_type=key.kind)
            with self._api_lock:
                self._refs[(key.kind, repo_id)] = refs
        if rev in {b.name for b in refs.branches} | {c.name for c in refs.converts or ()}:
            return "branch"
        if rev in {t.name for t in refs.tags}:
            return "tag"
        return None

    # -- transport ---------------------------------------------------------------------

    def _hf_api(self) -> Any:
        with self._api_lock:
            if self._api is None:
                from huggingface_hub import HfApi

                # token=False, not None, when there is none: None lets huggingface_hub send the
                # token `hf auth login` saved, to whatever endpoint this run uses.
                self._api = HfApi(
                    endpoint=self._settings.endpoint_url,
                    token=self._settings.token or False,
                    library_name="aiospo-ci",
                )
            return self._api

    def _remaining(self) -> float:
        return self._deadline - self._clock()

    def _call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """fn(*args, **kwargs) with retries on 429, 5xx and timeouts, bounded by the
        retry count and the run's deadline."""
        from huggingface_hub.errors import HfHubHTTPError

        timeout_error = _timeout_exception()
        attempt = 0
        while True:
            remaining = self._remaining()
            if remaining <= 0:
                raise _GaveUp(f"the run's Hub deadline of {self._settings.deadline:g}s passed before it could be asked")
            if fn.__name__ in ("model_info", "dataset_info"):
                kwargs["timeout"] = min(self._settings.timeout, remaining)
            try:
                return fn(*args, **kwargs)
            except HfHubHTTPError as exc:
                response = getattr(exc, "response", None)
                code = getattr(response, "status_code", None)
                if code is None or not (code == 429 or code >= 500):
                    raise
                reason = "rate limited (HTTP 429)" if code == 429 else f"HTTP {code}"
                wait = retry_after_seconds(getattr(response, "headers", None))
                if wait is not None and wait > self._settings.max_retry_wait:
                    raise _GaveUp(f"the Hub answered {reason} and asked to wait {wait:g}s, longer than allowed") from None
            except timeout_error:
                reason = f"no answer within {self._settings.timeout:g}s"
                wait = None
            attempt += 1
            if attempt > self._settings.retries:
                raise _GaveUp(f"the Hub gave {reason} after {attempt} attempt(s)")
            delay = wait if wait is not None else self._settings.backoff * (2 ** (attempt - 1))
            if delay >= self._remaining():
                raise _GaveUp(f"the Hub gave {reason} and the run's deadline leaves no time to retry")
            self._sleep(delay)

    # -- errors as facts ---------------------------------------------------------------

    def _describe(self, exc: BaseException, what: str) -> tuple[HubStatus, str]:
        from huggingface_hub import errors as hf

        host = urlsplit(self._settings.endpoint_url).hostname or self._settings.endpoint_url
        timeout_error = _timeout_exception()
        transport_error = _transport_exception()
        if isinstance(exc, hf.GatedRepoError):
            return "gated", f"The {what} is gated and the token in use has no access; request access on the Hub or set HF_TOKEN."
        if isinstance(exc, hf.RepositoryNotFoundError):
            return "not_found", f"The {what} was not found on {host} (deleted, never existed, or private)."
        if isinstance(exc, hf.DisabledRepoError):
            return "disabled", f"The {what} has been disabled on {host}."
        if isinstance(exc, hf.RevisionNotFoundError):
            return "not_found", f"The {what} was not found on {host}."
        if isinstance(exc, _GaveUp):
            return "error", f"Could not get facts for the {what}: {exc}."
        if isinstance(exc, http_guard.CrossHostRedirect):
            return "error", (
                f"The answer for the {what} redirected to another host ({exc.target_host}); "
                "it was not followed, so no token was sent there."
            )
        if isinstance(exc, hf.OfflineModeIsEnabled):
            return "error", (
                f"Could not ask about the {what}: HF_HUB_OFFLINE is set in the environment, and aiospo-ci does not go "
                "offline on its own. Pass --offline (or set hub.offline) to judge from aiospo.lock, or unset HF_HUB_OFFLINE."
            )
        if isinstance(exc, hf.HFValidationError):
            return "not_found", f"The {what} is not a valid Hub repo id, so it cannot be on the Hub."
        if isinstance(exc, hf.HfHubHTTPError):
            code = getattr(getattr(exc, "response", None), "status_code", "?")
            return "error", f"The Hub answered HTTP {code} for the {what}."
        if isinstance(exc, timeout_error):
            return "error", f"No answer from {host} within {self._settings.timeout:g}s for the {what}."
        if isinstance(exc, transport_error):
            return "error", f"Could not reach {host} for the {what} ({type(exc).__name__})."
        if isinstance(exc, (ValueError, KeyError, TypeError, AttributeError)):
            return "error", f"The Hub's answer for the {what} is malformed (not the JSON a repo info has)."
        return "error", f"Unexpected {type(exc).__name__} while asking {host} about the {what}."

    def _scrub(self, sentence: str) -> str:
        """Belt and braces: the sentences above never include a token, but a repo id or host
        could be crafted to; remove it if so."""
        token = self._settings.token
        if token and token in sentence:
            sentence = sentence.replace(token, "***")
        return sentence


def _http_module() -> Any:
    try:
        import httpx2 as http  # huggingface_hub >= 1.x ships on httpx2
    except ImportError:  # pragma: no cover - older huggingface_hub on httpx
        import httpx as http  # type: ignore[no-redef]
    return http


def _timeout_exception() -> type[BaseException]:
    return _http_module().TimeoutException


def _transport_exception() -> type[BaseException]:
    return _http_module().TransportError
