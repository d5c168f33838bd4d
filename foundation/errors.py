"""The one exception family users see: a plain-English message saying what to fix, never a traceback."""

from __future__ import annotations


class HubReturnsError(Exception):
    """A problem a data officer can fix, with the file, row, column and rule where they are known."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        rule: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.row = row
        self.column = column
        self.rule = rule

    def __reduce__(self) -> tuple[object, ...]:
        # Raised in a worker process (writing school reports), it reaches the run whole, place included.
        where = {"file": self.file, "row": self.row, "column": self.column, "rule": self.rule}
        return (_rebuilt, (type(self), self.message, where))

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(f"file {self.file}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        prefix = f"{', '.join(where)}: " if where else ""
        return prefix + self.message


class ConfigError(HubReturnsError):
    """The hub configuration or a command-line option is wrong."""


class InputFileError(HubReturnsError):
    """An input file cannot be read at all (missing, empty, binary, wrong sheet, required column absent)."""


class ValidationFailed(HubReturnsError):
    """A strict run found rows that break the rules; nothing was published."""


class RunRefused(HubReturnsError):
    """The run cannot start safely (no pseudonymisation key, another run of the same hub in progress)."""


def _rebuilt(cls: type[HubReturnsError], message: str, where: dict[str, object]) -> HubReturnsError:
    """An error as it was before it crossed to another process."""
    return cls(message, **where)  # type: ignore[arg-type]
