"""What an import refuses, and where: a problem names the sheet, row and column of a file."""

from dataclasses import dataclass

from flask_babel import gettext as _


@dataclass
class Problem:
    sheet: str | None
    row: int | None
    column: str | None
    message: str

    def as_text(self) -> str:
        where = [
            p
            for p in (
                self.sheet and _("tabblad '%(s)s'", s=self.sheet),
                self.row and _("rij %(r)s", r=self.row),
                self.column and _("kolom %(c)s", c=self.column),
            )
            if p
        ]
        return f"{', '.join(where)}: {self.message}" if where else self.message


class ImportRefused(Exception):
    """The file cannot be imported; .problems says where and why."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.as_text() for p in problems[:5]))
        self.problems = problems


def refuse(message: str):
    """Refuse the whole file with one problem that belongs to no sheet or row."""
    raise ImportRefused([Problem(None, None, None, message)])
