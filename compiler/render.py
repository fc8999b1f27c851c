"""The template environment, the `yaml` filter, and the check of every rendered document."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any

import jinja2
import jinja2.meta
import yaml

from .document import Document
from .errors import ConfcError, did_you_mean, show
from .files import read_bytes
from .memo import fingerprint
from .repository import ANY_TEMPLATE, Repository, builtin_templates
from .sandbox import UNDEFINED_NAME_TAIL, Deadline, Timeout, describe, environment, join_bounded, kind
from .yamlload import Remembered, parse_document

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


# Plain (unquoted) scalars only where no YAML 1.1 or 1.2 reader could take them for
# anything but this exact string; everything else is double-quoted.
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-/:@%+=?&~,]*\Z")
_KEYWORDS = frozenset(["y", "n", "yes", "no", "true", "false", "on", "off", "null", "nan", "inf"])


class _SwmlDumper(_Dumper):  # type: ignore[misc,valid-type]
    def ignore_aliases(self, data: Any) -> bool:
        return True  # a value shared by two layers is still written out twice, never as &anchor


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    plain = _PLAIN.match(text) and not text.endswith(":") and text.lower() not in _KEYWORDS
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=None if plain else '"')


_SwmlDumper.add_representer(str, _represent_str)


def to_yaml(value: Any, indent: int = 0, *, entries: dict[tuple[str, str, int], str] | None = None) -> str:
    """Any value as safe YAML; lines after the first are indented by `indent` spaces.

    `entries` remembers each distinct value and entry of a mapping written, for a renderer that writes many.
    """
    if not isinstance(indent, int) or isinstance(indent, bool) or indent < 0:
        raise TypeError(f"the yaml filter's indent is a number of spaces, such as yaml(8), not {show(indent)}")
    if isinstance(value, Mapping) and value:
        # A block mapping is its entries one after another: dump each distinct entry once.
        return ("\n" + " " * indent).join(_remembered(key, item, indent, entries) for key, item in value.items())
    return _remembered(_LONE, value, indent, entries)


_LONE: Any = object()  # the key of a value written on its own, not as an entry of a mapping


def _remembered(key: Any, value: Any, indent: int, entries: dict[tuple[str, str, int], str] | None) -> str:
    """`value`, as the entry `key` (or _LONE), dumped once per distinct key, value and indent in `entries`."""
    data = value if key is _LONE else {key: value}
    if entries is None:
        return _dump(data, indent)
    memo = ("" if key is _LONE else fingerprint(key), fingerprint(value), indent)  # a key's fingerprint is never ""
    text = entries.get(memo)
    if text is None:
        text = entries[memo] = _dump(data, indent)
    return text


def _dump(value: Any, indent: int) -> str:
    try:
        text: str = yaml.dump(
            value,
            Dumper=_SwmlDumper,
            default_flow_style=False,
            sort_keys=False,
            allow_unicode=True,
            width=2**30,  # never fold a line: one value, one line
        )
    except yaml.representer.RepresenterError as exc:
        culprit = exc.args[1] if len(exc.args) > 1 else None
        if isinstance(culprit, jinja2.Undefined):
            culprit._fail_with_undefined_error()  # the undefined name's own message
        raise TypeError(f"the yaml filter can write data only, not {kind(culprit)}") from None
    if text.endswith("\n...\n"):  # the end marker PyYAML adds after a lone scalar
        text = text[: -len("...\n")]
    return text.rstrip("\n").replace("\n", "\n" + " " * indent)


class Renderer:
    """Renders profiles through their templates; user templates shadow built-ins by name."""

    def __init__(self, repo: Repository) -> None:
        self._repo = repo
        self._builtin = builtin_templates()
        self._jinja = environment(jinja2.FunctionLoader(self._load))
        # What this renderer has written and read once, it looks up: documents share most entries and scalars.
        self._entries: dict[tuple[str, str, int], str] = {}
        self._remembered = Remembered()
        self._jinja.filters["yaml"] = functools.partial(to_yaml, entries=self._entries)
        self.filenames: dict[str, str] = {}  # template name -> how messages and manifests name it
        self._overran: dict[str, tuple[str, str | None, int | None]] = {}
        self._deadline = Deadline()  # a template that ran out of time is not run again
        self._inputs: dict[str, tuple[str, ...]] = {}

    def _load(self, name: str) -> tuple[str, str, Any] | None:
        stem = _stem(name)
        user = self._repo.templates.get(stem)
        if user is not None:
            path = user
            self.filenames[stem] = self._repo.display(f"templates/{stem}.j2")
        elif re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", stem) and (self._builtin / f"{stem}.j2").is_file():
            path = self._builtin / f"{stem}.j2"
            self.filenames[stem] = f"builtin:{stem}.j2"
        else:
            return None
        try:
            text = read_bytes(str(path)).decode("utf-8")
        except UnicodeDecodeError:
            raise ConfcError("cannot read template: not valid UTF-8; save the file as UTF-8", file=self.filenames[stem]) from None
        except OSError as exc:
            raise ConfcError(
                f"cannot read template: {exc.strerror or 'not a readable file'}", file=self.filenames[stem]
            ) from None
        if text.startswith("\ufeff"):  # an editor's byte order mark would reach every artifact, mid-file
            raise ConfcError(
                "starts with a byte order mark; save the file as UTF-8 without a BOM", file=self.filenames[stem], line=1
            )
        return text, self.filenames[stem], lambda: True

    def inputs(self, template: str) -> tuple[str, ...]:
        """The template and every template it may include, import or extend, as manifest inputs.

        Each is named by its CONFIG_DIR-relative path or as builtin:NAME.j2. A template that
        picks another by a computed name may use any of them: it depends on them all, and on
        which there are (ANY_TEMPLATE), since one added may be the one it picks.
        """
        if template not in self._inputs:
            every = self._repo.template_inputs
            seen: list[str] = []
            pending = [template]
            computed = False
            while pending:
                name = pending.pop()
                if name in seen:
                    continue
                seen.append(name)
                for reference in self._references(name):
                    computed = computed or reference is None
                    pending.extend(every if reference is None else [_stem(reference)])
            names = [seen[0], *sorted(set(seen[1:]) - {seen[0]})]
            found = tuple(every.get(name, f"builtin:{name}.j2") for name in names)
            self._inputs[template] = (*found, ANY_TEMPLATE) if computed else found
        return self._inputs[template]

    def _references(self, name: str) -> list[str | None]:
        try:
            source = self._jinja.loader.get_source(self._jinja, name)[0] if self._jinja.loader else ""
            return list(jinja2.meta.find_referenced_templates(self._jinja.parse(source)))
        except (jinja2.TemplateError, ConfcError):
            return []  # a missing or broken template fails, with its own message, when it is rendered

    def render(self, template: str, context: Mapping[str, Any], *, profile: str | None = None, env: str | None = None) -> str:
        """The template's output; every failure is a ConfcError at the template's file and line where known."""
        if template in self._overran:
            message, file, line = self._overran[template]
            raise ConfcError(message, file=file, line=line, profile=profile, env=env)
        try:
            compiled = self._jinja.get_template(template)
            with self._deadline:
                return str(
                    self._deadline.run(join_bounded, compiled.generate(context))
                )  # generate: errors keep their template lines
        except jinja2.TemplateNotFound as exc:
            missing = str(exc.name)
            file, line = self._template_frame(exc.__traceback__)
            if file is None:  # the profile's own `template` names nothing: the caller blames that key
                hint = did_you_mean(template, self._repo.template_inputs)
                raise ConfcError(f"no template named {show(missing)}{hint}", key="template", profile=profile, env=env) from None
            hint = did_you_mean(_stem(missing), self._repo.template_inputs)
            raise ConfcError(
                f"includes a template that does not exist: {show(missing)}{hint}", file=file, line=line, profile=profile, env=env
            ) from None
        except jinja2.TemplateSyntaxError as exc:
            file = exc.filename or self.filenames.get(template)
            raise ConfcError(
                f"template syntax error: {exc.message}", file=file, line=exc.lineno, profile=profile, env=env
            ) from None
        except ConfcError:
            raise
        except Exception as exc:  # noqa: BLE001 - whatever a user template raises is the user's to fix
            file, line = self._template_frame(exc.__traceback__)
            file = file or self.filenames.get(template)
            said = describe(exc)
            if said.endswith(UNDEFINED_NAME_TAIL):  # a name no template gets: say which names a template gets
                missing = said[: -len(UNDEFINED_NAME_TAIL)].removesuffix(" is not defined")
                if missing in context:  # Jinja imports a template without the importer's names
                    said = (
                        f"{missing} is not defined here: an imported template sees only what it is given; import it"
                        ' "with context" ({% import "NAME.j2" as m with context %}) or pass the value as an argument'
                    )
                else:
                    said = f"{missing} is not defined{did_you_mean(missing, context)}; templates see {', '.join(context)}"
            if isinstance(exc, Timeout):  # every other profile would wait as long (said alike whichever ran out first)
                said += "; not run again for the other profiles and environments that use it"
                self._overran[template] = (f"template error: {said}", file, line)
            raise ConfcError(f"template error: {said}", file=file, line=line, profile=profile, env=env) from None

    def parse(self, text: str) -> Any:
        """A document this renderer wrote, as data (see parse_document)."""
        return parse_document(text, self._remembered)

    def line_of(self, template: str, name: str) -> int | None:
        """The first line of the template (not of its includes) that writes the key `name`, if one does."""
        try:
            source = self._jinja.loader.get_source(self._jinja, template)[0] if self._jinja.loader else ""
        except (jinja2.TemplateNotFound, ConfcError):
            return None
        for number, text in enumerate(source.splitlines(), start=1):
            if re.search(rf"(?<![\w-]){re.escape(name)}\s*:", text):
                return number
        return None

    def _template_frame(self, tb: TracebackType | None) -> tuple[str | None, int | None]:
        # Jinja rewrites tracebacks so template frames carry the template's name and line.
        found: tuple[str | None, int | None] = (None, None)
        names = set(self.filenames.values())
        while tb is not None:
            if tb.tb_frame.f_code.co_filename in names:
                found = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
            tb = tb.tb_next
        return found


def _stem(name: str) -> str:
    """A template's name without its .j2: includes may spell it either way."""
    return name[: -len(".j2")] if name.endswith(".j2") else name


def document_problems(document: Document, conference: Mapping[str, Any], heard: Sequence[tuple[str, str]] = ()) -> list[str]:
    """Why a document without roles does not join with exactly `conference`, after playing each of `heard`
    (what it is, its URL) in order."""
    main = document.sections["main"]
    joins = [index for index, method in enumerate(main) if method.name == "join_conference"]
    problems = [
        f"sections.main[{i}].join_conference differs from the resolved conference table"
        for i in joins
        if main[i].params != conference
    ]
    if not joins:
        problems.append("sections.main has no join_conference")
    before = main[: joins[0]] if joins else main
    played = [method.params.get("url") for method in before if method.name == "play" and isinstance(method.params, Mapping)]
    position = 0
    for _, url in heard:
        while position < len(played) and played[position] != url:
            position += 1
        if position == len(played):
            problems.append(f"sections.main does not play {spoken(heard)} before it joins")
            break
        position += 1
    return problems


def spoken(heard: Sequence[tuple[str, str]]) -> str:
    """What a caller should hear, in order, as a message says it: the greeting ("say:Hi"), then ..."""
    return ", then ".join(f"{what} ({show(url)})" for what, url in heard)


def to_json(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
