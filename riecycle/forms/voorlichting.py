"""Forms for voorlichting sessions, materials and the attendance register."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from riecycle.forms.common import OnceForm, VersionedForm
from riecycle.forms.fields import DateField, IntegerField, coerce_optional_int, form_int
from riecycle.labels import choices


class SessionForm(VersionedForm, OnceForm):
    topic = StringField(_l("Onderwerp"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Inhoud en doel"), validators=[Optional(), Length(max=5000)])
    audience = SelectField(_l("Doelgroep"), choices=choices("audience"))
    team_ids = SelectMultipleField(_l("Teams"), coerce=form_int, validate_choice=False)
    is_leidinggevenden_instructie = BooleanField(
        _l("Instructie voor leidinggevenden: signalen van werkstress en ongewenst gedrag herkennen")
    )
    session_date = DateField(_l("Datum"), validators=[DataRequired(_l("Geef een geldige datum op."))])
    start_time = TimeField(_l("Begintijd"), validators=[Optional()])
    end_time = TimeField(_l("Eindtijd"), validators=[Optional()])
    location = StringField(_l("Locatie"), validators=[Optional(), Length(max=200)])
    online_link = StringField(_l("Online link"), validators=[Optional(), Length(max=500)])
    presenter = StringField(_l("Wie geeft de voorlichting"), validators=[Optional(), Length(max=200)])
    organiser_id = SelectField(
        _l("Organisator (krijgt de herinnering)"), coerce=coerce_optional_int, validate_choice=False
    )
    recurrence = SelectField(_l("Herhaling"), choices=choices("recurrence"))
    newcomer_weeks = IntegerField(
        _l("Nieuwkomers binnen zoveel weken na hun start"),
        validators=[Optional(), NumberRange(min=1, max=52)],
    )
    risk_ids = SelectMultipleField(_l("Risico's waarover het gaat"), coerce=form_int, validate_choice=False)
    measure_ids = SelectMultipleField(
        _l("Maatregelen die worden toegelicht"), coerce=form_int, validate_choice=False
    )


class MaterialForm(OnceForm):
    file = FileField(
        _l("Materiaal (presentatie, handout)"), validators=[FileRequired(_l("Kies een bestand."))]
    )
