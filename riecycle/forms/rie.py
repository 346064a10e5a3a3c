"""Forms for the RI&E, toetsing, OR/PVT instemming, risks, evaluations and verdiepend onderzoek."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    FloatField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from riecycle.forms.common import OnceForm, VersionedForm
from riecycle.forms.fields import DateField, IntegerField, coerce_optional_int, form_int
from riecycle.labels import choices
from riecycle.models.rie import GroupKind, Priority, ResultScope, RiskScope

DATE_MSG = _l("Vul een geldige datum in.")
NUMBER_MSG = _l("Vul een heel getal in.")


class RieForm(OnceForm):
    performed_on = DateField(_l("Datum RI&E"), validators=[DataRequired(DATE_MSG)])
    scope = TextAreaField(_l("Reikwijdte"), validators=[Optional(), Length(max=4000)])
    performed_by = StringField(_l("Uitgevoerd door"), validators=[Optional(), Length(max=200)])
    performed_by_kind = RadioField(
        _l("Intern of extern"),
        choices=choices("performed_by_kind"),
        default="intern",
        validators=[InputRequired(_l("Kies intern of extern."))],
    )
    instrument = StringField(_l("Instrument"), validators=[Optional(), Length(max=200)])
    instrument_erkend = BooleanField(_l("Het instrument is erkend (branche-RI&E)"))
    review_interval_months = IntegerField(
        _l("Herzieningstermijn (maanden)"),
        default=36,
        validators=[InputRequired(NUMBER_MSG), NumberRange(1, 120, _l("Kies 1 tot 120 maanden."))],
    )
    hybrid_work_considered = BooleanField(_l("Hybride en plaatsonafhankelijk werken is meegenomen"))
    hybrid_work_notes = TextAreaField(
        _l("Hoe is hybride werken meegenomen?"), validators=[Optional(), Length(max=4000)]
    )
    make_current = BooleanField(_l("Maak dit de huidige versie"), default=True)
    file = FileField(_l("Document toevoegen (bijv. het RI&E-rapport)"))


class DocumentForm(OnceForm):
    file = FileField(_l("Document"))


class ToetsingForm(OnceForm):
    expert_kind = RadioField(
        _l("Getoetst door"),
        choices=choices("expert_kind"),
        default="kerndeskundige",
        validators=[InputRequired(_l("Kies kerndeskundige of arbodienst."))],
    )
    expert_name = StringField(
        _l("Naam kerndeskundige of arbodienst"),
        validators=[DataRequired(_l("Vul een naam in.")), Length(max=200)],
    )
    registration = StringField(
        _l("Registratienummer (certificaat)"), validators=[Optional(), Length(max=100)]
    )
    tested_on = DateField(_l("Datum toetsing"), validators=[DataRequired(DATE_MSG)])
    advice_summary = TextAreaField(
        _l("Samenvatting van het advies"), validators=[Optional(), Length(max=8000)]
    )
    toets_type = SelectField(
        _l("Soort toetsing (sinds 1 juli 2022)"),
        choices=[
            ("", _l("— niet vastgelegd —")),
            ("beide", _l("Systeemtoets en scopetoets")),
            ("systeemtoets", _l("Alleen systeemtoets")),
            ("scopetoets", _l("Alleen scopetoets")),
        ],
        validators=[Optional()],
    )
    file = FileField(_l("Toetsingsrapport"))


class SubmitForm(FlaskForm):
    submitted_on = DateField(_l("Voorgelegd op"), validators=[DataRequired(DATE_MSG)])


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("Besluit"),
        choices=[
            ("verleend", _l("Instemming verleend")),
            ("geweigerd", _l("Instemming geweigerd")),
            ("advies", _l("Advies")),
        ],
        validators=[InputRequired(_l("Kies een besluit."))],
    )
    decided_on = DateField(_l("Datum besluit"), validators=[DataRequired(DATE_MSG)])
    remarks = TextAreaField(_l("Opmerkingen"), validators=[Optional(), Length(max=8000)])
    file = FileField(_l("Besluit of advies (document)"))


class RiskForm(VersionedForm, OnceForm):
    title = StringField(
        _l("Titel"), validators=[DataRequired(_l("Geef het knelpunt een korte titel.")), Length(max=200)]
    )
    theme_key = SelectField(_l("PSA-thema"), validators=[DataRequired(_l("Kies een PSA-thema."))])
    factor_keys = SelectMultipleField(_l("Werkdrukfactoren (Werkdruk Wegwijzer)"), validate_choice=False)
    description = TextAreaField(
        _l("Beschrijving"),
        validators=[
            DataRequired(_l("Beschrijf wat er speelt, de oorzaak, wanneer en wie het raakt.")),
            Length(max=8000),
        ],
    )
    scope = RadioField(
        _l("Voor wie"),
        choices=choices("risk_scope"),
        default=RiskScope.ORGANISATIE,
        validators=[InputRequired(_l("Kies voor wie het risico geldt."))],
    )
    team_ids = SelectMultipleField(_l("Team(s)"), coerce=form_int, validate_choice=False)
    function_group = StringField(_l("Functiegroep"), validators=[Optional(), Length(max=200)])
    source = SelectField(_l("Bron"), choices=choices("risk_source"))
    onderzoek_id = SelectField(
        _l("Uit verdiepend onderzoek"), coerce=coerce_optional_int, validate_choice=False
    )
    status = SelectField(_l("Status"), choices=choices("risk_status"))
    status_reason = TextAreaField(
        _l("Reden (verplicht bij niet van toepassing)"), validators=[Optional(), Length(max=4000)]
    )
    team_bound_reason = TextAreaField(
        _l("Waarom teamgebonden? (optioneel)"), validators=[Optional(), Length(max=4000)]
    )
    grondoorzaak = TextAreaField(_l("Grondoorzaak"), validators=[Optional(), Length(max=4000)])
    restrisico = SelectField(
        _l("Restrisico (verwacht na de maatregelen)"),
        choices=[
            ("", _l("— niet vastgelegd —")),
            (Priority.LAAG, _l("Laag")),
            (Priority.MIDDEL, _l("Middel")),
            (Priority.HOOG, _l("Hoog")),
        ],
        validators=[Optional()],
    )


class EvaluationForm(OnceForm):
    kans = SelectField(
        _l("Kans"),
        coerce=coerce_optional_int,
        validate_choice=False,
        validators=[InputRequired(_l("Kies een kans."))],
    )
    frequentie = SelectField(
        _l("Frequentie (blootstelling)"),
        coerce=coerce_optional_int,
        validate_choice=False,
        validators=[Optional()],
    )
    effect = SelectField(
        _l("Effect"),
        coerce=coerce_optional_int,
        validate_choice=False,
        validators=[InputRequired(_l("Kies een effect."))],
    )
    evaluated_on = DateField(_l("Datum beoordeling"), validators=[DataRequired(DATE_MSG)])
    note = TextAreaField(
        _l("Toelichting (bijv. welke maatregelen het effect hadden)"),
        validators=[Optional(), Length(max=4000)],
    )


class OnderzoekForm(OnceForm):
    title = StringField(
        _l("Naam"), validators=[DataRequired(_l("Geef het onderzoek een naam.")), Length(max=200)]
    )
    instrument = StringField(_l("Instrument (vragenlijst)"), validators=[Optional(), Length(max=200)])
    period_start = DateField(_l("Begin"), validators=[DataRequired(DATE_MSG)])
    period_end = DateField(_l("Einde"), validators=[Optional()])
    invited = IntegerField(_l("Uitgenodigd"), validators=[Optional(), NumberRange(1, 1_000_000, NUMBER_MSG)])
    respondents = IntegerField(
        _l("Respondenten"), validators=[Optional(), NumberRange(0, 1_000_000, NUMBER_MSG)]
    )
    reveals_causes = BooleanField(_l("De vragen brengen oorzaken in beeld"))
    anonymous = BooleanField(_l("Antwoorden zijn anoniem"))
    discussed_on = DateField(_l("Besproken met medewerkers op"), validators=[Optional()])
    summary = TextAreaField(_l("Belangrijkste uitkomsten"), validators=[Optional(), Length(max=8000)])


def theme_form(themes, data=None):
    """One radio (behandeld / niet van toepassing) and a reason per PSA theme."""

    class ThemeForm(FlaskForm):
        pass

    for theme in themes:
        setattr(
            ThemeForm,
            f"applicable_{theme.key}",
            RadioField(
                theme.local_name,
                choices=[("1", _l("Behandeld in de RI&E")), ("0", _l("Niet van toepassing"))],
                validators=[InputRequired(_l("Kies behandeld of niet van toepassing."))],
            ),
        )
        setattr(
            ThemeForm,
            f"reason_{theme.key}",
            TextAreaField(_l("Reden of toelichting"), validators=[Optional(), Length(max=4000)]),
        )
    return ThemeForm(data=data)


def team_result_form(factors, data=None):
    """A team's respondents and an optional 1-5 score per Wegwijzer factor."""

    class TeamResultForm(FlaskForm):
        team_id = SelectField(
            _l("Team"),
            coerce=coerce_optional_int,
            validate_choice=False,
            validators=[DataRequired(_l("Kies een team."))],
        )
        invited = IntegerField(
            _l("Uitgenodigd in dit team"), validators=[Optional(), NumberRange(1, 1_000_000, NUMBER_MSG)]
        )
        respondents = IntegerField(
            _l("Respondenten in dit team"),
            validators=[InputRequired(NUMBER_MSG), NumberRange(0, 1_000_000, NUMBER_MSG)],
        )

    for factor in factors:
        setattr(
            TeamResultForm,
            f"score_{factor.key}",
            FloatField(
                factor.local_name,
                validators=[Optional(), NumberRange(1, 5, _l("Een score ligt tussen 1 en 5."))],
            ),
        )
    return TeamResultForm(data=data)


