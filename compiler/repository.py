"""Find and read a profile repository into plain, frozen records."""

from __future__ import annotations

import codecs
import functools
import hashlib
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfcError, UsageError, dotted, raise_all
from .files import as_lf, kept_by_tools, read_bytes
from .tomllines import KeyLines, key_lines, reworded

PROFILE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9_-]*)*$")
ENV_NAME_PATTERN = "[a-z0-9][a-z0-9_-]*"
ENV_NAME = re.compile(f"^{ENV_NAME_PATTERN}$")


MAX_NESTING = 32  # tables and arrays inside each other: a SWML result needs about eight


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether tables and arrays nest more than `limit` levels (without recursing, whatever the depth)."""
    level: list[Any] = [value]
    for _ in range(limit + 1):
        level = [
            child
            for item in level
            for child in (item.values() if isinstance(item, dict) else item if isinstance(item, list) else ())
        ]
        if not level:
            return False
    return True


def source_digest(raw: bytes) -> str:
    """The sha256 of a source as TOML and Jinja read it, CR LF line endings as LF: a checkout whose git converts
    line endings (core.autocrlf) compiles the same artifacts, so its manifests record the same digests."""
    return hashlib.sha256(as_lf(raw)).hexdigest()


@dataclass(frozen=True)
class SourceFile:
    """One TOML file of the repository: read once, parsed at most once, on first use."""

    rel: str  # CONFIG_DIR-relative, with "/" separators: stable across machines
    display: str  # how messages name it: CONFIG_DIR as the user gave it, joined with rel
    raw: bytes = field(repr=False)

    @functools.cached_property
    def digest(self) -> str:
        return source_digest(self.raw)

    @functools.cached_property
    def text(self) -> str:
        if self.raw.startswith(codecs.BOM_UTF8):  # some editors add one; tomllib's "Invalid statement" would not say so
            raise ConfcError(
                "starts with a byte order mark, which TOML does not allow; save the file as UTF-8 without a BOM",
                file=self.display,
                line=1,
            )
        try:
            return self.raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ConfcError(
                f"not valid UTF-8 (byte 0x{self.raw[exc.start]:02x}); save the file as UTF-8",
                file=self.display,
                line=self.raw[: exc.start].count(b"\n") + 1,
            ) from None

    @functools.cached_property
    def data(self) -> Mapping[str, Any]:
        """The file as tomllib returns it; never mutated. A located ConfcError if it does not parse."""
        try:
            data = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as exc:
            message, line = toml_problem(exc, self.text)
            raise ConfcError(f"invalid TOML: {message}", file=self.display, line=line) from None
        except RecursionError:
            data = None
        if data is None or _deeper_than(data, MAX_NESTING):
            # Every later stage walks values recursively: refuse what no profile needs, once, here.
            raise ConfcError(f"values are nested more than {MAX_NESTING} levels deep; flatten them", file=self.display)
        return data

    @functools.cached_property
    def lines(self) -> KeyLines:
        # Scanning for key lines costs as much as parsing: only errors and explain need it.
        return key_lines(self.text)

    def line(self, *path: str) -> int | None:
        return self.lines[path]

    def error(self, message: str, *path: str, **where: str | None) -> ConfcError:
        """An error located at `path` in this file."""
        key = dotted(path) if path else None
        return ConfcError(message, file=self.display, line=self.lines[path], key=key, **where)


@dataclass(frozen=True)
class Repository:
    root: Path
    display_root: str
    profiles: Mapping[str, SourceFile]
    environments: Mapping[str, SourceFile]
    settings: SourceFile | None
    templates: Mapping[str, Path]  # user template name -> file, from CONFIG_DIR/templates
    # Files found but not read (misnamed, unreadable, a link leading nowhere or outside), when
    # loaded `partial`: build, check and validate report them with every other file's problems.
    unread: tuple[ConfcError, ...] = ()

    def display(self, rel: str) -> str:
        return _join(self.display_root, rel)

    @functools.cached_property
    def _by_rel(self) -> dict[str, SourceFile]:
        return {source.rel: source for source in (*self.profiles.values(), *self.environments.values())}

    def abstract(self, profile: str) -> bool:
        """Whether `profile` is a building block without an artifact of its own (parses its file).

        A file that does not parse counts as concrete: its own error is reported where files are checked.
        """
        try:
            return self.profiles[profile].data.get("abstract", False) is True
        except ConfcError:
            return False

    def source(self, rel: str) -> SourceFile:
        """A profile or environment file by its CONFIG_DIR-relative path."""
        return self._by_rel[rel]

    @functools.cached_property
    def template_inputs(self) -> dict[str, str]:
        """Every template name -> how manifests name it: templates/NAME.j2 shadows builtin:NAME.j2."""
        builtins = {path.stem: f"builtin:{path.name}" for path in builtin_templates().glob("*.j2")}
        return dict(sorted({**builtins, **{name: f"templates/{name}.j2" for name in self.templates}}.items()))

    def template_digests(self) -> dict[str, str]:
        """The sha256 of every template, by its input name; and, as ANY_TEMPLATE, of their names: what a template
        that picks another by a computed name depends on besides each of them (one added may be the one it picks)."""
        digests = {ANY_TEMPLATE: hashlib.sha256("\n".join(self.template_inputs.values()).encode()).hexdigest()}
        for name in self.template_inputs.values():
            try:
                digests[name] = source_digest(read_bytes(str(self.template_path(name))))
            except OSError:
                digests[name] = "unreadable"  # never matches a recorded digest; rendering reports why
        return digests

    def template_path(self, input_name: str) -> Path:
        if input_name.startswith("builtin:"):
            return builtin_templates() / input_name[len("builtin:") :]
        return self.root / input_name


ANY_TEMPLATE = "templates:*"  # the input of an artifact whose template picks another by a computed name


def builtin_templates() -> Path:
    """The built-in templates: inside the package when installed, beside it in a source tree."""
    here = Path(__file__).resolve().parent
    installed = here / "templates"
    return installed if installed.is_dir() else here.parent / "templates"


def _join(root: str, rel: str) -> str:
    return rel if root in ("", ".") else f"{root.rstrip('/')}/{rel}"


def read_source(root: Path, display_root: str, rel: str) -> SourceFile:
    """Read one file (without parsing it); an unreadable file is a located ConfcError."""
    display = _join(display_root, rel)
    try:
        raw = read_bytes(os.path.join(root, rel))
    except OSError as exc:
        raise ConfcError(f"cannot read file: {exc.strerror}", file=display) from None
    return SourceFile(rel=rel, display=display, raw=raw)


def parse_toml(root: Path, display_root: str, rel: str) -> SourceFile:
    """Read and parse one file; every failure is a located ConfcError."""
    source = read_source(root, display_root, rel)
    source.data  # noqa: B018 - parse now, so a broken file fails here
    return source


def toml_problem(exc: tomllib.TOMLDecodeError, text: str) -> tuple[str, int | None]:
    """tomllib's message without its position, and the line it points at."""
    # tomllib appends "(at line L, column C)" to its message; split it off.
    match = re.search(r"\s*\(at line (\d+), column \d+\)$|\s*\(at end of document\)$", str(exc))
    if not match:
        return str(exc), None
    message = str(exc)[: match.start()]
    if not match.group(1):
        return message, len(text.splitlines()) or 1
    line = int(match.group(1))
    return reworded(message, text, line), line


