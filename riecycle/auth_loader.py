"""Flask-Login's user loader: ids carry a server-side session id, so logout really ends a session."""

from riecycle.services import accounts

MAX_ID_DIGITS = 18  # fits a 64-bit integer column on every database


def load_user(user_id: str):
    """Load the user for a session id of the form '<user id>:<session id>' while that session lives."""
    raw_id, _, session_id = (user_id or "").partition(":")
    if not raw_id.isdigit() or len(raw_id) > MAX_ID_DIGITS or not session_id or len(session_id) > 64:
        return None
    return accounts.user_for_session(int(raw_id), session_id)
