"""Locale and time zone selection: Dutch unless the user chose English."""

from flask import current_app, request, session
from flask_login import current_user


def select_locale() -> str:
    """The user's language, else the session's choice, else Dutch."""
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("lang") if request else None
    return chosen if chosen in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["TIMEZONE"]