def group_result_form(factors, teams, data=None):
    """Results of a group of teams (afdeling, functiegroep) or the whole organisation: the respondents
    per team in it, and an optional 1-5 score per factor."""

    class GroupResultForm(FlaskForm):
        scope = SelectField(
            _l("Resultaten van"),
            choices=[
                (ResultScope.GROEP, _l("Een groep van teams")),
                (ResultScope.ORGANISATIE, _l("De hele organisatie")),
            ],
        )
        group_kind = SelectField(
            _l("Soort groep"),
            choices=[(GroupKind.AFDELING, _l("Afdeling")), (GroupKind.FUNCTIEGROEP, _l("Functiegroep"))],
        )
        group_name = StringField(_l("Naam van de groep"), validators=[Optional(), Length(max=120)])
        invited = IntegerField(
            _l("Uitgenodigd in de groep"), validators=[Optional(), NumberRange(1, 1_000_000, NUMBER_MSG)]
        )

    for team in teams:
        setattr(
            GroupResultForm,
            f"members_{team.id}",
            IntegerField(team.name, validators=[Optional(), NumberRange(0, 1_000_000, NUMBER_MSG)]),
        )
    for factor in factors:
        setattr(
            GroupResultForm,
            f"score_{factor.key}",
            FloatField(
                factor.local_name,
                validators=[Optional(), NumberRange(1, 5, _l("Een score ligt tussen 1 en 5."))],
            ),
        )
    return GroupResultForm(data=data)
