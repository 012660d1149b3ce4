"""The ``asynclab`` command line.

This is the one place that turns asynclab's errors into messages and exit codes: 0 done,
1 a threshold held or a run failed, 2 bad input (one line, no traceback), 130 Ctrl-C. Each
command lives in a module of its own; they are registered on ``app`` here, in order.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

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
        print(f"error: {exc.named(_flag_namer(command, argv))}", file=sys.stderr)
        sys.exit(EXIT_USAGE)
    except AsynclabError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


# Settings whose command-line option has another name than the spec's field.
_OPTION_OF_SETTING = {
    "capacity": "find_capacity",
    "explain": "explain_rule",
    "requests": "requests_file",
}


def _flag_namer(group: Any, argv: list[str] | None) -> Callable[[str], str]:
    """How the command that ran calls each setting: its flag (``duration_s`` is
    ``--duration``), or the setting's own name when that command has no flag for it (a
    setting a lower layer checks for another reason)."""
    args = sys.argv[1:] if argv is None else argv
    commands: dict[str, Any] = getattr(group, "commands", {})  # typer's own click Group
    command = next((commands[a] for a in args if a in commands), None)
    flags: dict[str, str] = {}
    for param in command.params if command is not None else ():
        if param.name is not None:
            flags[param.name] = (
                param.opts[0] if param.opts[0].startswith("-") else param.name.upper()
            )

    def name_of(setting: str) -> str:
        option = _OPTION_OF_SETTING.get(setting, setting)
        for candidate in (
            option,
            option.removesuffix("_s"),
            option.removesuffix("_bytes"),
            option.removesuffix("s"),
        ):
            if candidate in flags:
                return flags[candidate]
        return setting

    return name_of
