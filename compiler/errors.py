"""Problems as data: a frozen Diagnostic per problem, and one root error type that carries them.

Stages collect Diagnostics instead of stopping at the first problem; `gather` reports
a problem shared by several environments (or profiles) once, naming them all.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from .secrets import is_reference

_FIELDS = ("file", "line", "key", "profile", "env")
# A base's problem breaks every profile built on it: a line naming hundreds of them is read by
# no one, and the fix is at the base. The count says how far it reaches; --format json names all.
_PROFILES_SHOWN = 5


@dataclass(frozen=True)
class Diagnostic:
    """One problem, located where it can be fixed; `profiles` and `envs` say where it was found."""

    message: str
    file: str | None = None
    line: int | None = None
    key: str | None = None
    profiles: tuple[str, ...] = ()
    envs: tuple[str, ...] = ()
    severity: str = "error"  # or "warning"

    @property
    def profile(self) -> str | None:
        """The profile it was found in, when it was found in exactly one."""
        return self.profiles[0] if len(self.profiles) == 1 else None

    @property
    def env(self) -> str | None:
        return self.envs[0] if len(self.envs) == 1 else None

    @property
    def where(self) -> str:
        """`FILE:LINE: KEY: ` (the parts that are known)."""
        text = ""
        if self.file:
            text = self.file + (f":{self.line}" if self.line else "") + ": "
        return text + (f"{self.key}: " if self.key else "")

    @property
    def context(self) -> str:
        """` (profile P, envs dev, prod)`, or nothing; past a few profiles, how many more."""
        parts = []
        if self.profiles:
            named = ", ".join(self.profiles)
            if len(self.profiles) > _PROFILES_SHOWN + 1:  # "and 1 more" would hide no more than it names
                named = ", ".join(self.profiles[:_PROFILES_SHOWN]) + f" and {len(self.profiles) - _PROFILES_SHOWN} more"
            parts.append(("profile " if len(self.profiles) == 1 else "profiles ") + named)
        if self.envs:
            parts.append(("env " if len(self.envs) == 1 else "envs ") + ", ".join(self.envs))
        return f" ({', '.join(parts)})" if parts else ""

    def __str__(self) -> str:
        return f"{self.where}{self.message}{self.context}"

    def sort_key(self) -> tuple[str, int, str, tuple[str, ...], tuple[str, ...], str]:
        return (self.file or "", self.line or 0, self.key or "", self.profiles, self.envs, self.message)


def gather(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Each problem once, sorted: the same problem in several environments (then profiles) becomes one."""

    def merge(items: Iterable[Diagnostic], field: str) -> list[Diagnostic]:
        groups: dict[Diagnostic, set[str]] = {}
        for item in items:
            blank: dict[str, Any] = {field: ()}
            groups.setdefault(replace(item, **blank), set()).update(getattr(item, field))
        return [replace(base, **{field: tuple(sorted(names))}) for base, names in groups.items()]  # type: ignore[arg-type]

    return sorted(merge(merge(diagnostics, "envs"), "profiles"), key=Diagnostic.sort_key)


