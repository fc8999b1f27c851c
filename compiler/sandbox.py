"""The one Jinja environment factory: sandboxed, strict, data-only, and bounded in time and size.

User expressions and templates come from pull requests. Whatever they compute must
end within seconds and within memory, print only data (never a Python object's
repr, which differs from run to run), and fail with words a user can act on.
"""

from __future__ import annotations

import contextlib
import itertools
import operator
import re
import signal
import threading

try:
    import resource
except ImportError:  # not on Windows: there the size checks and the timer's absence are the limits
    resource = None  # type: ignore[assignment]
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

import jinja2
from jinja2.exceptions import SecurityError, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.nodes import EvalContext
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import missing

from .errors import did_you_mean

SECONDS = 3.0  # for all the expressions of one profile, or for one template rendering
MAX_TEXT = 1_000_000  # characters or items one operation may build: enough for any config, not for a memory bomb
MAX_OUTPUT = 16_000_000  # characters one template or expression may print
MAX_BITS = 64_000  # about 19,000 decimal digits: more than any config needs, far less than a hang
_KINDS = {
    "int": "a number",
    "float": "a number",
    "str": "a string",
    "dict": "a table",
    "list": "an array",
    "tuple": "an array",
    "bool": "a boolean",
    "NoneType": "nothing",
    "Undefined": "an undefined value",
}


class Overrun(Exception):
    """Evaluation went past its time or size budget."""


class Timeout(Overrun):
    """Evaluation went past its time budget."""


UNDEFINED_NAME_TAIL = "; expressions see env, vars and profile"  # a template sees more: render.py says what


class Scope(dict):  # type: ignore[type-arg]
    """A table of the expression context that knows its own name, for messages about what it lacks."""

    def __init__(self, items: Mapping[str, Any], label: str, hint: str = "") -> None:
        super().__init__(items)
        self.label = label
        self.hint = hint


class _Undefined(jinja2.StrictUndefined):
    """Strict, and worded for people: which name is missing, where, and what is close."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        name, owner = self._undefined_name, self._undefined_obj
        if self._undefined_hint:
            return self._undefined_hint
        if owner is missing:
            if name == "vars":
                return "vars is not defined here: values in [vars] see only env and profile"
            return f"{name} is not defined{UNDEFINED_NAME_TAIL}"
        if isinstance(owner, Mapping):
            label = f"{owner.label}." if isinstance(owner, Scope) else ""
            hint = owner.hint if isinstance(owner, Scope) else ""
            known = [str(key) for key in owner]
            return f"{label}{name} is not defined{did_you_mean(str(name), known)}{hint}"
        return f"{kind(owner)} has no {name!r}"


class AlreadyReported(jinja2.TemplateRuntimeError):
    """A value used an expression's result that failed, and was reported, already."""


def failed_value(name: str) -> jinja2.StrictUndefined:
    """Stands for a value whose own expression failed: using it fails too, with AlreadyReported, not a second report."""
    return jinja2.StrictUndefined(name=name, exc=AlreadyReported)


