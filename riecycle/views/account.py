"""The user's own account: name, language, reminder preference and password."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.security import check_password_hash

from riecycle.extensions import db
from riecycle.forms.auth import AccountForm, ChangePasswordForm
from riecycle.models import UserSession
from riecycle.pagination import page_of
from riecycle.services import ServiceError, accounts, mfa
from riecycle.views.common import LOGIN_METHOD_KEY, save, start_login

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/", methods=["GET", "POST"])
@login_required
def settings():
    """Change name, language and how reminders arrive."""
    form = AccountForm(obj=current_user)
    if form.validate_on_submit():
        user = current_user._get_current_object()

        def apply():
            user.name = form.name.data.strip()  # single-line: refused with a ServiceError on the field
            user.locale = form.locale.data
            user.notify_mode = form.notify_mode.data

        if save(apply, form):
            flash(_("Uw instellingen zijn opgeslagen."), "success")
            return redirect(url_for("account.settings"))
    status = 400 if form.errors else 200
    return _settings_page(form, ChangePasswordForm()), status


def _settings_page(form, password_form):
    """The account page, with the state of the user's second factor."""
    user = current_user._get_current_object()
    return render_template(
        "account/settings.html",
        form=form,
        password_form=password_form,
        recovery_codes_left=mfa.recovery_codes_left(user) if user.has_second_factor else 0,
        second_factor_required=user.has_second_factor and mfa.required(user),
    )


def _remembered(user) -> bool:
    row = db.session.get(UserSession, user.current_session_id) if user.current_session_id else None
    return bool(row and row.remember)


@bp.post("/wachtwoord")
@login_required
def change_password():
    """Change the password after confirming the current one."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not check_password_hash(current_user.password_hash or "", form.current.data):
            form.current.errors.append(_("Het huidige wachtwoord klopt niet."))
        else:
            # The real object, not the current_user proxy: handing the proxy to login_user makes
            # every later read of current_user recurse until the process crashes.
            user = current_user._get_current_object()
            remember = _remembered(user)
            try:
                accounts.set_password(user, form.password.data)  # ends every session of the user
            except ServiceError as error:
                form.password.errors.append(error.message)
            else:
                # This device continues on a fresh session; its second factor was given at login.
                method = session.get(LOGIN_METHOD_KEY, "password")
                start_login(
                    user, remember=remember, method=method, second_factor_done=True, new_sign_in=False
                )
                flash(_("Uw wachtwoord is gewijzigd."), "success")
                return redirect(url_for("account.settings"))
    return _settings_page(AccountForm(obj=current_user), form), 400


ORGANISATIONS_PER_PAGE = 50
SWITCHER_LIMIT = 15


def org_switcher() -> tuple[list, int]:
    """The first organisations for the header's switcher (none when there is only one), and the count."""
    total = accounts.membership_count(current_user)
    return (accounts.memberships_of(current_user, limit=SWITCHER_LIMIT) if total > 1 else []), total


@bp.get("/organisaties")
@login_required
def organisations():
    """Every organisation the user belongs to (an adviser may have thousands), searchable by name."""
    q = (request.args.get("q") or "").strip()[:100] or None
    page = page_of(accounts.membership_count(current_user, q), ORGANISATIONS_PER_PAGE)
    page.items = accounts.memberships_of(current_user, q, page.per_page, page.offset)
    return render_template("account/organisations.html", page=page, q=q)


@bp.get("/geen-organisatie")
@login_required
def no_organisation():
    """Shown to a user who belongs to no organisation yet."""
    return render_template("account/no_organisation.html")
