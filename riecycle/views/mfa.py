"""The second factor: the code step of a login, enrolment, switching it off, new recovery codes,
and the guard that sends a user who must enrol to the enrolment page (services/mfa.py)."""

from flask import Blueprint, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, user_loaded_from_cookie
from markupsafe import Markup

from riecycle.extensions import db
from riecycle.forms.mfa import CodeForm
from riecycle.services import ServiceError, mfa
from riecycle.views.account import _remembered
from riecycle.views.auth import _client_ip
from riecycle.views.common import LOGIN_METHOD_KEY, MFA_ENROL_KEY, pending_login, save, start_login
from riecycle.views.safety import safe_next

bp = Blueprint("mfa", __name__)

# What a user who must enrol can still reach.
ENROL_OPEN = frozenset({"mfa.enrol", "auth.logout", "static", "system.set_language", "system.healthz"})


@bp.record_once
def _watch_remember_cookies(state):
    user_loaded_from_cookie.connect(_restored_from_cookie, state.app)


def _restored_from_cookie(_app, user):
    """A "remember me" cookie brings a login back without its session: the enrolment rule again
    (how the user signed in is not known any more, so as after a password)."""
    if mfa.must_enrol(user, "password"):
        session[MFA_ENROL_KEY] = True


@bp.before_app_request
def _enrol_first():
    """A user who must have a second factor but has none reaches only the enrolment page."""
    if session.get(MFA_ENROL_KEY) and request.endpoint not in ENROL_OPEN and current_user.is_authenticated:
        return redirect(url_for("mfa.enrol"))
    return None


def _locked_response(user, form, template, **context):
    """The lock message (429) while too many wrong codes have been given; None when free."""
    minutes = mfa.locked_minutes(user, _client_ip())
    if not minutes:
        return None
    flash(
        _(
            "Te veel onjuiste codes. Dit account is tijdelijk geblokkeerd; "
            "probeer het over %(m)s minuten opnieuw.",
            m=minutes,
        ),
        "error",
    )
    return render_template(template, form=form, locked=True, **context), 429


@bp.route("/login/code", methods=["GET", "POST"])
def code():
    """The second step of a login: a code from the authenticator app, or a recovery code."""
    target = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(target or url_for("system.home"))
    pending = pending_login()
    if pending is None:
        flash(_("Log opnieuw in."), "info")
        return redirect(url_for("auth.login", next=target))
    user, remember, method = pending
    form = CodeForm()
    locked = _locked_response(user, form, "auth/code.html")
    if locked:
        return locked
    if form.validate_on_submit():
        kind = mfa.check_code(user, form.code.data)
        if kind is None:
            mfa.register_failure(user, _client_ip())
            db.session.commit()
            locked = _locked_response(user, form, "auth/code.html")
            if locked:
                return locked
            form.code.errors.append(_("Deze code klopt niet."))
            return render_template("auth/code.html", form=form), 200
        mfa.register_success(user, _client_ip())
        start_login(user, remember=remember, method=method, second_factor_done=True)
        if kind == "recovery":
            flash(
                _(
                    "U heeft een herstelcode gebruikt; die werkt niet nog eens. U heeft er nog %(n)s over.",
                    n=mfa.recovery_codes_left(user),
                ),
                "warning",
            )
        return redirect(target or url_for("system.home"))
    return render_template("auth/code.html", form=form)


def _codes_page(codes, first: bool):
    """The recovery codes, shown once; the browser must not keep the page."""
    response = make_response(render_template("account/mfa_codes.html", codes=codes, first=first))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/account/tweestaps", methods=["GET", "POST"])
@login_required
def enrol():
    """Set up the second factor: scan the QR code (or type the key), confirm with a first code."""
    user = current_user._get_current_object()
    if user.has_second_factor:
        session.pop(MFA_ENROL_KEY, None)
        flash(_("Tweestapsverificatie staat al aan."), "info")
        return redirect(url_for("account.settings"))
    form = CodeForm()
    if form.validate_on_submit():
        remember = _remembered(user)
        saved = save(lambda: mfa.confirm_enrolment(user, form.code.data), form)
        if saved:  # the other sessions have ended; this device continues on a fresh one
            start_login(
                user,
                remember=remember,
                method=session.get(LOGIN_METHOD_KEY, "password"),
                second_factor_done=True,
            )
            return _codes_page(saved.value, first=True)
    secret = mfa.start_enrolment(user)
    db.session.commit()
    qr = Markup(mfa.qr_svg(mfa.provisioning_uri(user, secret), _("QR-code voor uw authenticator-app")))  # noqa: S704 - drawn by segno from our own data
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    response = make_response(
        render_template(
            "account/mfa_enrol.html",
            form=form,
            qr=qr,
            secret=grouped,
            raw_secret=secret,
            required=bool(session.get(MFA_ENROL_KEY)),
        ),
        400 if form.errors else 200,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _code_action(action):
    """Run `action(user, code)` for the account page's code forms, with the code throttle.

    Returns the action's value, or None after a flash message (wrong code, locked, form error)."""
    user = current_user._get_current_object()
    form = CodeForm()
    if mfa.locked_minutes(user, _client_ip()):
        flash(_("Te veel onjuiste codes. Probeer het later opnieuw."), "error")
        return None
    if not form.validate_on_submit():
        flash(_("Vul de code in."), "error")
        return None
    try:
        value = action(user, form.code.data)
    except ServiceError as error:
        db.session.rollback()
        if error.field == "code":
            mfa.register_failure(user, _client_ip())
            db.session.commit()
        flash(error.message, "error")
        return None
    mfa.register_success(user, _client_ip())
    db.session.commit()
    return value if value is not None else True


@bp.post("/account/tweestaps/uitschakelen")
@login_required
def disable():
    """Switch one's own second factor off, with a code (not when it is required)."""
    if _code_action(mfa.disable):
        flash(_("Tweestapsverificatie is uitgeschakeld."), "success")
    return redirect(url_for("account.settings"))


@bp.post("/account/tweestaps/herstelcodes")
@login_required
def recovery_codes():
    """Ten new recovery codes after a correct code; the old ones stop working."""
    codes = _code_action(mfa.regenerate_recovery_codes)
    if not codes:
        return redirect(url_for("account.settings"))
    return _codes_page(codes, first=False)
