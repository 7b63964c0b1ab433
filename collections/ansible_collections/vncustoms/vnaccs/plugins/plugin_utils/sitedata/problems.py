# Copyright: VNACCS/VCIS site-infrastructure toolkit
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Problems in the site data: each names the file, the site and the field, and all are reported at once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    file: str
    site: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.site:
            where.append(f"site {self.site}")
        if self.field:
            where.append(f"field '{self.field}'")
        return f"{': '.join(where)}: {self.message}"


class SiteDataError(ValueError):
    """Bad site data; ``problems`` lists every one found, each naming file, site and field."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = [f"{len(problems)} problem(s) in the site data; nothing was changed:"]
        lines += [f"  - {problem}" for problem in problems]
        super().__init__("\n".join(lines))


class ProblemCollector:
    """Collects problems while every check runs, so that one run reports all of them.

    A warning is for what can be right (a switch managed from a network of its own): it is
    reported with the data, and stops nothing.
    """

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def add(self, path: Path, site: str | None, field_name: str | None, message: str) -> None:
        self.problems.append(Problem(display_path(path), site, field_name, message))

    def warn(self, path: Path, site: str | None, field_name: str | None, message: str) -> None:
        self.warnings.append(Problem(display_path(path), site, field_name, message))

    def absorb(self, other: ProblemCollector) -> None:
        """Take over `other`'s problems and warnings, after this collector's own."""
        self.problems += other.problems
        self.warnings += other.warnings
        other.problems, other.warnings = [], []

    def raise_if_any(self) -> None:
        if self.problems:
            raise SiteDataError(self.problems)


def display_path(path: Path) -> str:
    """`path` as the admin sees it from the current directory, when it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
