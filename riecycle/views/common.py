"""What views share: one helper around the service call, field errors, form data, who sees which
teams, and the figures more than one page draws (heatmap, pulse trends).

`save(action, form, record=...)` runs a service call the same way everywhere:

- on a `ServiceError` it rolls the transaction back and shows the message at the named field
  (or as a flash message when the form has no such field);
- on success it commits;
- when the form carries a `version_id` (`forms.common.VersionedForm`) and a record is given, a
  save on a version a colleague has since changed is refused with the 409 conflict page, which
  lists the values saved now next to the user's input (optimistic locking; the models bump
  `version_id` on every UPDATE, so two saves at the same moment are caught as well);
- when the form carries a one-time `form_token` (`forms.common.OnceForm`), the token is stored in
  the same transaction as the record, so a second submit of the same rendered form (a double
  click) saves nothing and lands on the first submit's result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    g,
    has_request_context,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError, InvalidRequestError
from sqlalchemy.orm.exc import StaleDataError

from riecycle import charts, clock
from riecycle.extensions import db
from riecycle.formatting import fmt_month
from riecycle.labels import label
from riecycle.models import UsedFormToken, User
from riecycle.models.base import utcnow
from riecycle.permissions import LEIDINGGEVENDE, can_view_measure, current_role, managed_team_ids
from riecycle.services import ServiceError, accounts, attachments, mfa
from riecycle.services import pulse as pulse_service
from riecycle.views.orgbp import CURRENT_ORG_KEY

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
# Used tokens are kept this long; a form left open longer simply saves again.
TOKEN_KEEP = timedelta(days=2)
_NOT_SHOWN = (
    "CSRFTokenField",
    "HiddenField",
    "FileField",
    "MultipleFileField",
    "SubmitField",
    "PasswordField",
)


@dataclass
class Saved:
    """The outcome of `save`: true when the service call succeeded and was committed."""

    ok: bool
    value: Any = None
    error: ServiceError | None = None

    def __bool__(self) -> bool:
        return self.ok


def field_error(form, error: ServiceError, *, on_form: bool = False) -> None:
    """Show a service error at its field, or else as a flash message (on_form: above the form)."""
    field = getattr(form, error.field, None) if (form is not None and error.field) else None
    if field is None and error.field == "file" and form is not None:
        field = getattr(form, "document", None)  # upload errors name the file field "file"
    if field is not None:
        field.errors = list(field.errors) + [error.message]
    elif on_form and form is not None:
        form.form_errors.append(error.message)
    else:
        flash(error.message, "error")


def form_data(form, *skip) -> dict:
    """The form's values for a service: without the CSRF token, file, button, version and token."""
    hidden = ("csrf_token", "file", "submit", "version_id", "form_token", *skip)
    return {k: v for k, v in form.data.items() if k not in hidden}


def pending_upload(field):
    """Read and check a chosen file before anything is changed; None when none chosen."""
    storage = field.data if field is not None else None
    if storage is None or not getattr(storage, "filename", ""):
        return None
    data = storage.stream.read(current_app.config["UPLOAD_MAX_BYTES"] + 1)
    attachments.validate_upload(storage.filename, data)
    return storage.filename, data


def save(action, form=None, *, record=None, errors: str = "field") -> Saved:
    """Run `action()` (a service call), then commit; on a ServiceError roll back and show it.

    `record` is the record an edit form changes; with a versioned form a stale save answers 409.
    `errors`: "field" shows a ServiceError at its field or else as a flash message; "flash" always
    as a flash message (forms that redirect instead of re-rendering); "form" above the form.
    """
    token = _form_token(form)
    if token is not None:
        _refuse_repeat(token)
    if record is not None:
        _check_version(form, record)
    try:
        if token is not None:
            _claim(token)
        value = action()
        if record is not None and getattr(record, "version_id", None) is not None:
            # Changing only links (teams, risks) does not touch the row: bump its version anyway.
            record.updated_at = utcnow()
        db.session.commit()
    except ServiceError as error:
        db.session.rollback()
        field_error(None if errors == "flash" else form, error, on_form=errors == "form")
        return Saved(False, error=error)
    except StaleDataError:
        db.session.rollback()
        if record is None:
            raise
        _conflict(form, record)
    if token is not None:
        g.form_token_used = token
    return Saved(True, value)


# --- optimistic locking ------------------------------------------------------------------


def _check_version(form, record) -> None:
    field = getattr(form, "version_id", None) if form is not None else None
    current = getattr(record, "version_id", None)
    if field is None or current is None:
        return
    posted = (field.raw_data or [None])[0] if field.raw_data is not None else None
    if posted in (None, ""):
        # A client that sends no version (an old form) saves as before.
        return
    try:
        expected = int(posted)
    except (TypeError, ValueError):
        expected = None
    if expected != current:
        _conflict(form, record)