def kind(value: Any) -> str:
    """What a value is, in the words of the profile format."""
    return _KINDS.get(type(value).__name__, "a " + type(value).__name__)


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, where tables are data only and no operation can build too much."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def getattr(self, obj: Any, attribute: str) -> Any:
        # `vars.items` is the variable "items", never the table's method.
        if isinstance(obj, (dict, Mapping)):  # dict first: the abstract check is slow
            return self.getitem(obj, attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(obj, (dict, Mapping)):
            try:
                return obj[argument]
            except (KeyError, TypeError):
                return self.undefined(obj=obj, name=argument)
        return super().getitem(obj, argument)

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "**":
            if _integer(left) and _integer(right) and right > 0 and abs(left) > 1 and left.bit_length() * right > MAX_BITS:
                raise Overrun("the power is too large")
            return operator.pow(left, right)
        if operator_name == "%":
            if isinstance(left, str) and _WIDE_FORMAT.search(left):
                raise Overrun("the format asks for too wide a field")
            return operator.mod(left, right)
        if _integer(left) and _integer(right) and left.bit_length() + right.bit_length() > MAX_BITS:
            raise Overrun("the product is too large")
        for sized, count in ((left, right), (right, left)):
            if isinstance(sized, (str, list, tuple)) and _integer(count) and len(sized) * count > MAX_TEXT:
                raise Overrun("the repetition is too large")
        return operator.mul(left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's signature
        method = getattr(__obj, "__wrapped__", __obj)  # the sandbox wraps str.format
        _check_size(getattr(method, "__name__", ""), getattr(method, "__self__", None), args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_WIDTHS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs", "indent", "wordwrap", "truncate"})
_WIDE_FORMAT = re.compile(r"%[^a-zA-Z%]*\d{7,}|\{[^}]*\d{7,}")


def _check_size(name: str, owner: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    """Refuse a string operation whose result would be too large, before it is built."""
    if name in _WIDTHS and any(_integer(a) and a > MAX_TEXT for a in (*args, *kwargs.values())):
        raise Overrun(f"{name} asks for too wide a result")
    if name == "format" and isinstance(owner, str) and _WIDE_FORMAT.search(owner):
        raise Overrun("the format asks for too wide a field")
    if name == "replace":
        texts = [a for a in ((owner,) if isinstance(owner, str) else ()) + args if isinstance(a, str)]
        if len(texts) >= 3 and texts[1] and texts[0].count(texts[1]) * len(texts[2]) > MAX_TEXT:
            raise Overrun("replace would build too long a string")


F = TypeVar("F", bound=Callable[..., Any])


def _guarded(name: str, function: F) -> F:
    """A built-in filter that first refuses arguments that would build too much."""

    def filtered(*args: Any, **kwargs: Any) -> Any:
        values = [a for a in args if not isinstance(a, (jinja2.Environment, EvalContext))]
        _check_size(name, values[0] if values else None, tuple(values[1:]), kwargs)
        return function(*args, **kwargs)

    filtered.__dict__.update(function.__dict__)  # keep Jinja's pass_environment / pass_eval_context marks
    return filtered  # type: ignore[return-value]


def _final(value: Any) -> Any:
    """What `{{ }}` may print: data, never an object whose text changes from run to run."""
    if isinstance(value, (str, float, bool)) or value is None:
        return value
    if isinstance(value, int):
        if value.bit_length() > MAX_BITS:
            raise Overrun("the number is too large to write")
        return value
    if isinstance(value, (list, tuple, Mapping)):
        return value
    if isinstance(value, jinja2.Undefined):
        return value  # strict: printing it raises the message above
    raise SecurityError(f"{{{{ }}}} can print values only, not {kind(value)}")


def environment(loader: jinja2.BaseLoader | None = None) -> jinja2.Environment:
    """Every Jinja environment confc uses: sandboxed, strict, data-only, bounded."""
    jinja = _Sandbox(
        loader=loader,
        undefined=_Undefined,
        finalize=_final,
        keep_trailing_newline=True,
        autoescape=False,
    )
    # lipsum is random and cycler/joiner are objects: none of them is data.
    jinja.globals = {name: jinja.globals[name] for name in ("range", "dict", "namespace")}
    # A random pick would differ on every build, and check could never find the artifacts current.
    del jinja.filters["random"]
    for name in ("center", "indent", "wordwrap", "format", "truncate", "replace"):
        jinja.filters[name] = _guarded(name, jinja.filters[name])
    return jinja


def join_bounded(chunks: Iterable[str], limit: int = MAX_OUTPUT) -> str:
    """Rendered output, stopped as soon as it grows past `limit` characters."""
    iterator = iter(chunks)
    parts: list[str] = []
    size = 0
    # In batches: one chunk at a time in Python costs more than most values take to render,
    # and no single chunk is large (every operation that builds text is bounded).
    while batch := list(itertools.islice(iterator, _BATCH)):
        text = "".join(batch)
        size += len(text)
        if size > limit:
            raise Overrun(f"the output grows past {limit:,} characters")
        parts.append(text)
    return "".join(parts)


_BATCH = 64


class Deadline:
    """A time budget for user code: past it, the expression or template running is stopped.

    The timer is a signal, so it works in the main thread of each process (the command line and
    build --jobs workers); elsewhere, as in a library caller's thread, only the size limits hold.
    It interrupts only user code: when it fires in confc's own code, the caller restarts it.
    """

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = SECONDS if seconds is None else seconds
        self.expired = False
        self.inside = False
        self._armed = False
        self._previous: Any = None

    def __enter__(self) -> Deadline:
        self.expired = False
        self._armed = _can_alarm()
        if self._armed:
            self._previous = signal.signal(signal.SIGALRM, self._fire)  # the handler knows its deadline
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    def restart(self) -> None:
        """A fresh budget from now."""
        self.expired = False
        if self._armed:
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc: object) -> None:
        if self._armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, signal.SIG_DFL if self._previous is None else self._previous)
            self._armed = False

    def _fire(self, signum: int, frame: object) -> None:
        self.expired = True
        if self.inside:
            raise Timeout(f"it takes longer than {self.seconds:g} seconds")

    def run(self, function: Callable[..., Any], *args: Any) -> Any:
        """Call user code under the budget; Overrun when it is (or was already) spent."""
        if self.expired:
            raise Timeout(f"it takes longer than {self.seconds:g} seconds")
        self.inside = True
        try:
            return function(*args)
        finally:
            self.inside = False


def _can_alarm() -> bool:
    return _TIMERS and threading.get_ident() == threading.main_thread().ident


_TIMERS = hasattr(signal, "setitimer")


@contextlib.contextmanager
def guarded() -> Iterator[None]:
    """A ceiling on memory around a whole build.

    Size checks stop what builds too much in one step; the ceiling (what the process uses
    now plus MEMORY_HEADROOM) turns anything they miss into a MemoryError, reported like any
    other failure of user code, instead of a machine out of memory.
    """
    ceiling = _memory_ceiling()
    try:
        yield
    finally:
        if ceiling is not None:
            resource.setrlimit(resource.RLIMIT_AS, ceiling)


MEMORY_HEADROOM = 4 << 30


def _memory_ceiling() -> tuple[int, int] | None:
    """Lower the address-space limit to current use plus headroom; the limits it replaced, or None."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            in_use = int(handle.read().split()[0]) * resource.getpagesize()
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    except (OSError, ValueError, IndexError, AttributeError):
        return None  # not Linux: the size checks alone hold
    wanted = in_use + MEMORY_HEADROOM
    if soft != resource.RLIM_INFINITY and soft <= wanted or hard != resource.RLIM_INFINITY and hard < wanted:
        return None  # a tighter limit is in force already
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    return soft, hard


def describe(exc: BaseException) -> str:
    """Why user code failed, in words for people: no exception class names, no library jargon."""
    if isinstance(exc, Overrun):
        return f"too much to compute: {exc}"
    if isinstance(exc, UndefinedError):
        return exc.message or "an undefined name"
    if isinstance(exc, SecurityError):
        unsafe = re.match(r"access to attribute '(.*)' of '(\w+)' object is unsafe", str(exc))
        if unsafe:
            return f"not allowed: {unsafe.group(1)} of {_KINDS.get(unsafe.group(2), 'a value')} is not data"
        return f"not allowed: {exc}"
    if isinstance(exc, TemplateSyntaxError):
        unknown = re.match(r"No filter named '(\w+)'", exc.message or "")
        if unknown and unknown.group(1) == "random":
            return "there is no random filter: a random pick would make every build differ; choose the value"
        if unknown:
            return f"there is no filter named {unknown.group(1)!r}"
        return f"invalid syntax: {exc.message}"
    if isinstance(exc, RecursionError):
        return "too much to compute: it recurses too deeply"
    if isinstance(exc, MemoryError):
        return "too much to compute: it needs too much memory"
    if isinstance(exc, ZeroDivisionError):
        return "division by zero"
    if isinstance(exc, OverflowError):
        return "a number too large"
    if isinstance(exc, TemplateError):
        return exc.message or "cannot be evaluated"
    text = str(exc)
    joined = re.fullmatch(r'can only concatenate (\w+) \(not "(\w+)"\) to \w+', text)
    if joined:
        return f"these values cannot be combined this way: {_KINDS.get(joined[2], 'a value')} cannot be added to {_KINDS.get(joined[1], 'a value')}"
    missing = re.fullmatch(r"(?:do_|test_)?(\w+)\(\) missing (\d+) required (?:positional |keyword-only )?arguments?: (.*)", text)
    if missing:  # a filter or test called with too few arguments: Jinja names its function do_NAME
        return f"{missing[1]} needs {missing[2]} more argument{'s' if missing[2] != '1' else ''}: {missing[3]}"
    if "unsupported operand" in text or "not supported between" in text:
        return "these values cannot be combined this way: " + re.sub(
            r"'(\w+)'", lambda m: _KINDS.get(m.group(1), m.group(0)), text
        )
    if "integer string conversion" in text:
        return "too much to compute: the number is too large to write"
    return re.sub(r"'(\w+)' object", lambda m: _KINDS.get(m.group(1), "a value"), text) or "cannot be evaluated"
