"""What the sheets look up per row, loaded once per workbook as plain dicts.

A sheet streams its own records as Core rows (no ORM objects, no eager loads) and finds names,
links and labels here, so an export sends the same number of statements whatever the size of
the organisation, and memory holds these dicts plus one batch of rows.
"""

from functools import cached_property

from sqlalchemy import select

from riecycle.access.pseudonym import pseudonym_of
from riecycle.excel.schema import SEPARATOR, dutch
from riecycle.extensions import db
from riecycle.labels import label
from riecycle.models import Employee, Measure, Team, Theme, User
from riecycle.models.references import measure_reference
from riecycle.streaming import grouped, stream

JOIN = f"{SEPARATOR} "


def joined_names(stmt) -> dict:
    """key -> its names sorted and joined with '; ', from a select of (key, name) rows."""
    return {key: JOIN.join(sorted(names)) for key, names in grouped(stmt).items()}


class Labels:
    """labels.label and schema.dutch with a memo: one translation per distinct value and workbook."""

    def __init__(self):
        self._memo: dict = {}

    def label(self, value, kind: str) -> str:
        """labels.label(value, kind)."""
        key = ("label", kind, value)
        if key not in self._memo:
            self._memo[key] = label(value, kind)
        return self._memo[key]

    def dutch(self, kind: str, value) -> str | None:
        """schema.dutch(kind, value)."""
        key = ("dutch", kind, value)
        if key not in self._memo:
            self._memo[key] = dutch(kind, value)
        return self._memo[key]


class Lookups:
    """Names and titles shared by several sheets of one workbook, each loaded on first use."""

    def __init__(self, org, viewer):
        self.org, self.viewer = org, viewer
        self.labels = Labels()

    @cached_property
    def users(self) -> dict[int, str]:
        """User id -> name (audit entries may name users of any organisation, or a platform admin)."""
        return dict(db.session.execute(select(User.id, User.name)).all())

    @cached_property
    def themes(self) -> dict[str, str]:
        """PSA theme key -> Dutch name."""
        return dict(db.session.execute(select(Theme.key, Theme.name_nl)).all())

    @cached_property
    def team_names(self) -> dict[int, str]:
        """Every team of the organisation, deleted ones too (records keep pointing at them)."""
        return dict(
            db.session.execute(select(Team.id, Team.name).where(Team.organisation_id == self.org.id)).all()
        )

    @cached_property
    def measure_titles(self) -> dict[int, tuple[str, bool]]:
        """Measure id -> (title as this viewer may see it, whether its name and free text may be shown)."""
        stmt = (
            select(Measure.id, Measure.title, Measure.level, Employee.team_id, Team.name)
            .outerjoin(Employee, Employee.id == Measure.employee_id)
            .outerjoin(Team, Team.id == Employee.team_id)
            .where(Measure.organisation_id == self.org.id)
        )
        return {row[0]: self._shown(*row) for row in stream(stmt)}

    def _shown(self, measure_id, title, level, team_id, team_name) -> tuple[str, bool]:
        """The title or the pseudonym (docs/domain.md §9), and whether it is the title."""
        if self.viewer.sees(level, team_id):
            return title, True
        return pseudonym_of(measure_id, team_name), False

    @cached_property
    def measure_numbers(self) -> dict[int, int]:
        """Measure id -> its permanent number (deleted measures too: evaluations keep pointing at them)."""
        return dict(
            db.session.execute(
                select(Measure.id, Measure.number).where(Measure.organisation_id == self.org.id)
            ).all()
        )

    def measure_reference(self, measure_id) -> str | None:
        """The permanent reference of a measure (M-0001; None without a measure)."""
        return measure_reference(self.measure_numbers.get(measure_id)) if measure_id else None

    def measure_title(self, measure_id) -> str | None:
        """The title of a measure for this viewer (None without a measure)."""
        return self.measure_titles.get(measure_id, (None, True))[0]

    def measure_visible(self, measure_id) -> bool:
        """Whether a measure's free text may be shown (True without a measure)."""
        return self.measure_titles.get(measure_id, (None, True))[1]

    def user(self, user_id) -> str | None:
        """A user's name (None without a user)."""
        return self.users.get(user_id) if user_id else None
