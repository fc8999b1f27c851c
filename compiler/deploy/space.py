"""A SignalWire space as confc reads and changes it, through the REST client of SignalWire's own SDK.

Every request goes through one loop that retries what is safe to retry: any request that was
rate limited (429, after its Retry-After), and reads, updates, deletes and routes after a 5xx or
a lost connection. A create is never repeated after a 5xx: it may have happened, and the next
plan, which reads the space, sees whether it did.
"""

from __future__ import annotations

import functools
import json
import math
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from ..errors import ConfcError, UsageError
from ..yamlload import parse_yaml
from .masking import Secrets
from .target import LOCAL_HOSTS, PROJECT, TOKEN, Target

TIMEOUT = 30.0  # seconds per attempt
RETRIES = 4  # after the first attempt
BACKOFF = 0.5  # seconds before the first retry, doubled before each next one
LONGEST_WAIT = 120.0  # a Retry-After beyond this is reported rather than waited out
PAGE_SIZE = 100
MOST_NESTING = 64  # deeper contents are not walked: no SWML document nests so far
MOST_PAGES = 10_000  # a space that keeps sending next links is refused, not followed forever
sleep: Callable[[float], None] = time.sleep  # the backoff's clock; tests keep time still

INSTALL = "confc plan and apply talk to SignalWire through its SDK, which is not installed: pip install 'confc[deploy]'"


class SpaceError(ConfcError):
    """SignalWire could not be reached, or refused a request (exit code 3)."""

    exit_code = 3


class Refused(ConfcError):
    """SignalWire refused a document or a request as invalid (422): something to fix in the input (exit code 1)."""


@dataclass(frozen=True)
class Script:
    """A hosted SWML script: its resource id (the one phone routes use), its display name, its contents."""

    id: str
    name: str
    contents: Any  # the document as data; the text as stored when it is neither JSON nor YAML
    created_at: str = ""


@dataclass(frozen=True)
class Number:
    """A phone number of the project and the resource its calls go to now (None: none)."""

    id: str
    number: str
    routed_to: str | None


def sdk() -> Any:
    """The SDK's REST module; a usage error saying how to install it when it is missing."""
    try:
        import signalwire.rest
    except ImportError:
        raise UsageError(INSTALL) from None
    return signalwire.rest