_FOLDERS = ("profiles", "environments", "templates", "tests")  # of a CONFIG_DIR, named for it by mistake


def load(config_dir: str | os.PathLike[str], *, partial: bool = False) -> Repository:
    """Read every file of CONFIG_DIR; raise all unreadable and misnamed files at once, or keep them
    in `unread` when `partial`, so one misnamed file hides no other file's problems.

    Files are parsed on first use: an incremental build parses only what changed, and a file that
    does not parse is reported with the other problems of its kind (see shapes.py). A repository
    without environments is raised even when `partial`: there is nothing to compile for.
    """
    display_root = os.fspath(config_dir)
    root = Path(config_dir)
    if not root.is_dir():
        raise UsageError(f"{display_root}: not a directory (expected a CONFIG_DIR with profiles/ and environments/)")
    real_root = root.resolve()
    parent = real_root.parent
    if real_root.name in _FOLDERS and not (root / "environments").is_dir() and all((parent / n).is_dir() for n in _FOLDERS[:2]):
        above = os.path.normpath(os.path.join(display_root, os.pardir))
        raise UsageError(f"{display_root}: is the {real_root.name}/ folder of a CONFIG_DIR; name the folder above it ({above})")
    errors: list[ConfcError] = []

    def link_problem(path: str) -> str | None:
        """Why a symbolic link cannot be read: a loop, nothing at its end, or a target outside CONFIG_DIR."""
        if not os.path.islink(path):  # only a link can lead out: a plain entry under an inside folder is inside
            return None
        try:
            target = Path(path).resolve(strict=True)
        except RuntimeError:  # Python reports a link that leads back to itself so
            return "symbolic link loop: it leads back to itself; not read"
        except FileNotFoundError:
            return "symbolic link to nothing: its target does not exist; not read"
        except OSError as exc:
            return f"symbolic link cannot be followed ({exc.strerror}); not read"
        return None if target.is_relative_to(real_root) else "symbolic link points outside CONFIG_DIR; not read"

    def files(sub: str, suffix: str) -> list[str]:
        found: list[str] = []
        top = os.path.join(root, sub)
        if not os.path.isdir(top):
            return found
        seen = {os.path.realpath(top)}  # folders reached so far: a link back to one would never end
        for dirpath, dirnames, filenames in os.walk(top, followlinks=True):
            # Paths stay strings here: a repository may hold tens of thousands of files.
            rel_dir = Path(os.path.relpath(dirpath, root)).as_posix()
            kept = []
            for name in sorted(dirnames):
                if kept_by_tools(name, folder=True):  # .git, an editor's folder: nothing in it is the user's to compile
                    continue
                path = os.path.join(dirpath, name)
                shown = _join(display_root, f"{rel_dir}/{name}")
                if problem := link_problem(path):
                    errors.append(ConfcError(problem, file=shown))
                elif os.path.islink(path) and os.path.realpath(path) in seen:
                    errors.append(ConfcError("symbolic link leads back to a folder already read (a loop); not read", file=shown))
                else:
                    seen.add(os.path.realpath(path))
                    kept.append(name)
            dirnames[:] = kept
            for name in sorted(filenames):
                if kept_by_tools(name):  # a .gitkeep, the Finder's .DS_Store, a file open in vim (.x.toml.swp)
                    continue
                rel = f"{rel_dir}/{name}"
                if problem := link_problem(os.path.join(dirpath, name)):
                    errors.append(ConfcError(problem, file=_join(display_root, rel)))
                elif name.endswith(suffix) or sub == "profiles":
                    found.append(rel)
        return found

    profiles: dict[str, SourceFile] = {}
    for rel in files("profiles", ".toml"):
        profile_id = rel[len("profiles/") : -len(".toml")] if rel.endswith(".toml") else ""
        if not PROFILE_ID.match(profile_id):
            errors.append(
                ConfcError(
                    "not a profile file name: profiles are lower-case ids like teams/sales.toml "
                    "(letters a-z, digits, '-' and '_', ending in .toml)",
                    file=_join(display_root, rel),
                )
            )
            continue
        _collect(errors, profiles, profile_id, root, display_root, rel)

    environments: dict[str, SourceFile] = {}
    env_dir = root / "environments"
    for rel in files("environments", ".toml"):
        name = rel[len("environments/") : -len(".toml")]
        if "/" in name or not ENV_NAME.match(name):
            errors.append(
                ConfcError(
                    "not an environment file name: use environments/NAME.toml with NAME in a-z, 0-9, '-', '_'",
                    file=_join(display_root, rel),
                )
            )
            continue
        _collect(errors, environments, name, root, display_root, rel)
    if not env_dir.is_dir() or not (environments or errors):
        errors.append(
            ConfcError(
                "no environments: add at least one file such as environments/dev.toml",
                file=_join(display_root, "environments"),
            )
        )
    if not environments:
        partial = False

    settings = None
    if (root / "confc.toml").is_file() or os.path.islink(root / "confc.toml"):
        try:
            if problem := link_problem(os.path.join(root, "confc.toml")):
                raise ConfcError(problem, file=_join(display_root, "confc.toml"))
            settings = parse_toml(root, display_root, "confc.toml")
        except ConfcError as exc:
            errors.append(exc)

    # Subfolders too: a template may include parts kept in templates/parts/ by their path ("parts/footer.j2").
    templates = {rel[len("templates/") : -len(".j2")]: root / rel for rel in files("templates", ".j2") if rel.endswith(".j2")}
    if not partial:
        raise_all(errors)
    return Repository(
        root=root,
        display_root=display_root,
        profiles=dict(sorted(profiles.items())),
        environments=dict(sorted(environments.items())),
        settings=settings,
        templates=templates,
        unread=tuple(errors),
    )


def _collect(errors: list[ConfcError], into: dict[str, SourceFile], name: str, root: Path, display_root: str, rel: str) -> None:
    try:
        into[name] = read_source(root, display_root, rel)
    except ConfcError as exc:
        errors.append(exc)
