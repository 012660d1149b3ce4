"""The ``asynclab`` Typer application, its exit codes and its one output channel.

Each command module (``_load``, ``_bench``, ``_run``, ``_probe``, ``_check``) adds its
commands to ``app``: options → a spec → a call into its layer → an exit code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from asynclab import __version__
from asynclab.errors import UsageError

EXIT_THRESHOLD = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

app = typer.Typer(
    name="asynclab",
    help="Measure whether async actually helps a Django app, and where it hurts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class Output:
    """Where a command writes: results to stdout, progress and messages to stderr.

    Every line goes through rich without markup or highlighting (texts quote source lines,
    where "[i]" would be read as a style); tables use ``stdout``/``stderr`` directly. Off a
    terminal, ``width`` (if given) fixes stdout's width, so that tables in a log keep whole
    columns."""

    def __init__(self, width: int | None = None) -> None:
        probe = Console()
        wide = width is not None and not probe.is_terminal
        self.stdout = Console(width=width) if wide else probe
        self.stderr = Console(stderr=True)

    def say(self, text: str) -> None:
        """A message or progress line, on stderr."""
        self.stderr.print(text, highlight=False, markup=False, soft_wrap=True)

    def result(self, text: str) -> None:
        """A result (a rendered report, JSON), on stdout exactly as given."""
        self.stdout.file.write(text)
        self.stdout.file.flush()


def _version_callback(value: bool) -> None:
    if value:
        Output().result(f"asynclab {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version_callback, is_eager=True, help="Show the version."
        ),
    ] = False,
) -> None:
    """asynclab: sync vs async Django, measured."""


def read_body(body: str | None) -> bytes:
    """``--body``: TEXT, or @FILE to read it from a file."""
    if body is None:
        return b""
    if body.startswith("@"):
        path = Path(body[1:])
        try:
            return path.read_bytes()
        except OSError as exc:
            raise UsageError(f"cannot read --body file {str(path)!r}: {exc.strerror}") from exc
    return body.encode()


def split_assignment(text: str, error: str, value_required: bool = False) -> tuple[str, str]:
    """``name=value`` split at its first "="; ``error`` when there is no name (or no value)."""
    name, sep, value = text.partition("=")
    if not sep or not name or (value_required and not value):
        raise UsageError(error)
    return name, value
