"""An internal error's report: its traceback in a new file of its own, which the message names."""

from __future__ import annotations

import platform
import sys
import tempfile
import traceback
from collections.abc import Sequence

from .version import __version__

# Values that may be PINs: a caller's digits, a secret's test value, a --set of a role's pin.
_REDACTED = ("--digits", "--secret", "--set")


def redacted(argv: Sequence[str]) -> list[str]:
    """`argv` with the value of every option that may carry a PIN replaced by "***"."""
    shown: list[str] = []
    hide_next = False
    for arg in argv:
        name = arg.split("=", 1)[0]
        if hide_next:
            shown.append("***")
        elif name in _REDACTED and "=" in arg:
            shown.append(f"{name}=***")
        else:
            shown.append(arg)
        hide_next = not hide_next and arg in _REDACTED
    return shown


def report(exc: BaseException, argv: Sequence[str]) -> str:
    """Write what a maintainer needs to a new file in the temporary folder; return the sentence that names it.

    The file is created, never reused, so no file of the user's is touched; when even that fails,
    the traceback goes to stderr with the message.
    """
    details = (
        f"confc {__version__}, Python {platform.python_version()}, {platform.platform()}\n"
        f"command: confc {' '.join(redacted(argv))}\n\n" + "".join(traceback.format_exception(exc))
    )
    try:
        with tempfile.NamedTemporaryFile("w", prefix="confc-internal-error-", suffix=".txt", delete=False) as file:
            file.write(details)
    except OSError:
        sys.stderr.write(details)
        return "the traceback is above"
    return f"the traceback is in {file.name}"