def _conflict(form, record):
    """Answer 409: someone else changed the record; show what is saved now next to the input."""
    try:
        db.session.refresh(record)
    except InvalidRequestError:  # the colleague deleted it outright
        rows = []
    else:
        rows = _conflict_rows(form, record) if form is not None else []
    body = render_template(
        "conflict.html",
        message=_(
            "Iemand anders heeft dit intussen gewijzigd. Uw wijzigingen zijn niet opgeslagen, "
            "zodat die van uw collega niet verloren gaan."
        ),
        rows=rows,
        again_url=request.path,
    )
    abort(make_response(body, 409))


def _conflict_rows(form, record) -> list[dict]:
    rows = []
    for field in form:
        if field.type in _NOT_SHOWN or field.name in ("version_id", "form_token"):
            continue
        if not hasattr(type(record), field.name):
            continue
        theirs = _shown(field, getattr(record, field.name))
        yours = _shown(field, field.data)
        if theirs is None or yours is None:
            continue
        rows.append({"name": field.label.text, "theirs": theirs, "yours": yours, "same": theirs == yours})
    return rows


def _shown(field, value) -> str | None:
    """A value as the user reads it; None for values that are not a plain field (relations)."""
    if isinstance(value, list | tuple | set | dict) or hasattr(value, "__table__"):
        return None
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("ja") if value else _("nee")
    choices = getattr(field, "choices", None)
    if isinstance(choices, list | tuple):
        for choice in choices:
            if isinstance(choice, list | tuple) and len(choice) >= 2 and str(choice[0]) == str(value):
                return str(choice[1])
    if isinstance(value, datetime | date):
        return value.strftime("%d-%m-%Y")
    return str(value).replace("\r\n", "\n").strip()


# --- one-time form tokens ------------------------------------------------------------------


def _form_token(form) -> str | None:
    field = getattr(form, "form_token", None) if form is not None else None
    if field is None or request.method != "POST":
        return None
    value = (field.raw_data or [""])[0] if field.raw_data else ""
    return value if isinstance(value, str) and TOKEN_PATTERN.match(value) else None


def _user_id() -> int | None:
    return current_user.id if current_user and current_user.is_authenticated else None


def _refuse_repeat(token: str) -> None:
    used = db.session.get(UsedFormToken, token)
    if used is not None:
        _repeat(used)


def _claim(token: str) -> None:
    """Store the token before the service runs; a second submit running at the same moment waits
    for this one's transaction and then finds the token taken."""
    db.session.execute(delete(UsedFormToken).where(UsedFormToken.created_at < utcnow() - TOKEN_KEEP))
    db.session.add(UsedFormToken(token=token, user_id=_user_id()))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        _repeat(db.session.get(UsedFormToken, token))


def _repeat(used: UsedFormToken | None):
    """A second submit of the same form: nothing is saved; go to the first submit's result."""
    db.session.rollback()
    message = _("Dit formulier was al verzonden. Het is één keer opgeslagen, niet nog een keer.")
    if used is not None and used.result_url and used.user_id == _user_id():
        flash(message, "info")
        abort(redirect(used.result_url))
    body = render_template("conflict.html", message=message, rows=[], again_url=None, repeat=True)
    abort(make_response(body, 409))


def _remember_result(response):
    """After a create that used a token, store where it led, for a repeated submit."""
    token = g.pop("form_token_used", None) if has_request_context() else None
    location = response.headers.get("Location", "") if response.status_code in (301, 302, 303) else ""
    if token and location.startswith("/") and not location.startswith("//") and len(location) <= 500:
        db.session.execute(
            update(UsedFormToken).where(UsedFormToken.token == token).values(result_url=location)
        )
        db.session.commit()
    return response


def register(app) -> None:
    app.after_request(_remember_result)


# --- who sees what, shared by several areas -------------------------------------------------


def visible_team_ids() -> set[int] | None:
    """Teams whose risks and pulse results this member sees: a leidinggevende their own, others
    all (None)."""
    return managed_team_ids() if current_role() == LEIDINGGEVENDE else None


def visible_measures(measures) -> list:
    """The measures the current member may see (riecycle.access decides)."""
    return [m for m in measures if can_view_measure(m)]


# --- figures drawn on more than one page ------------------------------------------------------


def heatmap_figures(org, data, open_table: bool = False) -> list:
    """The heatmap grids of services.risks.heatmap drawn as SVG (one per method used); each cell
    links to the filtered risk register. The heatmap page and the dashboard draw these."""
    figures = []
    for grid in data.grids:
        title = _("Risico's: %(m)s", m=label(grid.method, "risk_method"))

        def link(kans, effect, method=grid.method):
            return url_for("rie.risks", kans=kans, effect=effect, methode=method, status="actief")

        figures.append(charts.heatmap(grid, title, link, open_table=open_table))
    return figures


