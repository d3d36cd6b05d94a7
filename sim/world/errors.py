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
