"""Login, logout, password reset and accepting an invitation."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from riecycle import clock
from riecycle.extensions import db
from riecycle.forms.auth import AccepteerUitnodigingForm, ForgotForm, LoginForm, NewPasswordForm
from riecycle.services import ServiceError, accounts, notifications_mail
from riecycle.views.safety import safe_next

bp = Blueprint("auth", __name__)


def _client_ip() -> str:
    return request.remote_addr or "unknown"


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with e-mail and password, with throttling per account and IP."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("system.home"))
    form = LoginForm()
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
        user.last_login_at = clock.now()
        db.session.commit()
        login_user(user, remember=form.remember.data)
        return redirect(safe_next(request.args.get("next")) or url_for("system.home"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    """Log out (POST with CSRF, so no link can log someone out)."""
    logout_user()
    flash(_("U bent uitgelogd."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
def forgot_password():
    """Mail a reset link; the answer is the same whether or not the account exists."""
    form = ForgotForm()
    if form.validate_on_submit():
        user = accounts.find_user(form.email.data)
        if user is not None and user.active:
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
    form = NewPasswordForm()
    if form.validate_on_submit():
        accounts.set_password(user, form.password.data)
        db.session.commit()
        flash(_("Uw wachtwoord is gewijzigd. U kunt nu inloggen."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)


@bp.route("/uitnodiging/<token>", methods=["GET", "POST"])
def accept_invite(token):
    """An invited user sets a name and password, then logs in."""
    max_age = current_app.config["INVITE_DAYS"] * 86400
    user = accounts.read_token(token, "invite", max_age)
    if user is None:
        flash(_("Deze uitnodiging is verlopen of al gebruikt. Vraag de beheerder om een nieuwe."), "error")
        return redirect(url_for("auth.login"))
    form = AccepteerUitnodigingForm(name=user.name)
    if form.validate_on_submit():
        try:
            user.name = form.name.data.strip()
            accounts.set_password(user, form.password.data)
        except ServiceError as error:
            form.password.errors.append(error.message)
        else:
            db.session.commit()
            login_user(user)
            flash(_("Welkom bij riecycle!"), "success")
            return redirect(url_for("system.home"))
    return render_template("auth/invite.html", form=form, user=user)