def trend_charts(survey, team_ids, today, limit=12, all_rounds=None):
    """Small multiples per team (response bars, score line on the plan's factors) + histories.
    The pulse pages and the dashboard draw these."""
    round_list, histories = pulse_service.team_histories(
        survey, team_ids, today, limit=limit, all_rounds=all_rounds
    )
    minimum = pulse_service.min_respondents()
    figures = []
    for history in histories:
        scores, hidden = [], []
        for pulse_round, result in zip(round_list, history.results, strict=True):
            keys = pulse_service.factor_keys_of(pulse_round) or pulse_round.item_keys
            scores.append(result.mean_of(keys) if result is not None and result.visible else None)
            hidden.append(result is not None and not result.visible and not result.pending)
        note = _("Dalende respons") if history.falling else ""
        figures.append(
            charts.team_trend(
                charts.TeamTrend(
                    history.team_name,
                    [fmt_month(r.opens_on) for r in round_list],
                    [res.rate if res is not None else None for res in history.results],
                    scores,
                    hidden,
                    bool(history.falling),
                    note,
                ),
                _("gemiddelde op de werkdrukfactoren"),
                minimum,
            )
        )
    return round_list, histories, figures


# --- logging in and out (the login page, the account page after a password change) ----------


KEPT_ACROSS_LOGIN = ("lang",)  # the language chosen on the login page is not a secret


def _fresh_session() -> None:
    kept = {key: session[key] for key in KEPT_ACROSS_LOGIN if key in session}
    session.clear()
    session.update(kept)


LOGIN_METHOD_KEY = "login_method"
# A login waiting for its second factor: who, for how long (signed session; grants nothing).
MFA_PENDING_KEY = "mfa_pending"
# This session must enrol a second factor before it can reach anything else (views/mfa.py).
MFA_ENROL_KEY = "mfa_enrol"


def start_login(
    user,
    remember: bool = False,
    method: str = "password",
    *,
    second_factor_done: bool = False,
    new_sign_in: bool = True,
) -> bool:
    """Log in on a fresh session: a new server-side session id, a new cookie, a new CSRF token.

    The caller has flushed the user; this commits the new session row, and the organisation
    this browser worked in before (an expired session's), when the user is a member of it.
    `method` says how the user proved who they are: "password", or mfa.sso_method(org id) for
    the organisation whose identity provider signed the user in. It is kept in the signed
    session for the second-factor rules.

    Returns False when the user must still give a second-factor code (services/mfa.py): nobody is
    logged in then; the signed session only says who is waiting, for a few minutes, and the code
    page (views/mfa.py) finishes the login with `second_factor_done=True`. The user's
    last_login_at is set only then, when the login is complete (not after a password change,
    `new_sign_in=False`, which only moves this device to a fresh session).
    """
    if not second_factor_done and mfa.code_needed(user, method):
        db.session.commit()
        _fresh_session()
        expires = clock.now().timestamp() + current_app.config["MFA_PENDING_MINUTES"] * 60
        session[MFA_PENDING_KEY] = {
            "u": user.id,
            "s": user.session_token,
            "r": bool(remember),
            "m": method,
            "x": expires,
        }
        return False
    accounts.remember_organisation(user, session.get(CURRENT_ORG_KEY))
    accounts.start_session(user, remember=remember)
    if new_sign_in:
        user.last_login_at = clock.now()
    enrol = mfa.must_enrol(user, method)
    db.session.commit()
    _fresh_session()  # nothing of the anonymous session (its CSRF token) survives the login
    session[LOGIN_METHOD_KEY] = method
    if enrol:
        session[MFA_ENROL_KEY] = True
    login_user(user, remember=remember)
    return True


def pending_login():
    """(user, remember, method) of a login waiting for its second factor; None when there is none,
    it has expired, or the account changed since (password reset, deactivated)."""
    pending = session.get(MFA_PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    user = db.session.get(User, pending.get("u")) if isinstance(pending.get("u"), int) else None
    fresh = isinstance(pending.get("x"), (int, float)) and pending["x"] > clock.now().timestamp()
    if user is None or not fresh or not user.active or user.session_token != pending.get("s"):
        session.pop(MFA_PENDING_KEY, None)
        return None
    return user, bool(pending.get("r")), pending.get("m") or "password"


def end_login() -> None:
    """Log out: end the server-side session, so copies of the cookies stop working too.

    The organisation this browser worked in last is saved on the user, for the next login."""
    if current_user.is_authenticated:
        accounts.remember_organisation(current_user, session.get(CURRENT_ORG_KEY))
        accounts.end_session(current_user.current_session_id)
        db.session.commit()
    logout_user()
    _fresh_session()
