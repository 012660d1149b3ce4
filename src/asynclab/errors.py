"""The errors asynclab raises on purpose.

Every layer raises these instead of printing and exiting, so that the CLI is the one place that
turns them into a one-line message and an exit code.
"""


class AsynclabError(Exception):
    """Base class of every error asynclab raises on purpose."""


class UsageError(AsynclabError):
    """Bad input from the user.

    The message is one line that names the problem and how to fix it; the CLI prints it and exits
    with code 2, without a traceback.
    """


class ProcessStartError(AsynclabError):
    """A process asynclab launched (a server, the simulator) died or never became ready."""
