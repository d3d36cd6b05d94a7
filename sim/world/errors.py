"""User-facing errors.

Anything a user can get wrong (a scenario file, a ``--set`` override, a sweep
config) raises :class:`UserError` with a message that names the file, the field
and what was expected.  The CLI prints the message and exits non-zero instead of
showing a traceback.
"""


class UserError(Exception):
    """An error caused by user input; its message is shown as is."""


class ScenarioError(UserError):
    """A scenario file or override is invalid."""


class ParameterError(UserError):
    """An unknown or out-of-range parameter."""


_BREAKS = {code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F, 0x85)} | {0x2028: "\\u2028", 0x2029: "\\u2029"}


def one_line(message: str) -> str:
    """A message as one line: control characters and line breaks in quoted user text shown as escapes."""
    return str(message).translate(_BREAKS)
