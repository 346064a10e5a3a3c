"""Forms for the policy register and the incident log."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from riecycle.forms.common import OnceForm, VersionedForm
from riecycle.forms.fields import DateField, IntegerField, coerce_optional_int, form_int
from riecycle.labels import choices


class InstrumentForm(VersionedForm, OnceForm):
    name = StringField(_l("Naam of titel"), validators=[DataRequired(), Length(max=200)])
    status = SelectField(_l("Status"), choices=choices("instrument_status"))
    adopted_on = DateField(_l("Vastgesteld op"), validators=[Optional()])
    details = TextAreaField(_l("Toelichting"), validators=[Optional(), Length(max=5000)])
    vp_kind = SelectField(_l("Intern of extern"), choices=choices("vp_kind"), validators=[Optional()])
    contact = StringField(_l("Bereikbaarheid"), validators=[Optional(), Length(max=300)])
    trained = BooleanField(_l("Opgeleid als vertrouwenspersoon"))
    trained_on = DateField(_l("Opleiding afgerond op"), validators=[Optional()])
    annual_report_year = IntegerField(_l("Laatste jaarverslag over het jaar"), validators=[Optional()])
    annual_report_on = DateField(_l("Jaarverslag uitgebracht op"), validators=[Optional()])
    anonymous_contact = BooleanField(_l("Medewerkers kunnen anoniem contact opnemen"))
    committee = StringField(_l("Klachtencommissie"), validators=[Optional(), Length(max=200)])
    communicated_on = DateField(_l("Bekendgemaakt op"), validators=[Optional()])
    communication = StringField(_l("Hoe bekendgemaakt"), validators=[Optional(), Length(max=300)])
    session_ids = SelectMultipleField(_l("Besproken in voorlichting"), coerce=form_int, validate_choice=False)
    document = FileField(_l("Document toevoegen"))


class AppointmentForm(OnceForm):
    user_id = SelectField(_l("Gebruiker"), coerce=coerce_optional_int, validate_choice=False)
    name = StringField(_l("Of naam (als het geen gebruiker is)"), validators=[Optional(), Length(max=200)])
    since = DateField(_l("Preventiemedewerker sinds"), validators=[DataRequired(_l("Vul een datum in."))])
    until = DateField(_l("Tot en met"), validators=[Optional()])
    or_instemming_on = DateField(_l("Instemming OR/PVT op"), validators=[Optional()])
    hours_per_week = IntegerField(
        _l("Beschikbare uren per week"), validators=[Optional(), NumberRange(0, 80)]
    )
    tasks = TextAreaField(_l("Taken"), validators=[Optional(), Length(max=5000)])
    training = StringField(_l("Opleiding of cursus"), validators=[Optional(), Length(max=300)])
    trained_on = DateField(_l("Opleiding afgerond op"), validators=[Optional()])


class ContractForm(OnceForm):
    provider = StringField(_l("Arbodienst of bedrijfsarts"), validators=[DataRequired(), Length(max=200)])
    since = DateField(_l("Contract sinds"), validators=[DataRequired(_l("Vul een datum in."))])
    until = DateField(_l("Tot en met"), validators=[Optional()])
    notes = TextAreaField(_l("Toelichting"), validators=[Optional(), Length(max=5000)])
    document = FileField(_l("Contract (document) toevoegen"))


class IncidentForm(VersionedForm, OnceForm):
    occurred_on = DateField(_l("Datum"), validators=[DataRequired(_l("Vul een datum in."))])
    theme_key = SelectField(_l("Thema"), validate_choice=False)
    team_id = SelectField(_l("Team"), coerce=coerce_optional_int, validate_choice=False)
    party = SelectField(_l("Veroorzaakt door"), choices=choices("incident_party"))
    description = TextAreaField(
        _l("Wat gebeurde er (zonder namen)"), validators=[DataRequired(), Length(max=5000)]
    )
    opvang_done = BooleanField(_l("Opvang gegeven"))
    opvang_on = DateField(_l("Opvang op"), validators=[Optional()])
    follow_up = TextAreaField(
        _l("Nazorg en vervolg (zonder namen)"), validators=[Optional(), Length(max=5000)]
    )
    measure_id = SelectField(_l("Gekoppelde maatregel"), coerce=coerce_optional_int, validate_choice=False)


class AnalysisForm(OnceForm):
    analysed_on = DateField(_l("Geanalyseerd op"), validators=[DataRequired(_l("Vul een datum in."))])
    period_start = DateField(_l("Periode van"), validators=[DataRequired(_l("Vul een datum in."))])
    period_end = DateField(_l("Periode tot en met"), validators=[DataRequired(_l("Vul een datum in."))])
    conclusions = TextAreaField(
        _l("Wat laten de meldingen zien en wat doen we ermee"), validators=[DataRequired(), Length(max=5000)]
    )
    discussed_with_or = BooleanField(_l("Besproken met directie en OR/PVT"))
