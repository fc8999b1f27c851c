"""Layers, merge, unset and where each resolved value was written (SPEC section 4); the order of the layers comes from inheritance."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import profile_format as fmt
from . import secrets
from .errors import ConfcError, dotted, raise_all, show
from .inheritance import DataOf, Inheritance
from .repository import Repository, SourceFile

KeyPath = tuple[str, ...]
MISSING: Any = object()
LAYER_KEYS = fmt.LAYER_KEYS


@dataclass(frozen=True)
class Layer:
    """One source of values, kept apart until merged so errors and explain can name it."""

    source: SourceFile | None  # None for --set
    base: KeyPath  # where this layer's keys sit inside its file
    data: Mapping[str, Any]
    unset: tuple[KeyPath, ...] = ()
    section: str = ""  # "[env.prod]", "[defaults]", ...: which part of the file

    @property
    def file(self) -> str:
        return self.source.display if self.source else "--set"

    def line(self, path: KeyPath) -> int | None:
        return self.source.lines[self.base + path] if self.source else None

    def error(self, message: str, path: KeyPath, **where: str | None) -> ConfcError:
        return ConfcError(message, file=self.file, line=self.line(path), key=dotted(path), **where)

    def unset_line(self, key: KeyPath) -> int | None:
        """The line of `key` in this layer's unset array, which may span several lines."""
        if self.source is None:
            return None
        start = self.source.lines.exact((*self.base, "unset"))
        if start is None:
            return None
        dotted = ".".join(key)
        for number, text in enumerate(self.source.text.splitlines()[start - 1 :], start=start):
            if f'"{dotted}"' in text or f"'{dotted}'" in text:
                return number
            if "]" in text.split("#", 1)[0]:
                break
        return start