class Space:
    """The scripts and numbers of one SignalWire space, read and changed through the SDK's RestClient."""

    def __init__(self, target: Target, rest: Any | None = None) -> None:
        rest = rest or sdk()
        self.target = target
        self._error_type: type[Exception] = rest.SignalWireRestError
        # Retries are this module's: SignalWire's own policy would replay a create after a 503
        # and wait out any Retry-After however long.
        options = rest.RequestOptions(timeout=TIMEOUT, retries=0)
        # Held as Any: the SDK types `contents` as a string, but SignalWire takes (and confc sends) a JSON object.
        self._client: Any = rest.RestClient(
            project=target.project, token=target.token, host=target.space, request_options=options
        )
        # What every message passes through on its way out: the token never, secrets only when asked for.
        self.redact: Callable[[str], str] = Secrets(token=target.token).redact

    @property
    def url(self) -> str:
        scheme = "http" if self.target.space.partition(":")[0] in LOCAL_HOSTS else "https"
        return f"{scheme}://{self.target.space}"

    def scripts(self) -> list[Script]:
        """Every hosted SWML script of the project, following every page."""
        scripts = self._client.fabric.swml_scripts
        found = []
        for resource in self._listed("listing the SWML scripts", scripts.list):
            script = _table(resource.get("swml_script"))
            rid, name = resource.get("id"), resource.get("display_name") or script.get("display_name")
            if not isinstance(rid, str) or not isinstance(name, str):
                continue  # not something confc could have made or would change
            if "contents" not in script and name.startswith(self.target.prefix):  # a list that leaves contents out
                whole = self._call(f"reading the script {name}", "read", functools.partial(scripts.get, rid))
                script = _table(_table(whole).get("swml_script"))
            found.append(Script(rid, name, _document(script.get("contents")), str(resource.get("created_at", ""))))
        return found

    def numbers(self) -> list[Number]:
        """Every phone number of the project."""
        return [n for n in map(_number, self._listed("listing the phone numbers", self._client.phone_numbers.list)) if n]

    def number(self, e164: str) -> Number | None:
        """The project's number `e164`, or None when the project has no such number."""
        pages = self._listed(f"looking up {e164}", self._client.phone_numbers.list, filter_number=e164)
        return next((n for n in map(_number, pages) if n and n.number == e164), None)

    def create(self, name: str, contents: Mapping[str, Any]) -> str:
        """Create a script; its resource id."""
        created = self._call(
            f"creating {name}", "create", lambda: self._client.fabric.swml_scripts.create(name=name, contents=contents)
        )
        if not isinstance(created, Mapping) or not isinstance(created.get("id"), str):
            raise SpaceError(f"SignalWire created {name} but did not say its id; run confc plan to see the space as it is now")
        return str(created["id"])

    def update(self, script: Script, contents: Mapping[str, Any]) -> None:
        self._call(
            f"updating {script.name}",
            "update",
            lambda: self._client.fabric.swml_scripts.update(script.id, display_name=script.name, contents=contents),
        )

    def delete(self, script: Script) -> None:
        self._call(f"deleting {script.name}", "delete", lambda: self._client.fabric.swml_scripts.delete(script.id))

    def route(self, number: Number, resource_id: str, shown: str) -> None:
        # Routing is idempotent (the number ends routed to the resource however often it is sent), so it retries like an update.
        self._call(
            f"routing {number.number} to {shown}",
            "update",
            lambda: self._client.fabric.resources.assign_phone_route(resource_id, phone_route_id=number.id, handler="calling"),
        )

    def _listed(self, what: str, fetch: Callable[..., Any], **query: Any) -> Iterator[Mapping[str, Any]]:
        """The items of every page of a list, following links.next; a body that is a list of pages is read too."""
        params: dict[str, Any] = {**query, "page_size": PAGE_SIZE}
        followed: set[str] = set()
        for _ in range(MOST_PAGES):
            body = self._call(what, "read", functools.partial(fetch, **params))
            following = None
            for page in body if isinstance(body, list) else [body]:
                if not isinstance(page, Mapping) or not isinstance(page.get("data", []), list):
                    raise SpaceError(f"SignalWire answered {what} with something that is not a page of results")
                yield from (item for item in page.get("data", []) if isinstance(item, Mapping))
                links = page.get("links")
                following = links.get("next") if isinstance(links, Mapping) else None
                following = following if isinstance(following, str) else None
            if not following or following in followed:
                return
            followed.add(following)
            params = {name: values[-1] for name, values in urllib.parse.parse_qs(urllib.parse.urlsplit(following).query).items()}
        raise SpaceError(f"SignalWire kept sending more pages while {what}; gave up after {MOST_PAGES}")

    def _call(self, what: str, kind: str, request: Callable[[], Any]) -> Any:
        """`request`, retried as `kind` allows; a failure as a SpaceError (or Refused) saying what was being done."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return request()
            except RecursionError:  # a JSON answer nested past what the parser takes
                raise SpaceError(f"SignalWire answered {what} with JSON nested too deeply to read") from None
            except self._error_type as exc:
                wait = _retry_wait(exc, kind, attempt)
                if wait is None:
                    error = self._failure(exc, what, attempt)
                    raise type(error)(self.redact(error.message)) from None
                sleep(wait)

    def _failure(self, exc: Any, what: str, attempts: int) -> ConfcError:
        status: int | None = exc.status_code
        tries = f" ({attempts} attempts)" if attempts > 1 else ""
        if status is None:
            return SpaceError(f"could not reach SignalWire at {self.url} while {what}{tries}: {_reason(exc.body)}")
        said = _message(exc.body)
        if status == 401:
            return SpaceError(
                f"SignalWire refused the credentials while {what} (401 Unauthorized): check {PROJECT} "
                f"(now {self.target.project}) and {TOKEN} for the space {self.target.space}"
            )
        if status == 403:
            return SpaceError(
                f"SignalWire refused the credentials for {what} (403 Forbidden): the API token lacks the scope for it "
                f"(Voice for SWML scripts, Numbers for phone numbers){said}"
            )
        if status == 404:
            return SpaceError(f"SignalWire found nothing to act on while {what} (404){said}: changed on the space meanwhile?")
        if status == 422:
            return Refused(f"SignalWire refused {what} (422){said or ': the request is not valid'}")
        if status == 429:
            wait = _retry_after(exc)
            asked = f", and asks to wait {wait:g} s" if wait is not None and wait > LONGEST_WAIT else ""
            return SpaceError(f"SignalWire is rate limiting requests (429) while {what}{tries}{asked}{said}")
        return SpaceError(f"SignalWire answered {status} while {what}{tries}{said}")


def _retry_wait(exc: Any, kind: str, attempt: int) -> float | None:
    """Seconds to wait before trying again, or None when the failure is final."""
    if attempt > RETRIES:
        return None
    backoff = BACKOFF * 2 ** (attempt - 1)
    status = exc.status_code
    if status == 429:
        asked = _retry_after(exc)
        if asked is not None and asked > LONGEST_WAIT:
            return None
        return backoff if asked is None else asked
    transient = status is None or status >= 500
    return backoff if transient and kind != "create" else None


def _retry_after(exc: Any) -> float | None:
    """Retry-After in seconds (its delta-seconds form; a date falls back to the backoff)."""
    headers = {name.lower(): value for name, value in (exc.headers or {}).items()}
    try:
        seconds = float(headers["retry-after"])
    except (KeyError, ValueError):
        return None
    return max(seconds, 0.0) if math.isfinite(seconds) else None


def _table(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _number(item: Mapping[str, Any]) -> Number | None:
    if not isinstance(item.get("id"), str) or not isinstance(item.get("number"), str):
        return None
    routed = item.get("calling_handler_resource_id")
    return Number(item["id"], item["number"], routed if isinstance(routed, str) and routed else None)


def _document(contents: Any) -> Any:
    """A script's contents as data: SignalWire returns an object, or a string holding JSON (or YAML, pasted in the Dashboard)."""
    if isinstance(contents, str):
        try:
            contents = json.loads(contents)
        except (ValueError, RecursionError):
            try:
                parsed = parse_yaml(contents)
            except (yaml.YAMLError, ValueError, RecursionError):
                return contents
            if not isinstance(parsed, (dict, list)):
                return contents
            contents = parsed
    if _depth(contents) > MOST_NESTING:
        return "(a document nested too deeply to compare)"
    return contents


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth <= MOST_NESTING and isinstance(value, (dict, list)):
            stack.extend((item, depth + 1) for item in (value.values() if isinstance(value, dict) else value))
    return deepest


def _message(body: Any) -> str:
    """SignalWire's own words from an error body, as ': words', or ''."""
    if isinstance(body, Mapping):
        errors = body.get("errors")
        if isinstance(errors, list):
            parts = [
                f"{e['attribute']}: {e['message']}" if e.get("attribute") else str(e["message"])
                for e in errors
                if isinstance(e, Mapping) and e.get("message")
            ]
            if parts:
                return ": " + "; ".join(parts)
        if body.get("error") or body.get("message"):
            return f": {body.get('error') or body.get('message')}"
        return ""
    text = " ".join(str(body or "").split())
    return f": {text[:200]}" if text else ""


def _reason(body: Any) -> str:
    text = str(body)
    # requests words a refused connection as a chain of wrappers; the innermost reason is the useful part.
    for marker in ("Connection refused", "timed out", "Name or service not known", "nodename nor servname"):
        if marker in text:
            return marker.lower()
    return " ".join(text.split())[:200]
