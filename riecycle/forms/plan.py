"""Forms for the Plan van Aanpak: measures, status, notes, catalogue, scores and the OR review."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from riecycle.forms.common import OnceForm
from riecycle.forms.fields import DateField, IntegerField, coerce_optional_int, form_int
from riecycle.labels import choices


def coerce_int_list_item(value):
    return form_int(value)


class MeasureForm(OnceForm):
    title = StringField(
        _l("Titel"), validators=[DataRequired(_l("Geef de maatregel een titel.")), Length(max=200)]
    )
    description = TextAreaField(
        _l("Beschrijving (SMART: wat, wanneer, wie)"), validators=[Optional(), Length(max=10000)]
    )
    risk_ids = SelectMultipleField(
        _l("Risico's waar deze maatregel iets aan doet"), coerce=coerce_int_list_item, validate_choice=False
    )
    level = RadioField(
        _l("Niveau"), choices=choices("level"), validators=[DataRequired(_l("Kies het niveau."))]
    )
    team_ids = SelectMultipleField(_l("Team(s)"), coerce=coerce_int_list_item, validate_choice=False)
    employee_id = SelectField(_l("Medewerker"), coerce=coerce_optional_int, validate_choice=False)
    approach = SelectField(_l("Aanpak"), choices=choices("approach"))
    responsible_id = SelectField(_l("Verantwoordelijke"), coerce=coerce_optional_int, validate_choice=False)
    start_date = DateField(_l("Startdatum"), validators=[Optional()])
    termijn = DateField(
        _l("Termijn (klaar op)"), validators=[DataRequired(_l("Vul een geldige termijn in."))]
    )
    budget_eur = StringField(_l("Budget (€)"), validators=[Optional(), Length(max=20)])
    effort = StringField(_l("Inzet (uren, mensen, middelen)"), validators=[Optional(), Length(max=200)])
    quick_win = BooleanField(_l("Quick win: snel resultaat met weinig moeite"))
    change_type = RadioField(_l("Soort maatregel"), choices=choices("change_type"), default="eenvoudig")
    pilot = BooleanField(_l("Eerst als pilot in een kleine groep, daarna organisatiebreed"))
    catalogue_key = HiddenField()
    version_id = HiddenField()
    original = HiddenField()


class StatusForm(FlaskForm):
    to_status = SelectField(_l("Nieuwe status"), choices=choices("measure_status"), validate_choice=False)
    on = DateField(_l("Datum"), validators=[Optional()])
    reason = TextAreaField(_l("Reden of toelichting"), validators=[Optional(), Length(max=5000)])


class NoteForm(OnceForm):
    noted_on = DateField(_l("Datum"), validators=[Optional()])
    text = TextAreaField(
        _l("Voortgang"), validators=[DataRequired(_l("Schrijf wat er gebeurd is.")), Length(max=10000)]
    )


class DocumentForm(OnceForm):
    file = FileField(_l("Bewijsstuk"), validators=[FileRequired(_l("Kies een bestand."))])


class CatalogueEntryForm(OnceForm):
    title = StringField(_l("Titel"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Beschrijving"), validators=[DataRequired(), Length(max=10000)])
    level = SelectField(_l("Niveau"), choices=choices("level"))
    approach = SelectField(_l("Aanpak"), choices=choices("approach"))
    themes = SelectMultipleField(_l("PSA-thema's"), validate_choice=False)
    factors = SelectMultipleField(_l("Factoren (werkdrukbronnen en energiebronnen)"), validate_choice=False)
    quick_win = BooleanField(_l("Quick win"))
    change_type = SelectField(_l("Soort maatregel"), choices=choices("change_type"))


class ScoreForm(FlaskForm):
    note = TextAreaField(_l("Toelichting"), validators=[Optional(), Length(max=5000)])


class SubmitPlanForm(OnceForm):
    note = TextAreaField(_l("Toelichting voor de OR/PVT"), validators=[Optional(), Length(max=5000)])


class CommentForm(OnceForm):
    measure_id = SelectField(_l("Over"), coerce=coerce_optional_int, validate_choice=False)
    text = TextAreaField(
        _l("Opmerking"), validators=[DataRequired(_l("Schrijf uw opmerking.")), Length(max=5000)]
    )


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("Besluit"),
        choices=[
            ("verleend", _l("Instemming verleend")),
            ("geweigerd", _l("Instemming geweigerd")),
            ("aangehouden", _l("Aangehouden (later besluit)")),
        ],
        validators=[DataRequired(_l("Kies het besluit."))],
    )
    decided_on = DateField(_l("Datum besluit"), validators=[DataRequired(_l("Vul een geldige datum in."))])
    remarks = TextAreaField(_l("Opmerkingen bij het besluit"), validators=[Optional(), Length(max=10000)])
    document = FileField(_l("Besluitdocument (optioneel)"))


class TeamBoundForm(FlaskForm):
    reason = TextAreaField(
        _l("Waarom is dit risico teamgebonden?"), validators=[Optional(), Length(max=2000)]
    )


class ParticipationForm(OnceForm):
    plan_version_id = SelectField(_l("Versie"), coerce=coerce_optional_int, validate_choice=False)
    method = SelectField(
        _l("Hoe dachten medewerkers mee"),
        choices=[
            ("werkgroep", _l("Werkgroep")),
            ("teamoverleg", _l("Teamoverleg")),
            ("vragenlijst", _l("Vragenlijst")),
        ],
    )
    held_on = DateField(_l("Wanneer"), validators=[DataRequired(_l("Vul een datum in."))])
    participants = IntegerField(
        _l("Aantal deelnemende medewerkers"), validators=[DataRequired(_l("Vul een aantal in."))]
    )
    notes = TextAreaField(_l("Toelichting (zonder namen)"), validators=[Optional(), Length(max=4000)])
