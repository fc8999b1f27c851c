"""The command line: parse, dispatch, and map every outcome to an exit code."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from . import __version__

EXAMPLES = {
    "build": "examples:\n  confc build configs --env prod\n  confc build configs --all-envs --format json --out dist",
    "check": "examples:\n  confc check configs --all-envs        # exit 1 and a diff when build/ is stale",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"confc: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def _common(parser: argparse.ArgumentParser, *, many_envs: bool = True) -> None:
    parser.add_argument("config_dir", metavar="CONFIG_DIR", help="the profile repository (holds profiles/ and environments/)")
    if many_envs:
        parser.add_argument("--env", action="append", metavar="ENV", help="an environment to use (repeatable)")


def _output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--all-envs", action="store_true", help="use every environment")
    parser.add_argument("--out", metavar="DIR", help="output folder (default: build/ beside CONFIG_DIR, or [build] out in confc.toml)")
    parser.add_argument("--format", choices=("yaml", "json"), help="artifact format (default: yaml, or [build] format)")
    _overrides(parser)


def _overrides(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        help="override a key above every layer; VALUE is read as TOML, else as a string (repeatable)",
    )


def parser() -> argparse.ArgumentParser:
    root = _Parser(prog="confc", description="Compile TOML conference profiles into SignalWire SWML documents.")
    root.add_argument("--version", action="version", version=f"confc {__version__}")
    commands = root.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser, required=True)

    def command(name: str, summary: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name, help=summary, description=summary, epilog=EXAMPLES.get(name), formatter_class=argparse.RawDescriptionHelpFormatter
        )
        sub.set_defaults(command=name)
        return sub

    _common(build := command("build", "Compile profiles into SWML artifacts under OUT/ENV."))
    _output(build)
    _common(check := command("check", "Exit 1 with a diff when the artifacts under OUT are not current."))
    _output(check)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Run confc; return the exit code (0 ok, 1 invalid input or drift, 2 usage)."""
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else 0
    from .errors import ConfcError

    try:
        module = importlib.import_module(f".commands.{args.command}", __package__)
        return int(module.run(args))
    except ConfcError as error:
        print(f"confc: error: {error}" if error.exit_code == 2 else error, file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("confc: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
    except Exception as exc:  # noqa: BLE001 - the one boundary where a bug becomes a report, not a traceback
        print(f"confc: internal error ({type(exc).__name__}: {exc}); please report it with the command you ran", file=sys.stderr)
        return 70


if __name__ == "__main__":
    raise SystemExit(main())
