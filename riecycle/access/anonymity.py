"""The anonymity threshold for team results (onderzoek and pulse), read from config.

It lives here, below services, so that access (the audit mask) and the services share one source.
"""

from flask import current_app


def min_respondents() -> int:
    """Team results are shown from this many respondents on (config, never below 3)."""
    return max(3, int(current_app.config.get("PULSE_MIN_RESPONDENTS", 5) or 5))
