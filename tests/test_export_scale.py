"""The evidence workbook at scale: the audience sizes counted in bulk equal the per-session query."""

from datetime import date, timedelta

from riecycle.extensions import db
from riecycle.models import Employee, VoorlichtingSession
from riecycle.models.voorlichting import AUDIENCES
from riecycle.services import voorlichting


def test_audience_sizes_equal_the_audience_query(world):
    team_a, team_b = world.teams.values()
    day = date(2026, 3, 1)
    spans = [(None, None), (day, None), (day - timedelta(weeks=3), day + timedelta(days=1)), (None, day)]
    spans += [(day + timedelta(days=1), None), (day - timedelta(days=10), day - timedelta(days=20))]
    for i, (start, end) in enumerate(spans * 2):
        db.session.add(
            Employee(
                organisation_id=world.org.id,
                name=f"Extra {i}",
                team_id=(team_a, team_b, None)[i % 3] and (team_a, team_b, None)[i % 3].id,
                start_date=start,
                end_date=end,
                is_leidinggevende=i % 2 == 0,
            )
        )
    db.session.flush()
    sessions = []
    for i, (audience, offset) in enumerate((a, o) for a in AUDIENCES for o in (-30, 0, 1, 400)):
        session = VoorlichtingSession(
            organisation_id=world.org.id,
            topic=f"Sessie {i}",
            audience=audience,
            session_date=day + timedelta(days=offset),
            newcomer_weeks=(None, 4)[i % 2],
        )
        session.teams = [[team_a], [team_a, team_b], []][i % 3]
        sessions.append(session)
    db.session.add_all(sessions)
    db.session.flush()
    sizes = voorlichting.AudienceSizes(world.org)
    for session in sessions:
        expected = len(voorlichting.audience_employees(session))
        assert sizes.size(session, [t.id for t in session.teams]) == expected, (
            session.audience,
            session.session_date,
        )
