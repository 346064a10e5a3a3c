"""Form bases shared by every area: optimistic locking and one-time tokens (see views/common.py)."""

import secrets

from flask_wtf import FlaskForm
from wtforms import HiddenField


def new_form_token() -> str:
    return secrets.token_urlsafe(24)


class VersionedForm(FlaskForm):
    """An edit form that carries the version of the record it was loaded from."""

    version_id = HiddenField()


class OnceForm(FlaskForm):
    """A create form with a token made per render; a second submit of the same token saves nothing."""

    form_token = HiddenField(default=new_form_token)
