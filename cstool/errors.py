"""The one error type of cstool and its exit codes.

Every refusal raises :class:`CstoolError` (or a subclass); the CLI turns it into one
sentence on stderr and the matching exit code: 0 done, 1 a check found problems (an
overdue item, an integrity finding), 2 bad input or usage, 3 the desk cannot be used
(not a desk, a malformed file, a lock or git failure). Exit 2 and 3 mean nothing was
written.
"""

from typing import Any

EXIT_OK = 0
EXIT_FINDINGS = 1  # a check found problems
EXIT_USAGE = 2  # bad input or usage; nothing was written
EXIT_DESK = 3  # the desk cannot be used; nothing was written


class CstoolError(Exception):
    """A refusal with a user-facing message and an exit code.

    ``message`` is either a key of the message catalogue (``cstool.messages.LABELS``),
    whose ``{placeholders}`` are filled from the keyword arguments, or a finished sentence.
    A keyed message is put into words when shown (:meth:`text`), in the language of the
    run; :attr:`message` is its English text, for logs.

    A field may itself be a CstoolError or a :class:`cstool.messages.Phrase`: it is put
    into words in the same language. So an error that adds where something went wrong
    to another error keeps the other one whole, e.g.
    ``raise InputError("error.in_row", where=path, row=n, error=exc)``.
    """

    exit_code = EXIT_USAGE

    def __init__(self, message: str, exit_code: int | None = None, **fmt: Any):
        from cstool.messages import LABELS

        self.key = message if message in LABELS else None
        self.fmt = fmt
        self._sentence = message
        self.message = self.text("en")
        super().__init__(self.message)
        if exit_code is not None:
            self.exit_code = exit_code

    def text(self, lang: str) -> str:
        """The message in lang (a finished sentence is the same in every language)."""
        from cstool.messages import label

        if self.key is None:
            return self._sentence
        return label(self.key, lang, **self.fmt)


class InputError(CstoolError):
    """Bad input or usage (exit 2)."""

    exit_code = EXIT_USAGE


class DeskError(CstoolError):
    """The desk cannot be used: not a desk, a malformed file, a lock or git failure (exit 3)."""

    exit_code = EXIT_DESK


class FindingsError(CstoolError):
    """A check ran and found problems (exit 1)."""

    exit_code = EXIT_FINDINGS
