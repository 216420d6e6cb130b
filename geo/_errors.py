"""Exceptions raised by BeatMap.

Every error a user can cause is a :class:`BeatMapError`. Validation collects every problem it
finds and raises once, as a :class:`ValidationError` listing them all (file, row, field, what
was expected), so an administrator fixes a file in one pass instead of one error per attempt.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class BeatMapError(Exception):
    """Base class of every BeatMap error meant for the user."""


class InputError(BeatMapError, ValueError):
    """An argument or setting has a value BeatMap cannot use."""


class NotFoundError(BeatMapError, LookupError):
    """A named record, file or table does not exist."""


class OfflineError(BeatMapError, ConnectionError):
    """A download was needed but the machine has no usable connection."""


@dataclass(frozen=True)
class Problem:
    """One problem found while validating input.

    Parameters
    ----------
    message : str
        What is wrong and what was expected.
    file : str or None
        The file the value came from.
    row : int or None
        1-based data row in that file (header not counted), or None for file-level problems.
    field : str or None
        Column (as written in the file) or model field.
    value : object
        The offending value, shown shortened.
    """

    message: str
    file: str | None = None
    row: int | None = None
    field: str | None = None
    value: object = None

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(str(self.file))
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field:
            where.append(f"field '{self.field}'")
        head = ", ".join(where)
        val = ""
        if self.value is not None:
            text = str(self.value)
            val = f" (got {text[:60]!r})"
        return f"{head}: {self.message}{val}" if head else f"{self.message}{val}"


class ValidationError(BeatMapError, ValueError):
    """Input failed validation; ``problems`` lists every problem found.

    Parameters
    ----------
    problems : iterable of Problem
        All problems found, in file order.
    """

    max_shown = 20

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        lines = [str(p) for p in self.problems[: self.max_shown]]
        more = len(self.problems) - self.max_shown
        if more > 0:
            lines.append(f"... and {more} more problems")
        super().__init__(f"{len(self.problems)} problem(s):\n" + "\n".join(lines))


class ProblemCollector:
    """Collects problems and raises them all at once.

    Examples
    --------
    >>> problems = ProblemCollector(file="beats.csv")
    >>> problems.add("must not be empty", row=3, field="name")
    >>> problems.raise_if_any()
    Traceback (most recent call last):
    ...
    geo._errors.ValidationError: 1 problem(s):
    beats.csv, row 3, field 'name': must not be empty
    """

    def __init__(self, *, file: str | None = None) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(
        self,
        message: str,
        *,
        row: int | None = None,
        field: str | None = None,
        value: object = None,
    ) -> None:
        self.problems.append(Problem(message, self.file, row, field, value))

    def extend(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_if_any(self) -> None:
        if self.problems:
            raise ValidationError(self.problems)
