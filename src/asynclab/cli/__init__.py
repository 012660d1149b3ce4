"""The ``asynclab`` command line.

This is the one place that turns asynclab's errors into messages and exit codes: 0 done,
1 a threshold held or a run failed, 2 bad input (one line, no traceback), 130 Ctrl-C. Each
command lives in a module of its own; they are registered on ``app`` here, in order.
"""

from __future__ import annotations

import sys

import typer

from asynclab.cli._app import EXIT_INTERRUPTED, EXIT_USAGE, app
from asynclab.cli._bench import bench, scenario_help, serve
from asynclab.cli._check import check
from asynclab.cli._load import load, upstream
from asynclab.cli._probe import probe
from asynclab.cli._run import report, run
from asynclab.errors import AsynclabError, UsageError

__all__ = ["app", "main"]

# The commands, in the order --help lists them.
app.command()(load)
app.command()(upstream)
app.command(epilog="Scenarios:\n\n" + scenario_help())(bench)
app.command()(run)
app.command()(report)
app.command()(probe)
app.command()(check)
app.command()(serve)


def main(argv: list[str] | None = None) -> None:
    command = typer.main.get_command(app)
    try:
        code = command.main(args=argv, prog_name="asynclab", standalone_mode=False)
    except typer.Exit as exc:
        code = exc.exit_code
    except (KeyboardInterrupt, typer.Abort):
        print("interrupted", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
    except typer.TyperException as exc:  # the parser's bad input: unknown option, not a number
        if type(exc).__name__ == "NoArgsIsHelpError":
            sys.exit(0)  # the help was printed already
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        context = getattr(exc, "ctx", None)
        name = f" {context.info_name}" if context is not None and context.parent else ""
        print(f"error: {message} (see 'asynclab{name} --help')", file=sys.stderr)
        sys.exit(EXIT_USAGE)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(EXIT_USAGE)
    except AsynclabError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
