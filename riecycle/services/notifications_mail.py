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


def send_invitation(user, org, inviter) -> None:
    """Mail an invitation link to join an organisation."""
    token = accounts.make_token(user, "invite")
    with force_locale(user.locale):
        body = render_template(
            "mail/invitation.txt",
            user=user,
            org=org,
            inviter=inviter,
            link=absolute_url("auth.accept_invite", token=token),
        )
        send_mail(user.email, _("Uitnodiging voor %(org)s in riecycle", org=org.name), body)