@dataclass(frozen=True)
class Resolution:
    """A profile merged for one environment, before interpolation."""

    profile: str
    env: str
    abstract: bool
    layers: tuple[Layer, ...]
    merged: Mapping[str, Any]

    @functools.cached_property
    def secret_names(self) -> frozenset[str]:
        """The secrets the merged profile references (a reference, or secret.NAME in a {{ }}): found once."""
        # Most profiles have none: a search of each file's bytes spares the walk of every merged value.
        if not any(layer.source is None or b"secret" in layer.source.raw for layer in self.layers):
            return frozenset()
        return frozenset(secrets.names_in(self.merged))

    @functools.cached_property
    def _order(self) -> dict[int, int]:
        return {id(layer): index for index, layer in enumerate(self.layers)}

    def place(self, layer: Layer) -> int:
        """The layer's place in the stack, lowest first (by identity: two layers may hold equal tables)."""
        return self._order[id(layer)]

    def _variable_origin(self, layer: Layer, path: KeyPath) -> tuple[str, Layer] | None:
        """The one variable whose value a {{ }} at `path` in `layer` took, and the layer that set it."""
        name = variable_of(lookup(layer.data, path)) if path[0] != "vars" else None
        origin = self.setter(("vars", name)) if name else None
        return (name, origin) if name and origin else None

    def setter(self, path: KeyPath) -> Layer | None:
        """The last layer that set `path`, or else its nearest ancestor."""
        for size in range(len(path), 0, -1):
            for layer in reversed(self.layers):
                if lookup(layer.data, path[:size]) is not MISSING:
                    return layer
        return None

    def error(self, message: str, path: KeyPath, *, from_variable: bool = False) -> ConfcError:
        """An error about the resolved value at `path`, located where it was written.

        With `from_variable`, a bad value that a `{{ }}` took from one variable is blamed on the
        line that set the variable, the place to edit, naming the line that uses it second.
        """
        layer = self.setter(path)
        where = {"profile": self.profile, "env": self.env, "key": dotted(path)}
        if layer is None:
            profile = self.layers[-1]
            return ConfcError(message, file=profile.file, line=profile.line(path), **where)
        written = lookup(layer.data, path)
        found = self._variable_origin(layer, path) if from_variable else None
        if found is None:
            return ConfcError(message, file=layer.file, line=layer.line(path), **where)
        name, origin = found
        use = f"{layer.file}:{layer.line(path)}" if layer.line(path) else layer.file
        # Without the rendered value, which differs per profile, the one mistake reads alike everywhere.
        said = _GOT.sub("", message)
        return ConfcError(
            f"{dotted(path)} {said}: it comes from this variable, used in {show(written)} at {use}",
            file=origin.file,
            line=origin.line(("vars", name)),
            key=dotted(("vars", name)),
            profile=self.profile,
            env=self.env,
        )

    def above(self, path: KeyPath, other: KeyPath) -> bool:
        """Whether a later layer set `path` than the one that set `other`."""
        one, two = self.setter(path), self.setter(other)
        return one is not None and two is not None and self.place(one) > self.place(two)

    def unset_place(self, path: KeyPath) -> str:
        """Where an unset beside `path` goes: its layer's [env.NAME] or top level ('' for --set, which has none)."""
        layer = self.setter(path)
        if layer is None or layer.source is None:
            return ""
        return layer.section or f"the top level of {layer.file}"

    def written_at(self, path: KeyPath) -> str:
        """' (at FILE:LINE)' of the layer that set `path`, to name a second place in a message; '' where unknown."""
        layer = self.setter(path)
        line = layer.line(path) if layer else None
        if not (layer and line):
            return ""
        # A value a {{ }} took from one variable is changed where the variable is set: name that place too.
        found = self._variable_origin(layer, path)
        from_line = found[1].line(("vars", found[0])) if found else None
        if found and from_line:
            return f" (at {layer.file}:{line}, from vars.{found[0]} at {found[1].file}:{from_line})"
        return f" (at {layer.file}:{line})"

    def clash(self, path: KeyPath, keys: Sequence[str]) -> str:
        """Why the table at `path` holds `keys` that exclude each other, when layers set them apart: tables merge
        key by key, so what the lower layer set stays beneath the later one until that one unsets it."""
        found = [(layer, key) for key in keys if (layer := self.setter((*path, key))) is not None]
        found.sort(key=lambda setter: self.place(setter[0]))
        if len({id(layer) for layer, _ in found}) < 2:
            return ""
        (_, below), (last, _) = found[0], found[-1]
        where = " and ".join(f"{key} from {layer.file}:{layer.line((*path, key))}" for layer, key in found)
        told = f": it has {where}, as tables merge key by key"
        if last.source is None:  # --set has no unset
            return told
        table = last.section or f"the top level of {last.file}"
        return f"{told}; to replace {below}, add unset = [{show(dotted((*path, below)))}] to {table}"

    def unset_of(self, path: KeyPath) -> tuple[Layer, KeyPath] | None:
        """The last layer whose `unset` removed `path` (set beneath it), and the key it unsets."""
        for index in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[index]
            removed = [key for key in layer.unset if path[: len(key)] == key]
            if removed and any(lookup(below.data, path) is not MISSING for below in self.layers[:index]):
                return layer, removed[-1]
        return None

    def unset_note(self, path: KeyPath, needs: Sequence[str]) -> str:
        """' (FILE:LINE unsets KEY)' when a layer unset a key that the key at `path` needs beside it (for a
        role's join, beside it in the role's table or the shared conference): why it is not there."""
        *table, _ = path
        paths = [(*table, need) for need in needs]
        if table[:1] == ["roles"] and table[2:3] == ["conference"]:
            paths += [("conference", *table[3:], need) for need in needs]
        for needed in paths:
            unset = self.unset_of(needed)
            if unset is not None:
                layer, key = unset
                at = f"{layer.file}:{layer.unset_line(key)}" if layer.unset_line(key) else layer.file
                return f" ({at} unsets {dotted(key)}{' in ' + layer.section if layer.section else ''})"
        return ""

    def emptied(self, message: str, path: KeyPath, keys: Sequence[str]) -> ConfcError | None:
        """An error about the table at `path`, which needs one of `keys`, at the `unset` that removed one of them
        (in every profile that inherits the unset, the place to fix); None when no unset did."""
        unset = next(filter(None, (self.unset_of((*path, key)) for key in keys)), None)
        if unset is None:
            return None
        layer, key = unset
        where = {"profile": self.profile, "env": self.env, "key": dotted(path)}
        told = f"{message}, but {layer.section or 'this file'} unsets {dotted(key)}"
        return ConfcError(told, file=layer.file, line=layer.unset_line(key), **where)

    def missing(self, message: str, path: KeyPath) -> ConfcError:
        """An error about a value that ended up unset: at the `unset` that removed it, else in the profile's own file."""
        where = {"profile": self.profile, "env": self.env, "key": dotted(path)}
        unset = self.unset_of(path)
        if unset is not None:
            layer, key = unset
            return ConfcError(message, file=layer.file, line=layer.unset_line(key), **where)
        own = f"profiles/{self.profile}.toml"
        # The profile's own top level: where a key that every environment needs is added.
        mine = [layer for layer in self.layers if layer.source is not None and layer.source.rel == own]
        layer = next((layer for layer in mine if not layer.base), mine[-1])
        return ConfcError(message, file=layer.file, line=layer.line(path[:-1]) if path[:-1] else None, **where)


