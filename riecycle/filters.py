"""Jinja filters for Dutch dates, money and labels (the text formatting is riecycle/formatting.py).

The one place where templates get their filters and app-wide globals: register(app) adds them all.
Blueprint-local values stay in that blueprint, with @bp.context_processor (docs/architecture.md).
"""

from datetime import date

from flask_babel import format_decimal, get_locale
from flask_login import current_user
from markupsafe import Markup, escape

from riecycle import labels
from riecycle.formatting import fmt_date, fmt_datetime, fmt_money, fmt_pct

__all__ = [
    "fmt_date",
    "fmt_datetime",
    "fmt_money",
    "fmt_pct",
    "form_keys",
    "isodate",
    "nl2br",
    "options",
    "pct_step",
    "register",
    "score",
]


def nl2br(text):
    if not text:
        return ""
    return Markup("<br>").join(Markup.escape(text).split("\n"))


def options(choices, selected=None) -> Markup:
    """<option> elements for (value, text) pairs, the selected one marked.

    A large employer's team filter has hundreds of options; joining them here costs a fraction
    of a template loop.
    """
    chosen = None if selected is None else str(selected)
    html = "".join(
        f'<option value="{escape(value)}"{" selected" if str(value) == chosen else ""}>{escape(text)}</option>'
        for value, text in choices
    )
    return Markup(html)  # noqa: S704 - every value and text is escaped above


def pct_step(fraction) -> int:
    """A share (0-1) as a whole percentage 0-100, for the pw-/pl-/ph- size classes in app.css.

    Sizes are classes, not style attributes: the Content-Security-Policy has no 'unsafe-inline'.
    """
    try:
        value = round(float(fraction or 0) * 100)
    except (TypeError, ValueError):
        return 0
    return max(0, min(100, value))


def isodate(value) -> date | None:
    """An ISO date string from a plan version's snapshot, as a date (for the |date filter)."""
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def score(value) -> str:
    """An average on the 1-5 scale with one decimal, in the user's number format."""
    if value is None:
        return "—"
    return format_decimal(value, format="0.0")


def form_keys(form) -> Markup:
    """The hidden version and one-time token of a form, for templates: {{ form_keys(form) }}."""
    return Markup("").join(
        getattr(form, name)() for name in ("version_id", "form_token") if hasattr(form, name)
    )


def unread_notifications() -> int:
    """The header badge: counted only when a page shows it."""
    from riecycle.services.reminders import unread_count

    return unread_count(current_user) if current_user.is_authenticated else 0


def register(app) -> None:
    """Add every template filter and every app-wide template global to Jinja (the only place)."""
    from riecycle.permissions import template_helpers
    from riecycle.views.account import org_switcher

    app.jinja_env.filters.update(
        date=fmt_date,
        datetime=fmt_datetime,
        money=fmt_money,
        pct=fmt_pct,
        nl2br=nl2br,
        label=labels.label,
        options=options,
        pct_step=pct_step,
        isodate=isodate,
        score=score,
    )
    app.jinja_env.globals.update(
        get_locale=get_locale,
        labels=labels,
        form_keys=form_keys,
        org_switcher=org_switcher,
        unread_notifications=unread_notifications,
        **template_helpers(),
    )
