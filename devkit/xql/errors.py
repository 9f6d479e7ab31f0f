"""Error and warning types shared by the XQL tokenizer, parser and evaluator."""

from __future__ import annotations

from dataclasses import dataclass


class XqlError(Exception):
    """Base class of every error the evaluator raises."""


class XqlSyntaxError(XqlError):
    """A rule file that does not parse, or names an unknown function, rule, constant or stage.

    ``str(err)`` is ``file:line:col: message`` so editors can jump to the spot.
    """

    def __init__(self, message: str, filename: str = "<string>", line: int = 0, column: int = 0) -> None:
        self.message = message
        self.filename = filename
        self.line = line
        self.column = column
        super().__init__(f"{filename}:{line}:{column}: {message}")


class XqlRuntimeError(XqlError):
    """Raised by a function on bad input; the evaluator turns it into a warning and a NULL result."""


@dataclass(frozen=True)
class XqlWarning:
    """Something suspicious that does not stop evaluation (overlapping statements, type errors...)."""

    message: str
    filename: str = "<string>"
    line: int = 0
    column: int = 0
    code: str = "warning"

    def __str__(self) -> str:
        return f"{self.filename}:{self.line}:{self.column}: warning: {self.message}"