_GOT = re.compile(r', got ("(?:[^"\\]|\\.)*"|[^ ()]+)')
_VARIABLE = re.compile(r"\b(env\.)?vars\.([A-Za-z_][A-Za-z0-9_]*)\b")


def variables_named(text: str) -> list[tuple[str, str]]:
    """Each variable a `{{ }}` names as vars.NAME or env.vars.NAME, as ("env." or "", NAME), in order; one picked
    by a computed key is not named."""
    return _VARIABLE.findall(text)


def variable_of(written: Any) -> str | None:
    """The one variable a `{{ }}` string reads (`vars.NAME`), if it reads exactly one."""
    if not isinstance(written, str) or "{{" not in written:
        return None
    names = {name for _, name in variables_named(written)}
    return names.pop() if len(names) == 1 else None


def lookup(data: Mapping[str, Any], path: KeyPath) -> Any:
    value: Any = data
    for part in path:
        if not isinstance(value, Mapping) or part not in value:
            return MISSING
        value = value[part]
    return value


def _layer(source: SourceFile, base: KeyPath, table: Mapping[str, Any], section: str = "") -> Layer:
    unset = tuple(tuple(key.split(".")) for key in table.get("unset", ()) if isinstance(key, str))
    data = {key: table[key] for key in LAYER_KEYS if key in table}
    return Layer(source=source, base=base, data=data, unset=unset, section=section)


