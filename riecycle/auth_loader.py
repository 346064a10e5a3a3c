"""Flask-Login's user loader: ids carry a session token so a password reset logs out everywhere."""

from riecycle.extensions import db
from riecycle.models import User


def load_user(user_id: str):
    """Load the user for a session id of the form '<id>:<session_token>'."""
    raw_id, _, token = (user_id or "").partition(":")
    if not raw_id.isdigit():
        return None
    user = db.session.get(User, int(raw_id))
    if user is None or not token or user.session_token != token:
        return None
    return user
