"""Jinja filters for Dutch dates, money and labels (the text formatting is riecycle/formatting.py)."""

from flask_babel import get_locale
from markupsafe import Markup, escape

from riecycle import labels
from riecycle.formatting import fmt_date, fmt_datetime, fmt_money, fmt_pct

__all__ = ["fmt_date", "fmt_datetime", "fmt_money", "fmt_pct", "nl2br", "options", "pct_step", "register"]


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


def register(app) -> None:
    """Add the filters and the label lookup to Jinja."""
    app.jinja_env.filters.update(
        date=fmt_date,
        datetime=fmt_datetime,
        money=fmt_money,
        pct=fmt_pct,
        nl2br=nl2br,
        label=labels.label,
        options=options,
        pct_step=pct_step,
    )
    app.jinja_env.globals.update(get_locale=get_locale, labels=labels)
