"""The errors asynclab raises on purpose.

Every layer raises these instead of printing and exiting, so that the CLI is the one place that
turns them into a one-line message and an exit code.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# A setting's name inside a message, between two unit separators: a character no flag, path or
# value holds, so rendering the message can never touch anything else.
_SETTING = re.compile("\x1f([a-z_]+)\x1f")


def setting(name: str) -> str:
    """``name``, a spec's field (``duration_s``), marked as a setting in an error message."""
    return f"\x1f{name}\x1f"


class AsynclabError(Exception):
    """Base class of every error asynclab raises on purpose."""


class UsageError(AsynclabError):
    """Bad input from the user.

    The message is one line that names the problem and how to fix it; the CLI prints it and exits
    with code 2, without a traceback.

    The layers below the CLI know settings, not flags: a message names each setting it is about
    with ``setting(name)``. ``str()`` shows the setting's name, for callers of the library;
    the CLI shows the flag the user typed for it (``named``), since only it knows its flags.
    """

    def __str__(self) -> str:
        return self.named(lambda name: name)

    def named(self, name_of: Callable[[str], str]) -> str:
        """The message with each setting shown as ``name_of(setting)``."""
        return _SETTING.sub(lambda found: name_of(found.group(1)), super().__str__())


class ProcessStartError(AsynclabError):
    """A process asynclab launched (a server, the simulator) died or never became ready."""
