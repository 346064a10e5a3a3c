"""Login, logout, password reset and accepting an invitation."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from riecycle.extensions import db
from riecycle.forms.auth import AccepteerUitnodigingForm, ForgotForm, LoginForm, NewPasswordForm
from riecycle.services import ServiceError, accounts, invitations, notifications_mail
from riecycle.services import sso as sso_service
from riecycle.views import sso
from riecycle.views.common import end_login, pending_login, start_login
from riecycle.views.safety import safe_next

bp = Blueprint("auth", __name__)


def _client_ip() -> str:
    """The client's address; behind RIECYCLE_PROXY_HOPS trusted proxies ProxyFix has set it."""
    return (request.remote_addr or "unknown")[:100]


@bp.before_app_request
def _load_user_first():
    """Load the user (and mark the session as seen) before a view starts writing anything."""
    if request.endpoint != "static":
        current_user._get_current_object()


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with e-mail and password, with throttling per account and IP."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("system.home"))
    if request.method == "GET" and pending_login() is not None:  # the password was right already
        return redirect(url_for("mfa.code", next=safe_next(request.args.get("next"))))
    form = LoginForm()
    sso_page = sso.login_step(form)  # users of an organisation with single sign-on go there
    if sso_page is not None:
        return sso_page
    if form.validate_on_submit():
        email, ip = form.email.data, _client_ip()
        minutes = accounts.locked_minutes(email, ip)
        if minutes:
            flash(
                _(
                    "Te veel mislukte pogingen. Dit account is tijdelijk geblokkeerd; "
                    "probeer het over %(m)s minuten opnieuw.",
                    m=minutes,
                ),
                "error",
            )
            return render_template("auth/login.html", form=form, locked=True), 429
        user = accounts.authenticate(email, form.password.data)
        if user is None:
            accounts.register_failure(email, ip)
            db.session.commit()
            if accounts.locked_minutes(email, ip):
                flash(
                    _(
                        "Te veel mislukte pogingen. Dit account is tijdelijk geblokkeerd; "
                        "probeer het over %(m)s minuten opnieuw.",
                        m=current_app.config["LOGIN_LOCK_MINUTES"],
                    ),
                    "error",
                )
                return render_template("auth/login.html", form=form, locked=True), 429
            flash(_("Onjuist e-mailadres of wachtwoord."), "error")
            return render_template("auth/login.html", form=form), 200
        accounts.register_success(email, ip)
        if not start_login(user, remember=form.remember.data):
            return redirect(url_for("mfa.code", next=safe_next(request.args.get("next"))))
        return redirect(safe_next(request.args.get("next")) or url_for("system.home"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    """Log out (POST with CSRF, so no link can log someone out); the session ends on the server."""
    end_login()
    flash(_("U bent uitgelogd."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
def forgot_password():
    """Mail a reset link; the answer is the same whether or not the account exists.

    Rate limited per IP address (refused with 429) and per e-mail address (no more mail is sent,
    the answer stays the same).
    """
    form = ForgotForm()
    if form.validate_on_submit():
        ip_ok, address_ok = accounts.allow_reset_request(form.email.data, _client_ip())
        db.session.commit()
        if not ip_ok:
            flash(_("Te veel aanvragen vanaf dit adres. Probeer het over een uur opnieuw."), "error")
            return render_template("auth/forgot.html", form=form), 429
        sso_only = sso_service.password_login_off(form.email.data)
        if sso_only is not None:  # no reset mail: this address cannot log in with a password
            flash(_sso_only_message(sso_only), "info")
            return redirect(url_for("auth.login"))
        user = accounts.find_user(form.email.data)
        if address_ok and user is not None and user.active:
            notifications_mail.send_password_reset(user)
        flash(
            _(
                "Als dit e-mailadres bij ons bekend is, ontvangt u een e-mail met een link "
                "om een nieuw wachtwoord te kiezen."
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/wachtwoord-herstellen/<token>", methods=["GET", "POST"])
def reset_password(token):
    """Choose a new password with a valid, unexpired, unused token."""
    max_age = current_app.config["PASSWORD_RESET_HOURS"] * 3600
    user = accounts.read_token(token, "reset", max_age)
    if user is None:
        flash(_("Deze link is verlopen of al gebruikt. Vraag een nieuwe aan."), "error")
        return redirect(url_for("auth.forgot_password"))
    sso_only = sso_service.password_login_off(user.email)
    if sso_only is not None:  # a link sent before password login was switched off
        flash(_sso_only_message(sso_only), "error")
        return redirect(url_for("auth.login"))
    form = NewPasswordForm()
    if form.validate_on_submit():
        accounts.set_password(user, form.password.data)
        db.session.commit()
        flash(_("Uw wachtwoord is gewijzigd. U kunt nu inloggen."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)


@bp.route("/uitnodiging/<token>", methods=["GET", "POST"])
def accept_invite(token):
    """Accept an invitation: a new person chooses a name and password; someone with an account
    logs in first and then accepts. Only accepting creates the membership."""
    invitation = invitations.read_token(token)
    if invitation is None:
        flash(_("Deze uitnodiging is verlopen of al gebruikt. Vraag de beheerder om een nieuwe."), "error")
        return redirect(url_for("auth.login"))
    user = accounts.find_user(invitation.email)
    sso_only = sso_service.password_login_off(invitation.email)
    if sso_only is not None:  # no password is chosen: accepted by signing in through the provider
        if not current_user.is_authenticated:
            return sso.invite_step(invitation, token, sso_only)
        if user is None:
            flash(
                _(
                    "Deze uitnodiging is voor een ander account. Log uit en log in met het uitgenodigde adres."
                ),
                "error",
            )
            return redirect(url_for("system.home"))
        return _accept_with_account(invitation, user, token)
    if user is not None and user.password_hash:
        return _accept_with_account(invitation, user, token)
    form = AccepteerUitnodigingForm(name=user.name if user else invitation.name)
    if form.validate_on_submit():
        try:
            if user is None:
                user = accounts.create_user(invitation.email, form.name.data)
            user.name = form.name.data.strip()
            accounts.set_password(user, form.password.data)
            invitations.accept(invitation, user)
        except ServiceError as error:
            db.session.rollback()
            form.password.errors.append(error.message)
        else:
            if current_user.is_authenticated:
                end_login()
            start_login(user)
            flash(_("Welkom bij riecycle!"), "success")
            return redirect(url_for("system.home"))
    return render_template("auth/invite.html", form=form, invitation=invitation, account=False)


def _sso_only_message(config) -> str:
    return _(
        "%(o)s heeft inloggen met een wachtwoord uitgeschakeld. U heeft in riecycle geen wachtwoord "
        "nodig: log in via de inlogdienst van uw organisatie.",
        o=config.organisation.name,
    )


def _accept_with_account(invitation, user, token):
    """The invited address has an account: accept after logging in as that account."""
    if not current_user.is_authenticated:
        flash(_("Log in om de uitnodiging voor %(o)s te accepteren.", o=invitation.organisation.name), "info")
        return redirect(url_for("auth.login", next=url_for("auth.accept_invite", token=token)))
    if current_user.id != user.id:
        flash(
            _("Deze uitnodiging is voor een ander account. Log uit en log in met het uitgenodigde adres."),
            "error",
        )
        return redirect(url_for("system.home"))
    form = FlaskForm()
    if form.validate_on_submit():
        invitations.accept(invitation, current_user._get_current_object())
        db.session.commit()
        flash(_("U heeft nu toegang tot %(o)s.", o=invitation.organisation.name), "success")
        return redirect(url_for("system.home"))
    return render_template("auth/invite.html", form=form, invitation=invitation, account=True)
