"""The form to make the report "RI&E en Plan van Aanpak PSA"."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import Optional

from riecycle import labels
from riecycle.forms.fields import DateField

FORMATS = [("pdf", _l("PDF")), ("docx", _l("Word (.docx)"))]
LANGUAGES = [("nl", _l("Nederlands")), ("en", _l("Engels"))]
AUDIENCES = labels.choices("report_audience")


class ReportForm(FlaskForm):
    format = SelectField(_l("Formaat"), choices=FORMATS)
    lang = SelectField(_l("Taal"), choices=LANGUAGES)
    audience = SelectField(_l("Voor wie"), choices=AUDIENCES)
    as_of = DateField(_l("Stand per (leeg: vandaag)"), validators=[Optional()])
