"""The command line: parse, dispatch, and map every outcome to an exit code."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from . import __version__

EXAMPLES = {
    "build": """examples:
  confc build configs --env prod
  confc build configs --all-envs --format json --out dist
  confc build configs --env dev --set conference.max_participants=5""",
    "check": """examples:
  confc check configs --all-envs        # exit 1 and a diff when build/ is stale""",
    "validate": """examples:
  confc validate configs                # every environment
  confc validate configs --env prod
  confc validate configs --error-format github   # annotations in a GitHub Actions log""",
    "show": """examples:
  confc show configs support/agent --env prod
  confc show configs support/agent --env prod --format json
  confc show configs support/agent --env prod --swml""",
    "explain": """examples:
  confc explain configs standup conference.max_participants --env prod
  confc explain configs support/customer conference --env dev
  confc explain configs all-hands roles.host.pin --env prod --format json""",
    "simulate": """examples:
  confc simulate configs all-hands --env prod --digits 908172          # the host
  confc simulate configs all-hands --env prod --digits 1 --digits 2 --digits 3
  confc simulate configs incident --env prod --result failed --format json
  confc simulate configs all-hands --env prod --digits 4455 --require-join   # exit 1 unless it joins
  confc simulate configs all-hands --env prod --from +15551230001        # a host by number""",
    "list": """examples:
  confc list configs
  confc list configs --format json""",
    "graph": """examples:
  confc graph configs > profiles.mmd          # paste into Markdown as a mermaid code block
  confc graph configs --format dot | dot -Tsvg > profiles.svg
  confc graph configs --flow all-hands --env prod             # the call flow: PINs, roles, joins""",
    "schema": """examples:
  confc schema profile > profile.schema.json
  confc schema environment > environment.schema.json""",
    "plan": """examples:
  confc plan configs --env prod                       # exit 1 when the space would change
  confc plan configs --env prod --format markdown > plan.md   # for a pull-request comment
  confc plan configs --env prod --prune --format json""",
    "apply": """examples:
  confc apply configs --env prod                      # shows the plan, then asks
  confc apply configs --env prod --yes                # in CI, after merging to main
  confc apply configs --env prod --prune --force --yes""",
    "test": """examples:
  confc test configs                          # every case in every environment
  confc test configs --env prod -k host --format junit > confc-tests.xml
  confc test configs --artifacts build        # prove what ships: the committed artifacts
  confc test configs --update                 # record the snapshot cases""",
    "init": """examples:
  confc init conferences && confc build conferences/configs --all-envs""",
}
EXIT_CODES = "exit codes: 0 success, 1 invalid input or stale artifacts, 2 usage error"
DEPLOY_EXIT_CODES = (
    "exit codes: 0 nothing to change (plan) or done (apply), 1 changes to make (plan), invalid input, stale artifacts "
    "or a refused document, 2 usage error, 3 SignalWire could not be reached or refused the request"
)
ROOT_EXIT_CODES = (
    "exit codes: 0 success, 1 invalid input, stale artifacts or changes to make, 2 usage error, "
    "3 SignalWire could not be reached or refused the request (plan, apply)"
)
CREDENTIALS = "SignalWire credentials come only from SIGNALWIRE_PROJECT_ID and SIGNALWIRE_API_TOKEN; SIGNALWIRE_SPACE overrides [deploy] space."


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"confc: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def _path(text: str) -> str:
    """A path argument: an empty one would name the current folder while messages show it as "" or "/"."""
    if not text:
        raise argparse.ArgumentTypeError("an empty path names nothing; write . for the current folder")
    return text


def _common(parser: argparse.ArgumentParser, *, many_envs: bool = True) -> None:
    parser.add_argument(
        "config_dir", type=_path, metavar="CONFIG_DIR", help="the profile repository (holds profiles/ and environments/)"
    )
    if many_envs:
        parser.add_argument("--env", action="append", metavar="ENV", help="an environment to use (repeatable)")


def _output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--all-envs", action="store_true", help="use every environment")
    parser.add_argument(
        "--out", type=_path, metavar="DIR", help="output folder (default: build/ beside CONFIG_DIR, or [build] out in confc.toml)"
    )
    parser.add_argument("--format", choices=("yaml", "json"), help="artifact format (default: yaml, or [build] format)")
    _overrides(parser)


def _overrides(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        help="override a key above every layer; VALUE is read as TOML, else as a string (repeatable)",
    )


def _strict(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--strict",
        action="store_true",
        help="every warning is an error (as [build] strict = true in confc.toml or an environment)",
    )


