"""One root error type; every user-facing failure is a ConfcError."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class ConfcError(Exception):
    """A problem in the user's input, located as precisely as we know it."""

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
        fields = {name: getattr(self, name) for name in ("file", "line", "key", "profile", "env")}
        return _rebuild, (type(self), self.message, fields)

    def located(self, **where: str | None) -> ConfcError:
        """A copy with the blanks filled from `where` (profile, env, ...)."""
        fields = {name: getattr(self, name) for name in ("file", "line", "key", "profile", "env")}
        for name, value in where.items():
            if fields.get(name) is None:
                fields[name] = value
        return type(self)(self.message, **fields)

    @property
    def errors(self) -> list[ConfcError]:
        return [self]

    def sort_key(self) -> tuple[str, int, str, str, str, str]:
        return (
            self.file or "",
            self.line or 0,
            self.key or "",
            self.env or "",
            self.profile or "",
            self.message,
        )

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "") + ": "
        if self.key:
            where += self.key + ": "
        context = [f"profile {self.profile}"] if self.profile else []
        if self.env:
            context.append(f"env {self.env}")
        suffix = f" ({', '.join(context)})" if context else ""
        return f"{where}{self.message}{suffix}"


def _rebuild(kind: type[ConfcError], message: str, fields: dict[str, object]) -> ConfcError:
    return kind(message, **fields)  # type: ignore[arg-type]


class UsageError(ConfcError):
    """The command line itself is wrong: unknown env, profile, flag or directory."""

    exit_code = 2


class ErrorGroup(ConfcError):
    """Several independent problems, reported together and in a stable order."""

    def __init__(self, errors: Iterable[ConfcError]) -> None:
        flat: list[ConfcError] = []
        for error in errors:
            flat.extend(error.errors)
        unique = {str(e): e for e in flat}
        self._errors = sorted(unique.values(), key=ConfcError.sort_key)
        super().__init__("\n".join(str(e) for e in self._errors))
        self.exit_code = max((e.exit_code for e in self._errors), default=1)

    @property
    def errors(self) -> list[ConfcError]:
        return list(self._errors)

    def __str__(self) -> str:
        return self.message


def raise_all(errors: list[ConfcError]) -> None:
    """Raise every collected error at once, or nothing when the list is empty."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ErrorGroup(errors)


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """' (did you mean "x"?)' when a candidate is close to `word`, else ''."""
    close = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


def show(value: object) -> str:
    """A value as a user would write it in TOML: "text", true, 42, ["a", "b"]."""
    import json

    return json.dumps(value, ensure_ascii=False, default=str)
