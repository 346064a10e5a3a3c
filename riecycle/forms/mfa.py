"""The second-factor code form: the code after the password, enrolment, switching off, new recovery
codes. The organisation's rule is MfaSettingsForm in forms/organisation.py."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(_l("Vul de code in.")), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"},
    )
