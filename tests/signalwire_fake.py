"""A local SignalWire space: the REST endpoints confc plan and apply use, served on a loopback port.

It follows SignalWire's REST reference for hosted SWML scripts and phone numbers: Basic
auth; `name` on create but `display_name` on update, unknown fields refused (422); 200 on
create, 204 on delete; small pages linked by `links.next` (or, the older way, a list of pages);
every other script's contents read back as a string of JSON; the phone-number table and phone
routes; and failures on demand (401, 403, 404, 422, 429 with Retry-After, 500, slow answers).
What it cannot prove is how the real platform behaves where the reference is silent.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SCRIPTS = "/api/fabric/resources/swml_scripts"
NUMBERS = "/api/relay/rest/phone_numbers"
ROUTES = re.compile(r"/api/fabric/resources/(?P<id>[^/]+)/phone_routes")
PROJECT = "5f1c4a9e-project"
TOKEN = "PT-very-secret-token-0123456789"


@dataclass
class Fault:
    method: str
    path: re.Pattern[str]
    status: int
    times: int  # how many matching requests fail (then they succeed)
    skip: int = 0  # matching requests that succeed first
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int = 0


class Space:
    """The state of the fake space, and the knobs a test turns."""

    def __init__(self, page_size: int = 2) -> None:
        self.page_size = page_size
        self.scripts: dict[str, dict[str, Any]] = {}  # id -> resource (contents as stored)
        self.numbers: list[dict[str, Any]] = []
        self.faults: list[Fault] = []
        self.requests: list[Request] = []
        self.forbidden: tuple[str, ...] = ()  # path prefixes the token lacks the scope for
        self.pages_as_list = False  # answer lists the older way: a list of pages
        self.delay = 0.0  # seconds before each answer, to run into the client's timeout
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.host = ""

    # -- what a test sets up or looks at -------------------------------------------------------

    def add_number(self, number: str, routed_to: str | None = None, name: str = "") -> dict[str, Any]:
        entry = {
            "id": f"num-{next(self._ids):04d}",
            "number": number,
            "name": name or f"Line {number[-4:]}",
            "call_handler": "relay_script" if routed_to else None,
            "calling_handler_resource_id": routed_to,
        }
        self.numbers.append(entry)
        return entry

    def add_script(self, name: str, contents: Any) -> str:
        """A script made elsewhere (the Dashboard, another tool): contents stored as given, a string stays a string."""
        return self._create(name, contents)

    def edit_in_dashboard(self, name: str, contents: Any) -> None:
        self.by_name(name)["swml_script"]["contents"] = contents

    def by_name(self, name: str) -> dict[str, Any]:
        (found,) = [s for s in self.scripts.values() if s["display_name"] == name]
        return found

    def names(self) -> list[str]:
        return sorted(s["display_name"] for s in self.scripts.values())

    def document(self, name: str) -> Any:
        contents = self.by_name(name)["swml_script"]["contents"]
        return json.loads(contents) if isinstance(contents, str) else contents

    def routed(self, number: str) -> str | None:
        (entry,) = [n for n in self.numbers if n["number"] == number]
        return entry["calling_handler_resource_id"]

    def fail(
        self,
        method: str,
        path: str,
        status: int,
        *,
        times: int = 1,
        skip: int = 0,
        headers: dict[str, str] | None = None,
        body: Any = None,
    ) -> None:
        self.faults.append(Fault(method, re.compile(path), status, times, skip, headers or {}, body))

    def writes(self) -> list[Request]:
        return [r for r in self.requests if r.method != "GET"]

    # -- the endpoints ------------------------------------------------------------------------

    def _create(self, name: str, contents: Any) -> str:
        number = next(self._ids)
        rid = f"res-{number:04d}"
        stamp = f"2026-11-01T10:{number // 60:02d}:{number % 60:02d}Z"
        self.scripts[rid] = {
            "id": rid,
            "project_id": PROJECT,
            "display_name": name,
            "type": "swml_script",
            "created_at": stamp,
            "updated_at": stamp,
            "swml_script": {
                "id": f"swml-{number:04d}",
                "display_name": name,
                "script_type": "calling",
                "request_url": f"https://{self.host}/relay-bins/{number:04d}",
                "contents": contents,
            },
        }
        return rid

    def handle(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, dict[str, str], Any]:
        with self._lock:
            for fault in self.faults:
                if fault.times and fault.method == method and fault.path.fullmatch(path):
                    if fault.skip:
                        fault.skip -= 1
                        break
                    fault.times -= 1
                    return (
                        fault.status,
                        fault.headers,
                        fault.body if fault.body is not None else {"error": "Internal Server Error"},
                    )
            if any(path.startswith(p) for p in self.forbidden):
                return 403, {}, {"error": "Forbidden"}
            return self._route(method, path, query, body)

    def _route(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, dict[str, str], Any]:
        if path == SCRIPTS and method == "GET":
            return 200, {}, self._page(SCRIPTS, [_as_read(s) for s in self.scripts.values()], query)
        if path == SCRIPTS and method == "POST":
            problem = _fields(
                body, required={"name", "contents"}, allowed={"name", "contents", "script_type", "status_callback_url"}
            )
            problem = problem or _swml(body["contents"]) or _text(body, "name")
            if problem:
                return 422, {}, problem
            return 200, {}, self.scripts[self._create(body["name"], body["contents"])]
        match = re.fullmatch(re.escape(SCRIPTS) + r"/(?P<id>[^/]+)", path)
        if match:
            script = self.scripts.get(match["id"])
            if script is None:
                return 404, {}, {"error": "Not Found"}
            if method == "GET":
                return 200, {}, _as_read(script)
            if method == "PUT":
                problem = _fields(body, required=set(), allowed={"display_name", "contents", "status_callback_url"})
                problem = (
                    problem
                    or ("contents" in body and _swml(body["contents"]))
                    or ("display_name" in body and _text(body, "display_name"))
                )
                if problem:
                    return 422, {}, problem
                if "display_name" in body:
                    script["display_name"] = script["swml_script"]["display_name"] = body["display_name"]
                if "contents" in body:
                    script["swml_script"]["contents"] = body["contents"]
                script["updated_at"] = "2026-11-02T10:00:00Z"
                return 200, {}, script
            if method == "DELETE":
                del self.scripts[match["id"]]
                return 204, {}, None
        if path == NUMBERS and method == "GET":
            wanted = query.get("filter_number")
            rows = [n for n in self.numbers if wanted is None or n["number"] == wanted]
            return 200, {}, self._page(NUMBERS, rows, query)
        match = ROUTES.fullmatch(path)
        if match and method == "POST":
            if match["id"] not in self.scripts:
                return 404, {}, {"error": "Not Found"}
            problem = _fields(body, required={"phone_route_id", "handler"}, allowed={"phone_route_id", "handler"})
            numbers = [n for n in self.numbers if isinstance(body, dict) and n["id"] == body.get("phone_route_id")]
            if problem or body["handler"] != "calling" or not numbers:
                return 422, {}, problem or _invalid("phone_route_id" if not numbers else "handler", "is not valid")
            numbers[0].update(calling_handler_resource_id=match["id"], call_handler="relay_script")
            name = self.scripts[match["id"]]["display_name"]
            return 200, {}, {"id": f"addr-{next(self._ids):04d}", "name": name, "display_name": name, "type": "app"}
        return 404, {}, {"error": "Not Found"}

    def _page(self, base: str, rows: list[dict[str, Any]], query: dict[str, str]) -> Any:
        size = min(int(query.get("page_size", self.page_size)), self.page_size)
        start = int(query.get("page_token", "PA0")[2:])
        page: dict[str, Any] = {"data": rows[start : start + size], "links": {"self": f"http://{self.host}{base}"}}
        page["links"]["first"] = f"http://{self.host}{base}?page_size={size}"
        if start + size < len(rows):
            extra = {k: v for k, v in query.items() if k not in ("page_token", "page_size")}
            link = urllib.parse.urlencode({**extra, "page_size": size, "page_token": f"PA{start + size}"})
            page["links"]["next"] = f"http://{self.host}{base}?{link}"
        return [page] if self.pages_as_list else page


def _as_read(script: dict[str, Any]) -> dict[str, Any]:
    """A script as a read returns it: every other one's contents as a string of JSON, as older scripts come back."""
    contents = script["swml_script"]["contents"]
    if isinstance(contents, str) or int(script["id"].rpartition("-")[2]) % 2:
        return script
    return {**script, "swml_script": {**script["swml_script"], "contents": json.dumps(contents)}}


