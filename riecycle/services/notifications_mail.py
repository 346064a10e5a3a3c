"""Account e-mails: password reset and invitations."""

from flask import render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from riecycle.mail import send_mail
from riecycle.services import accounts


def _absolute(endpoint: str, **values) -> str:
    from flask import current_app

    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def send_password_reset(user) -> None:
    """Mail a reset link that expires and works once."""
    token = accounts.make_token(user, "reset")
    with force_locale(user.locale):
        body = render_template(
            "mail/password_reset.txt", user=user, link=_absolute("auth.reset_password", token=token)
        )
        send_mail(user.email, _("Nieuw wachtwoord voor riecycle"), body)


def send_invitation(user, org, inviter) -> None:
    """Mail an invitation link to join an organisation."""
    token = accounts.make_token(user, "invite")
    with force_locale(user.locale):
        body = render_template(
            "mail/invitation.txt",
            user=user,
            org=org,
            inviter=inviter,
            link=_absolute("auth.accept_invite", token=token),
        )
        send_mail(user.email, _("Uitnodiging voor %(org)s in riecycle", org=org.name), body)
