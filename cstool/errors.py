"""The one error type of cstool and its exit codes.

Every refusal raises :class:`CstoolError` (or a subclass); the CLI turns it into one
sentence on stderr and the matching exit code: 0 done, 1 a check found problems (an
overdue item, an integrity finding), 2 bad input or usage, 3 the desk cannot be used
(not a desk, a malformed file, a lock or git failure). Exit 2 and 3 mean nothing was
written.
"""

EXIT_OK = 0
EXIT_FINDINGS = 1  # a check found problems
EXIT_USAGE = 2  # bad input or usage; nothing was written
EXIT_DESK = 3  # the desk cannot be used; nothing was written


class CstoolError(Exception):
    """A refusal with a user-facing message and an exit code."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, exit_code: int | None = None):
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code


class InputError(CstoolError):
    """Bad input or usage (exit 2)."""

    exit_code = EXIT_USAGE


class DeskError(CstoolError):
    """The desk cannot be used: not a desk, a malformed file, a lock or git failure (exit 3)."""

    exit_code = EXIT_DESK


class FindingsError(CstoolError):
    """A check ran and found problems (exit 1)."""

    exit_code = EXIT_FINDINGS
