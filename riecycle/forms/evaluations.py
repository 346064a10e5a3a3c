"""Forms for planning and recording evaluations and creating follow-up measures."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FloatField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from riecycle.forms.common import OnceForm, VersionedForm
from riecycle.forms.fields import DateField, coerce_optional_int, form_int
from riecycle.labels import choices


class EvaluationPlanForm(VersionedForm, OnceForm):
    kind = SelectField(_l("Wat evalueert u?"), choices=choices("evaluation_kind"))
    measure_id = SelectField(_l("Maatregel"), coerce=coerce_optional_int, validate_choice=False)
    theme_key = SelectField(_l("Thema"), validate_choice=False)
    method = SelectField(_l("Methode"), choices=choices("evaluation_method"))
    is_repeat_measurement = BooleanField(_l("Herhaalde meting van dezelfde werkdruk- en energiebronnen"))
    planned_on = DateField(_l("Geplande datum"), validators=[Optional()])
    responsible_id = SelectField(_l("Verantwoordelijk"), coerce=coerce_optional_int, validate_choice=False)


class OutcomeForm(VersionedForm):
    done_on = DateField(
        _l("Datum van de evaluatie"), validators=[DataRequired(_l("Geef een geldige datum op."))]
    )
    # No default: the evaluator chooses the effect (a preset "Opgelost" would steer the outcome).
    effect = SelectField(
        _l("Effect op het knelpunt"),
        choices=[("", _l("— kies het effect —"))] + choices("effect"),
        validators=[DataRequired(_l("Kies het effect op het knelpunt."))],
    )
    implementation_rating = SelectField(
        _l("Hoe ging de uitvoering? (1 = slecht, 5 = goed)"),
        coerce=coerce_optional_int,
        choices=[("", "—")] + [(i, str(i)) for i in range(1, 6)],
        validate_choice=False,
    )
    satisfaction = SelectField(
        _l("Tevredenheid van de betrokkenen (1-5)"),
        coerce=coerce_optional_int,
        choices=[("", "—")] + [(i, str(i)) for i in range(1, 6)],
        validate_choice=False,
    )
    conclusion = TextAreaField(_l("Conclusie"), validators=[DataRequired(), Length(max=5000)])


def outcome_form(factors, **kwargs) -> OutcomeForm:
    """The outcome form; for an effect measurement also a 1-5 score per factor it asked (E22)."""

    class EffectMeasurementForm(OutcomeForm):
        pass

    for factor in factors:
        setattr(
            EffectMeasurementForm,
            f"score_{factor.key}",
            FloatField(
                factor.local_name,
                validators=[Optional(), NumberRange(1, 5, _l("Een score ligt tussen 1 en 5."))],
            ),
        )
    return EffectMeasurementForm(**kwargs)


class FollowUpForm(OnceForm):
    title = StringField(_l("Titel"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Omschrijving"), validators=[Optional(), Length(max=5000)])
    risk_ids = SelectMultipleField(_l("Risico's"), coerce=form_int, validate_choice=False)
    level = SelectField(_l("Niveau"), choices=choices("level"))
    team_ids = SelectMultipleField(
        _l("Teams (bij een teammaatregel)"), coerce=form_int, validate_choice=False
    )
    approach = SelectField(_l("Aanpak"), choices=choices("approach"))
    responsible_id = SelectField(_l("Verantwoordelijk"), coerce=coerce_optional_int, validate_choice=False)
    termijn = DateField(_l("Termijn"), validators=[DataRequired(_l("Geef een geldige datum op."))])
