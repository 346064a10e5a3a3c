"""The organisation's teams, users, employees, themes and factors by name, for the imports."""

import re

from flask_babel import gettext as _
from sqlalchemy import select

from riecycle.excel.cells import names, norm, text
from riecycle.excel.move import Unknown
from riecycle.excel.tables import RowReader
from riecycle.extensions import db
from riecycle.models import Employee, Factor, Membership, Team, Theme, User


class Directory:
    """The organisation's teams, users, employees, themes and factors, by name."""

    def __init__(self, org):
        self.org = org
        self.teams = _by_name(
            db.session.scalars(select(Team).where(Team.organisation_id == org.id, Team.deleted_at.is_(None))),
            "name",
        )
        self.themes = {}
        for theme in db.session.scalars(select(Theme)):
            self.themes[norm(theme.name_nl)] = self.themes[norm(theme.key)] = theme.key
        self.factors = {}
        for factor in db.session.scalars(select(Factor)):
            self.factors[norm(factor.name_nl)] = self.factors[norm(factor.key)] = factor.key
        members = db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == org.id)
        ).all()
        self.users_by_email = {norm(u.email): u for u in members}
        self.users_by_name = _by_name(members, "name")
        # Moving an organisation (move.py): persons who are no user here yet are collected
        # ({value: [row numbers]}) and stand for an excel.move.Unknown (which the user maps to a
        # user in the preview) instead of refusing the row.
        self.unknown_users: dict[str, list[int]] | None = None
        self.stand_in = None
        # Rows (id, name, team_name), not records: a large employer has tens of thousands.
        self.employees = _by_name(
            db.session.execute(
                select(Employee.id, Employee.name, Team.name.label("team_name"))
                .outerjoin(Team, Team.id == Employee.team_id)
                .where(Employee.organisation_id == org.id, Employee.deleted_at.is_(None))
            ),
            "name",
        )

    def team_ids(self, reader: RowReader, key: str) -> list[int]:
        ids = []
        for name in reader.get(key, names) or []:
            found = self.teams.get(norm(name), [])
            if len(found) == 1:
                ids.append(found[0].id)
            elif not found:
                reader.error(
                    key,
                    _(
                        "Team '%(t)s' bestaat niet in riecycle. Kies een team uit de lijst of maak het "
                        "eerst aan bij Beheer → Teams (de naam moet precies gelijk zijn).",
                        t=name,
                    ),
                )
            else:
                reader.error(
                    key,
                    _(
                        "Er zijn meerdere teams met de naam '%(t)s'. Geef ze in Beheer een unieke naam.",
                        t=name,
                    ),
                )
        return ids

    def user(self, reader: RowReader, key: str, required):
        value = reader.get(key, text, required=required)
        if not value:
            return None
        user = self.users_by_email.get(norm(value))
        candidates = self.users_by_name.get(norm(value), [])
        if user is None and len(candidates) == 1:
            user = candidates[0]
        if user is None and not candidates and self.unknown_users is not None:
            self.unknown_users.setdefault(value, []).append(reader.number)
            return self.stand_in or Unknown(value)
        if user is None:
            reader.error(
                key,
                _(
                    "'%(v)s' is geen gebruiker van deze organisatie. Vul de naam of het e-mailadres in "
                    "van iemand die toegang heeft tot riecycle.",
                    v=value,
                )
                if not candidates
                else _("Er zijn meerdere gebruikers met de naam '%(v)s'. Vul het e-mailadres in.", v=value),
            )
        return user

    def employee(self, reader: RowReader, key: str, value: str):
        match = re.fullmatch(r"(.+?)\s*\((.+)\)", value)
        found = self.employees.get(norm(value), [])
        if not found and match:
            found = [
                e
                for e in self.employees.get(norm(match.group(1)), [])
                if e.team_name is not None and norm(e.team_name) == norm(match.group(2))
            ]
        if len(found) == 1:
            return found[0]
        if not found:
            reader.error(
                key,
                _(
                    "Medewerker '%(v)s' staat niet in riecycle. Voeg de medewerker eerst toe bij "
                    "Beheer → Medewerkers, of controleer de schrijfwijze.",
                    v=value,
                ),
            )
        else:
            reader.error(
                key, _("Er zijn meerdere medewerkers met de naam '%(v)s'. Schrijf 'Naam (Team)'.", v=value)
            )
        return None


def _by_name(records, attr: str) -> dict[str, list]:
    result: dict[str, list] = {}
    for record in records:
        result.setdefault(norm(getattr(record, attr)), []).append(record)
    return result
