"""Invitations to join an organisation: the membership waits until the person accepts.

The beheerder sees the same answer whether or not the address has an account anywhere on the
platform; only accepting (by the person, through the mailed link) creates the membership.
"""

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from riecycle import clock
from riecycle.extensions import db
from riecycle.models import Invitation, Organisation, User
from riecycle.models.user import ROLES, new_token
from riecycle.services import ServiceError, accounts


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="riecycle-invitation")


def pending_for(org: Organisation) -> list[Invitation]:
    """The organisation's invitations that have not been accepted yet, newest first."""
    return list(
        db.session.scalars(
            select(Invitation)
            .where(Invitation.organisation_id == org.id, Invitation.accepted_at.is_(None))
            .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        )
    )


def invite(org: Organisation, email: str, name: str, role: str, inviter: User | None) -> Invitation | None:
    """Record a pending invitation (or renew one); None when the address is already a member.

    Nothing here depends on whether an account exists elsewhere on the platform.
    """
    if role not in ROLES:
        raise ServiceError(_("Onbekende rol."), "role")
    email = accounts.normalise_email(email)
    if not email or "@" not in email:
        raise ServiceError(_("Vul een geldig e-mailadres in."), "email")
    user = accounts.find_user(email)
    if user is not None and user.membership_for(org.id) is not None:
        return None
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.organisation_id == org.id, Invitation.email == email)
    )
    if invitation is None:
        invitation = Invitation(organisation_id=org.id, email=email)
        db.session.add(invitation)
    invitation.name = (name or "").strip() or email
    invitation.role = role
    invitation.invited_by_id = inviter.id if inviter is not None else None
    invitation.created_at = clock.now()
    invitation.accepted_at = None
    invitation.nonce = new_token()  # older links for this address stop working
    db.session.flush()
    return invitation


def token_for(invitation: Invitation) -> str:
    return _serializer().dumps({"i": invitation.id, "n": invitation.nonce})


def read_token(token: str) -> Invitation | None:
    """The pending invitation of a valid, unexpired link; None otherwise."""
    max_age = current_app.config["INVITE_DAYS"] * 86400
    try:
        data = _serializer().loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("i"), int) or not isinstance(data.get("n"), str):
        return None
    invitation = db.session.get(Invitation, data["i"])
    if invitation is None or invitation.accepted_at is not None or invitation.nonce != data["n"]:
        return None
    if invitation.organisation is None or invitation.organisation.deleted_at is not None:
        return None
    return invitation


def accept(invitation: Invitation, user: User) -> None:
    """The invited person accepts: now the membership is made (the role as invited)."""
    if accounts.normalise_email(user.email) != invitation.email:
        raise ServiceError(_("Deze uitnodiging is voor een ander e-mailadres."))
    if user.membership_for(invitation.organisation_id) is None:
        accounts.add_membership(invitation.organisation, user, invitation.role)
    invitation.accepted_at = clock.now()
    db.session.flush()


def withdraw(invitation: Invitation) -> None:
    """Withdraw a pending invitation: its links stop working."""
    db.session.delete(invitation)
    db.session.flush()


def mark_sent(invitation: Invitation, ok: bool) -> None:
    if ok:
        invitation.sent_at, invitation.send_failed_at = clock.now(), None
    else:
        invitation.send_failed_at = clock.now()
    db.session.flush()
