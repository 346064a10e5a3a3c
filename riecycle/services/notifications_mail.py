"""Account e-mails: password reset and invitations."""

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from riecycle.mail import send_mail
from riecycle.services import accounts
from riecycle.urls import absolute_url


def send_password_reset(user) -> None:
    """Mail a reset link that expires and works once."""
    token = accounts.make_token(user, "reset")
    with force_locale(user.locale):
        body = render_template(
            "mail/password_reset.txt", user=user, link=absolute_url("auth.reset_password", token=token)
        )
        send_mail(user.email, _("Nieuw wachtwoord voor riecycle"), body)


def send_invitation(invitation, inviter, locale: str = "nl") -> None:
    """Mail an invitation link to join an organisation (raises when the mail cannot be sent)."""
    from riecycle.services import invitations

    org = invitation.organisation
    with force_locale(locale):
        body = render_template(
            "mail/invitation.txt",
            user=invitation,
            org=org,
            inviter=inviter,
            link=absolute_url("auth.accept_invite", token=invitations.token_for(invitation)),
        )
        send_mail(invitation.email, _("Uitnodiging voor %(org)s in riecycle", org=org.name), body)


def deliver_invitation(invitation, inviter, locale: str = "nl") -> bool:
    """Send an invitation after its record is committed; record the outcome. Never raises.

    A failed send (a bad header, an unreachable mail server) is recorded on the invitation, so
    the beheerder sees it and can send again; the caller commits.
    """
    from flask import current_app

    from riecycle.services import invitations

    try:
        send_invitation(invitation, inviter, locale)
    except Exception:  # noqa: BLE001 - any failure of one mail is recorded, not raised
        current_app.logger.exception("invitation %s could not be sent", invitation.id)
        invitations.mark_sent(invitation, ok=False)
        return False
    invitations.mark_sent(invitation, ok=True)
    return True