def _error_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--error-format",
        choices=("text", "github", "json"),
        default="text",
        help="text (default, on stderr); github: GitHub Actions annotations on stdout; json: one object per line on stdout",
    )


def _deploy(parser: argparse.ArgumentParser) -> None:
    _common(parser, many_envs=False)
    parser.add_argument("--env", required=True, metavar="ENV", help="the environment to deploy; its [deploy] table says where")
    parser.add_argument(
        "--out",
        type=_path,
        metavar="DIR",
        help="where the committed artifacts are (default: build/ beside CONFIG_DIR, or [build] out)",
    )
    parser.add_argument(
        "--prune", action="store_true", help="delete this prefix's scripts whose profile is gone, unless a number routes to them"
    )
    parser.add_argument(
        "--secrets",
        type=_path,
        metavar="FILE",
        help='a TOML file of NAME = "VALUE" for the secret PINs (default: the environment variables of those names)',
    )


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


def _jobs(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--jobs",
        type=_positive,
        metavar="N",
        help="compile in N processes (default: every core, once each has enough profiles to pay for its start; 1 for one)",
    )


def parser() -> argparse.ArgumentParser:
    root = _Parser(
        prog="confc",
        description="Compile TOML conference profiles into SignalWire SWML documents, and deploy them.",
        epilog=ROOT_EXIT_CODES,
    )
    root.add_argument("--version", action="version", version=f"confc {__version__}")
    commands = root.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser, required=True)

    def command(name: str, summary: str, codes: str = EXIT_CODES) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name,
            help=summary,
            description=summary,
            epilog=f"{EXAMPLES[name]}\n\n{codes}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.set_defaults(command=name)
        return sub

    _common(build := command("build", "Compile profiles into SWML artifacts under OUT/ENV."))
    _output(build)
    _jobs(build)
    build.add_argument(
        "--no-cache",
        action="store_true",
        help="compile every profile, reusing nothing the last build recorded (after upgrading Jinja2, PyYAML or Cerberus)",
    )
    _strict(build)
    _error_format(build)
    _common(check := command("check", "Exit 1 with a diff when the artifacts under OUT are not current."))
    _output(check)
    _jobs(check)
    check.add_argument(
        "--no-cache",
        action="store_true",
        help="compile every profile, trusting no artifact its manifest vouches for (the full proof)",
    )
    _strict(check)
    _error_format(check)
    _common(
        validate := command(
            "validate", "Resolve, validate and render every profile (every environment by default); write nothing."
        )
    )
    validate.add_argument("--all-envs", action="store_true", help="every environment (the default without --env)")
    _jobs(validate)
    _strict(validate)
    _error_format(validate)

    show = command("show", "Print a profile as resolved for one environment, or its SWML document.")
    _common(show, many_envs=False)
    show.add_argument("profile", metavar="PROFILE", help="a profile id, such as support/agent")
    show.add_argument("--env", required=True, metavar="ENV", help="the environment to resolve the profile for")
    show.add_argument("--swml", action="store_true", help="print the rendered SWML document, exactly as build writes it")
    show.add_argument("--format", choices=("toml", "yaml", "json"), help="default: toml, or yaml with --swml")
    _overrides(show)

    explain = command("explain", "Show every layer that set or unset KEY, lowest first, and the final value.")
    _common(explain, many_envs=False)
    explain.add_argument("profile", metavar="PROFILE", help="a profile id, such as support/agent")
    explain.add_argument("key", metavar="KEY", help="a dotted key, such as conference.max_participants or conference")
    explain.add_argument("--env", required=True, metavar="ENV", help="the environment whose layers to trace")
    explain.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or one JSON object")
    _overrides(explain)

    simulate = command(
        "simulate", "Run a profile's SWML document as a caller would: each step, each conference joined, how the call ends."
    )
    _common(simulate, many_envs=False)
    simulate.add_argument("profile", metavar="PROFILE", help="a profile id, such as all-hands")
    simulate.add_argument("--env", required=True, metavar="ENV", help="the environment whose document to run")
    simulate.add_argument(
        "--digits",
        action="append",
        metavar="DIGITS",
        help="what the caller enters at the next prompt, such as 908172# (repeatable)",
    )
    simulate.add_argument(
        "--from",
        dest="caller",
        metavar="NUMBER",
        help="the caller's number, as call.from carries it, such as +15551230001 (default: withheld, which no listed number matches)",
    )
    simulate.add_argument(
        "--result",
        choices=("completed", "answered", "no-answer", "failed", "canceled"),
        help="how the conference ends, so its result runs",
    )
    simulate.add_argument(
        "--format", choices=("text", "json"), default="text", help="text (default): one line a step; json: steps, joins, end"
    )
    simulate.add_argument(
        "--secret",
        action="append",
        metavar="NAME=DIGITS",
        help="a test value for a secret PIN (repeatable); without one, the caller enters its placeholder",
    )
    simulate.add_argument(
        "--require-join",
        action="store_true",
        help="exit 1 when the call joins no conference (for scripts; without it, exit 0 whatever the call did)",
    )
    _overrides(simulate)

    listing = command("list", "List every profile with its parents, and the environments.")
    _common(listing, many_envs=False)
    listing.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or one JSON object")
    graph = command("graph", "Print the inheritance graph: an edge from each parent to each child, abstract profiles apart.")
    _common(graph, many_envs=False)
    graph.add_argument("--flow", metavar="PROFILE", help="draw PROFILE's call flow (its SWML document) instead of inheritance")
    graph.add_argument("--env", metavar="ENV", help="with --flow: the environment whose document to draw")
    graph.add_argument(
        "--format", choices=("mermaid", "dot"), default="mermaid", help="mermaid (default, for Markdown) or Graphviz dot"
    )
    plan = command(
        "plan",
        "Show what apply would change on the environment's SignalWire space (scripts and number routes); change nothing.",
        f"{CREDENTIALS}\n\n{DEPLOY_EXIT_CODES}",
    )
    _deploy(plan)
    plan.add_argument(
        "--format",
        choices=("text", "json", "markdown"),
        default="text",
        help="text (default), json, or markdown for a pull-request comment",
    )
    plan.add_argument("--show-secrets", action="store_true", help="show authorization_bearer_token values instead of ***")
    apply = command(
        "apply",
        "Carry out the plan on the environment's SignalWire space: create and update scripts, route numbers.",
        f"{CREDENTIALS}\n\n{DEPLOY_EXIT_CODES}",
    )
    _deploy(apply)
    apply.add_argument(
        "--force", action="store_true", help="reroute numbers that route now to something other than this prefix's scripts"
    )
    apply.add_argument("--yes", action="store_true", help="do not ask for confirmation (needed without a terminal)")
    test = command("test", "Run the call-path tests of CONFIG_DIR/tests/**/*.toml; exit 1 when any case fails.")
    _common(test)
    test.add_argument("--all-envs", action="store_true", help="every environment (the default without --env)")
    test.add_argument("-k", metavar="PATTERN", help="only the cases whose name contains PATTERN (or matches it as a glob)")
    test.add_argument(
        "--format",
        choices=("text", "github", "json", "junit"),
        default="text",
        help="text (default); github: annotations at the case's line; json: one object a case; junit: JUnit XML for CI",
    )
    test.add_argument("--artifacts", type=_path, metavar="OUT", help="run the committed artifacts under OUT instead of compiling")
    test.add_argument("--update", action="store_true", help="write the observed calls into the cases that say snapshot = true")
    schema = command("schema", "Print the JSON Schema of profile or environment files, for editors such as Taplo.")
    schema.add_argument("kind", choices=("profile", "environment"), help="which file format")
    init = command(
        "init",
        "Write a starter profile repository into DIR: configs/ (base, support, standup, a PIN-gated all-hands; dev, staging, prod), pre-commit hooks, a CI workflow, a README.",
    )
    init.add_argument(
        "dir",
        type=_path,
        metavar="DIR",
        help="the repository's root (its CONFIG_DIR is DIR/configs); no existing file is ever overwritten",
    )
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Run confc; return the exit code (0 ok, 1 invalid input or drift, 2 usage)."""
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else 0
    from .commands.common import reporter
    from .errors import ConfcError

    try:
        module = importlib.import_module(f".commands.{args.command}", __package__)
        return int(module.run(args))
    except ConfcError as error:
        if error.exit_code == 2:
            for problem in error.diagnostics:  # several usage errors at once (--set): each one a line of its own
                print(f"confc: error: {problem}", file=sys.stderr)
        else:
            reporter(args).error(error)
        return error.exit_code
    except KeyboardInterrupt:
        print("confc: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
    except Exception as exc:  # noqa: BLE001 - the one boundary where a bug becomes a report, not a traceback
        from .crash import report

        where = report(exc, sys.argv[1:] if argv is None else argv)
        print(f"confc: internal error ({type(exc).__name__}: {exc}); {where}: please report it with that", file=sys.stderr)
        return 70


if __name__ == "__main__":
    raise SystemExit(main())