class Resolver:
    """Builds the layer stack of any profile in any environment, sharing work between them."""

    def __init__(self, repo: Repository, data: DataOf, override: Layer | None = None) -> None:
        """`override`: the topmost layer, from --set (see overrides.layer)."""
        self.repo = repo
        self.data = data
        self.inheritance = Inheritance(repo, data)
        self._override = override
        self._layers: dict[tuple[str, str], tuple[Layer, ...]] = {}

    def env_layers(self, env: str) -> tuple[Layer, ...]:
        if (key := ("", env)) not in self._layers:
            source = self.repo.environments[env]
            data = self.data(source) or {}
            self._layers[key] = (
                Layer(source, (), {"vars": data.get("vars", {})}, section="[vars]"),
                Layer(source, ("defaults",), dict(data.get("defaults", {})), section="[defaults]"),
            )
        return self._layers[key]

    def profile_layers(self, profile: str, env: str) -> tuple[Layer, ...]:
        """A profile's own contribution in `env`: its top level, then its [env.ENV] table."""
        if (key := (profile, env)) not in self._layers:
            source = self.repo.profiles[profile]
            data = self.data(source) or {}
            own = [_layer(source, (), data)]
            table = data.get("env", {}).get(env)
            if table is not None:
                own.append(_layer(source, ("env", env), table, f"[env.{env}]"))
            self._layers[key] = tuple(own)
        return self._layers[key]

    def inherited(self, profile: str) -> dict[str, Any]:
        """`profile` as its own file and its ancestors' top levels make it, before any environment
        (no [defaults], no [env.NAME], no --set); a clash keeps what lies beneath."""
        sources = [self.repo.profiles[ancestor] for ancestor in self.inheritance.order(profile)]
        return merge([_layer(source, (), self.data(source) or {}) for source in sources], [])

    def layers(self, profile: str, env: str) -> tuple[Layer, ...]:
        stack = list(self.env_layers(env))
        for ancestor in self.inheritance.order(profile):
            stack.extend(self.profile_layers(ancestor, env))
        if self._override is not None:
            stack.append(self._override)
        return tuple(stack)

    def resolve(self, profile: str, env: str, errors: list[ConfcError] | None = None) -> Resolution:
        """The layers of `profile` in `env`, merged; merge problems go to `errors` (raised when it is None)."""
        layers = self.layers(profile, env)
        found: list[ConfcError] = []
        merged = merge(layers, found, profile=profile, env=env)
        if errors is None:
            raise_all(found)
        else:
            errors += found
        merged.setdefault("template", fmt.DEFAULT_TEMPLATE)
        return Resolution(
            profile=profile,
            env=env,
            abstract=(self.data(self.repo.profiles[profile]) or {}).get("abstract") is True,
            layers=layers,
            merged=merged,
        )


def merge(layers: Sequence[Layer], errors: list[ConfcError], **where: str) -> dict[str, Any]:
    """Apply each layer's unset, then its values, lowest layer first; a clash keeps what lies beneath."""
    result: dict[str, Any] = {}
    for layer in layers:
        for path in layer.unset:
            _remove(result, path)
        _merge_into(result, layer.data, layer, (), errors, where)
    return result


def _merge_into(
    below: dict[str, Any],
    above: Mapping[str, Any],
    layer: Layer,
    path: KeyPath,
    errors: list[ConfcError],
    where: Mapping[str, str],
) -> None:
    for key, value in above.items():
        current = below.get(key, MISSING)
        here = (*path, key)
        # A secret reference is written as a table but stands for one value: it replaces, and is replaced, whole
        # (a literal PIN in dev, a secret in prod).
        if isinstance(value, Mapping) and not secrets.is_reference(value):
            if current is MISSING:
                below[key] = _copy_tables(value)
            elif isinstance(current, dict) and not secrets.is_reference(current):
                _merge_into(current, value, layer, here, errors, where)
            else:
                errors.append(
                    layer.error(f"a table cannot replace the value {show(current)} set below; unset it first", here, **where)
                )
        elif isinstance(current, dict) and not secrets.is_reference(current):
            errors.append(layer.error(f"{show(value)} cannot replace a table set below; unset it first", here, **where))
        else:
            below[key] = value  # arrays, scalars and references replace; they are never mutated later


def _copy_tables(value: Mapping[str, Any]) -> dict[str, Any]:
    # Later layers merge into these tables, so they must not be the layer's own.
    return {k: _copy_tables(v) if isinstance(v, Mapping) else v for k, v in value.items()}


def _remove(data: dict[str, Any], path: KeyPath) -> None:
    *parents, last = path
    table: Any = lookup(data, tuple(parents))
    if isinstance(table, dict):
        table.pop(last, None)


def touches(layer: Layer, path: KeyPath) -> Iterator[tuple[str, KeyPath, Any]]:
    """What a layer did to `path` or anything under it: ("unset", key, None) and ("set", key, value)."""
    for key in layer.unset:
        if key[: len(path)] == path or path[: len(key)] == key:
            yield "unset", key, None
    value = lookup(layer.data, path)
    if value is not MISSING:
        yield "set", path, value
