"""Problems found in a user's input: where each is and what is wrong."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InputProblem:
    """One problem in the input: where it is and what is wrong."""

    file: str
    where: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        place = self.file if self.where is None else f"{self.file} {self.where}"
        return f"{place}, {self.field}: {self.message}" if self.field else f"{place}: {self.message}"


class ScenarioError(Exception):
    """The scenario could not be loaded; ``problems`` lists every reason."""

    def __init__(self, problems: list[InputProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
