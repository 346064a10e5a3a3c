"""Expectations for the foundation: auth, account, platform, dashboard, beheer, audit."""

import itertools

from riecycle.extensions import db
from riecycle.models import Employee, Team
from riecycle.services import accounts
from tests.factories import make_rie
from tests.matrix import EDITORS, EVERYONE, org_route, plain_route

LOGGED_IN = {
    "beheerder": 200,
    "preventiemedewerker": 200,
    "leidinggevende": 200,
    "or_lid": 200,
    "auditor": 200,
    "other": 200,
}


def _fresh_team(world):
    team = Team(organisation_id=world.org.id, name="Tijdelijk team", kind="afdeling")
    db.session.add(team)
    db.session.commit()
    return {"team_id": team.id}


def _fresh_employee(world):
    employee = Employee(organisation_id=world.org.id, name="Tijdelijke medewerker")
    db.session.add(employee)
    db.session.commit()
    return {"employee_id": employee.id}


_serial = itertools.count(1)


def _fresh_membership(world):
    n = next(_serial)
    user = accounts.create_user(f"tijdelijk{n}@acme.example", "Tijdelijk")
    membership = accounts.add_membership(world.org, user, "auditor")
    db.session.commit()
    return {"membership_id": membership.id}


def _fresh_invitation(world):
    from riecycle.services import invitations

    n = next(_serial)
    invitation = invitations.invite(world.org, f"uitgenodigd{n}@acme.example", "Uitgenodigd", "auditor", None)
    db.session.commit()
    return {"invitation_id": invitation.id}


def _deleted_team(world):
    from riecycle.models.base import utcnow

    team = Team(organisation_id=world.org.id, name="Weg team", kind="afdeling", deleted_at=utcnow())
    db.session.add(team)
    db.session.commit()
    return {"kind": "team", "object_id": team.id}


def _document(world):
    from riecycle.services import attachments

    # A document of an RI&E: everyone reads it, the RI&E's editors delete it (access/documents.py).
    doc = attachments.store(world.org, "rie", make_rie(world).id, "notitie.txt", b"hallo")
    db.session.commit()
    return {"attachment_id": doc.id}


def _team(world):
    return {"team_id": world.teams["Zorgteam Noord"].id}


def _employee(world):
    return {"employee_id": world.employees[0].id}


MANAGE = {"beheerder"}

ROUTES = {
    "static": plain_route(
        {v: 200 for v in ("anon", *LOGGED_IN)}, params=lambda w: {"filename": "css/app.css"}
    ),
    "system.healthz": plain_route({v: 200 for v in ("anon", *LOGGED_IN)}),
    "system.home": plain_route({v: 302 for v in ("anon", *LOGGED_IN)}),
    "system.set_language": plain_route({v: 302 for v in ("anon", *LOGGED_IN)}, data=lambda w: {"lang": "nl"}),
    "auth.login": plain_route(
        {"anon": {"GET": 200, "POST": 200}, **{v: {"GET": 302, "POST": 302} for v in LOGGED_IN}}
    ),
    "auth.logout": plain_route({v: 302 for v in ("anon", *LOGGED_IN)}),
    "auth.forgot_password": plain_route({v: {"GET": 200, "POST": 200} for v in ("anon", *LOGGED_IN)}),
    "auth.reset_password": plain_route(
        {v: 302 for v in ("anon", *LOGGED_IN)}, params=lambda w: {"token": "ongeldig"}
    ),
    "auth.accept_invite": plain_route(
        {v: 302 for v in ("anon", *LOGGED_IN)}, params=lambda w: {"token": "ongeldig"}
    ),
    "account.settings": plain_route({"anon": 302, **{v: {"GET": 200, "POST": 302} for v in LOGGED_IN}}),
    "account.change_password": plain_route({"anon": 302, **{v: 400 for v in LOGGED_IN}}),
    "account.no_organisation": plain_route({"anon": 302, **LOGGED_IN}),
    "account.organisations": plain_route({"anon": 302, **LOGGED_IN}),
    "admin.organisations_index": plain_route({"anon": 302, **{v: 403 for v in LOGGED_IN}}),
    "admin.organisation_new": plain_route({"anon": 302, **{v: 403 for v in LOGGED_IN}}),
    "admin.organisation_members": plain_route(
        {"anon": 302, **{v: 403 for v in LOGGED_IN}}, params=lambda w: {"org_id": w.org.id}
    ),
    "audit.index": org_route({"beheerder", "auditor"}),
    "beheer.index": org_route(MANAGE, post_ok=(200, 302)),
    "beheer.teams": org_route(MANAGE),
    "beheer.team_new": org_route(MANAGE),
    "beheer.team_edit": org_route(MANAGE, params=_team),
    "beheer.team_delete": org_route(MANAGE, params=_fresh_team),
    "beheer.employees_index": org_route(MANAGE),
    "beheer.employee_new": org_route(MANAGE),
    "beheer.employee_edit": org_route(MANAGE, params=_employee),
    "beheer.employee_delete": org_route(MANAGE, params=_fresh_employee),
    "beheer.employee_erase": org_route(
        MANAGE, params=_fresh_employee, data=lambda w: {"bevestigd": "wissen"}, post_ok=302
    ),
    "beheer.employees_import": org_route(MANAGE),
    "beheer.users": org_route(MANAGE),
    "beheer.user_invite": org_route(MANAGE, post_ok=302),
    "beheer.user_role": org_route(
        MANAGE, params=_fresh_membership, post_ok=302, data=lambda w: {"role": "or_lid"}
    ),
    "beheer.user_remove": org_route(MANAGE, params=_fresh_membership, post_ok=302),
    "beheer.invitation_resend": org_route(MANAGE, params=_fresh_invitation, post_ok=302),
    "beheer.invitation_withdraw": org_route(MANAGE, params=_fresh_invitation, post_ok=302),
    "beheer.trash": org_route(MANAGE),
    "beheer.trash_restore": org_route(MANAGE, params=_deleted_team, post_ok=302),
    "documents.download": org_route(EVERYONE, params=_document),
    "documents.delete": org_route(EDITORS, params=_document, post_ok=302),
}