class ConfcError(Exception):
    """A problem in the user's input, located as precisely as we know it (exit code 1)."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        key: str | None = None,
        profile: str | None = None,
        env: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.key = key
        self.profile = profile
        self.env = env

    def __reduce__(self) -> tuple[object, ...]:
        # Errors cross process boundaries (build --jobs): keep every field, not only the message.
        return _rebuild, (type(self), self.message, {name: getattr(self, name) for name in _FIELDS})

    def located(self, **where: str | None) -> ConfcError:
        """A copy with the blanks filled from `where` (profile, env, ...)."""
        fields = {name: getattr(self, name) for name in _FIELDS}
        for name, value in where.items():
            if fields.get(name) is None:
                fields[name] = value
        return type(self)(self.message, **fields)

    @property
    def errors(self) -> list[ConfcError]:
        return [self]

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """Every problem this error stands for, each once, sorted."""
        return gather(diagnostic(error) for error in self.errors)

    def __str__(self) -> str:
        return "\n".join(map(str, self.diagnostics))


def diagnostic(error: ConfcError, severity: str = "error") -> Diagnostic:
    """The data of one single-problem error."""
    return Diagnostic(
        error.message,
        file=error.file,
        line=error.line,
        key=error.key,
        profiles=(error.profile,) if error.profile else (),
        envs=(error.env,) if error.env else (),
        severity=severity,
    )


def _rebuild(kind: type[ConfcError], message: str, fields: dict[str, object]) -> ConfcError:
    return kind(message, **fields)  # type: ignore[arg-type]


class UsageError(ConfcError):
    """The command line itself is wrong: unknown env, profile, flag or directory (exit code 2)."""

    exit_code = 2


class ErrorGroup(ConfcError):
    """Several independent problems, reported together and in a stable order."""

    def __init__(self, errors: Iterable[ConfcError]) -> None:
        flat: list[ConfcError] = []
        for error in errors:
            flat.extend(error.errors)
        self._errors = flat
        super().__init__("\n".join(str(d) for d in self.diagnostics))
        self.exit_code = max((e.exit_code for e in flat), default=1)

    @property
    def errors(self) -> list[ConfcError]:
        return list(self._errors)


def raise_all(errors: Sequence[ConfcError]) -> None:
    """Raise every collected error at once, or nothing when the list is empty."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ErrorGroup(errors)


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """' (did you mean "x"?)' when a candidate is close to `word`, else ''."""
    close = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


def did_you_mean_key(key: str, candidates: Iterable[str], *, same_table: bool = False) -> str:
    """did_you_mean for a dotted key: a key of the same table first, by its last part (every conference.* key looks
    alike as a whole), else (unless `same_table`) the closest key of all."""
    known = set(candidates)
    parent, _, last = key.rpartition(".")
    siblings = {c.rpartition(".")[2]: c for c in known if c.rpartition(".")[0] == parent}
    close = difflib.get_close_matches(last, sorted(siblings), n=1, cutoff=0.6)
    if close:
        return f' (did you mean "{siblings[close[0]]}"?)'
    return "" if same_table else did_you_mean(key, known)


def did_you_mean_profile(word: str, ids: Iterable[str]) -> str:
    """did_you_mean for a profile id, written as a path ("profiles/standup.toml"), a file name, or its last part ("bridge")."""
    known = sorted(set(ids))
    bare = word.strip().removeprefix("./").removeprefix("profiles/").removesuffix(".toml")
    if bare != word and bare in known:
        return f' (did you mean "{bare}"?)'
    tails = [id for id in known if id.rsplit("/", 1)[-1] == bare.rsplit("/", 1)[-1]]
    if len(tails) == 1:
        return f' (did you mean "{tails[0]}"?)'
    return did_you_mean(bare, known)


def did_you_mean_name(word: str, names: Iterable[str]) -> str:
    """did_you_mean for a short name, where a longer spelling of it is a likely mistake too ("production" for "prod")."""
    known = sorted(set(names))
    hint = did_you_mean(word, known)
    if hint:
        return hint
    started = [name for name in known if len(name) >= 3 and (word.startswith(name) or name.startswith(word) and len(word) >= 3)]
    return f' (did you mean "{started[0]}"?)' if len(started) == 1 else ""


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+\Z")


def dotted(path: Iterable[str]) -> str:
    """A key path as TOML writes it: its parts joined by dots, a part that is no bare key quoted ("a.b", "my key")."""
    return ".".join(part if _BARE_KEY.match(part) else show(part) for part in path)


def show(value: object) -> str:
    """A value as a user would write it in TOML: "text", true, 42, ["a", "b"], nan, 1979-05-27."""
    import datetime
    import json
    import math

    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # nan, inf, -inf: as TOML writes them, where JSON would write NaN
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()  # a TOML date or time is written bare, not quoted like a string
    if is_reference(value):
        return f"{{ secret = {show(value['secret'])} }}"  # as the profile writes it
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (ValueError, RecursionError):  # nested deeper than any reader could follow
        return "a value nested too deeply to show"


def without_credentials(url: str) -> str:
    """A URL as a message may show it: SWML lets a URL carry username:password@, which is a secret."""
    scheme, _, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    return f"{scheme}://{host.rpartition('@')[2]}{slash}{path}"