def _fields(body: Any, *, required: set[str], allowed: set[str]) -> dict[str, Any] | None:
    if not isinstance(body, dict):
        return _invalid("body", "must be a JSON object")
    unknown = sorted(set(body) - allowed)
    if unknown:
        return _invalid(unknown[0], "is not a permitted parameter", code="unknown_parameter")
    missing = sorted(required - set(body))
    return _invalid(missing[0], "is required", code="missing_required_parameter") if missing else None


def _swml(contents: Any) -> dict[str, Any] | None:
    if isinstance(contents, dict) and isinstance(contents.get("sections"), dict) and "main" in contents["sections"]:
        return None
    return _invalid("contents", "contents must be valid SWML JSON")


def _text(body: dict[str, Any], name: str) -> dict[str, Any] | None:
    return None if isinstance(body[name], str) and body[name] else _invalid(name, "must be a non-empty string")


def _invalid(attribute: str, message: str, code: str = "invalid_parameter_value") -> dict[str, Any]:
    return {
        "errors": [
            {
                "type": "validation_error",
                "code": code,
                "message": message,
                "attribute": attribute,
                "url": "https://developer.signalwire.com/rest/overview/error-codes",
            }
        ]
    }


class _Handler(BaseHTTPRequestHandler):
    space: Space

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the test reads space.requests
        pass

    def _serve(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(parts.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        request = Request(self.command, parts.path, query, body)
        if self.space.delay:
            time.sleep(self.space.delay)
        self.space.requests.append(request)
        expected = "Basic " + base64.b64encode(f"{PROJECT}:{TOKEN}".encode()).decode()
        if self.headers.get("Authorization") != expected:
            status, headers, answer = 401, {}, {"error": "Unauthorized"}
        else:
            status, headers, answer = self.space.handle(self.command, parts.path, query, body)
        request.status = status
        data = b"" if status == 204 else json.dumps(answer).encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if data:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _serve


class Server:
    """The fake space served on a free loopback port until closed."""

    def __init__(self) -> None:
        self.space = Space()
        self.waits: list[float] = []  # the client's backoff, when a test records it
        handler = type("Handler", (_Handler,), {"space": self.space})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.space.host = f"127.0.0.1:{self._server.server_address[1]}"
        # A short poll, so that closing the server (once per test) does not wait half a second.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()

    @property
    def host(self) -> str:
        return self.space.host

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
