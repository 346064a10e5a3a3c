"""Forms for the pulse: composing it, answering it (public), and the Wegwijzer checklist."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from riecycle.forms.fields import IntegerField, form_int

INTERVAL_CHOICES = [
    (1, _l("Elke maand (aanbevolen tijdens de uitvoering)")),
    (2, _l("Elke twee maanden")),
    (3, _l("Elk kwartaal")),
    (6, _l("Elk half jaar")),
]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SurveyForm(FlaskForm):
    title = StringField(_l("Naam van de puls"), validators=[DataRequired(), Length(max=200)])
    item_keys = MultiCheckboxField(_l("Stellingen"), validate_choice=True)
    interval_months = SelectField(_l("Hoe vaak"), coerce=form_int, choices=INTERVAL_CHOICES)
    open_days = IntegerField(
        _l("Dagen dat een ronde openstaat"),
        validators=[InputRequired(), NumberRange(min=1, max=28)],
        default=10,
    )
    team_ids = MultiCheckboxField(_l("Teams"), coerce=form_int, validate_choice=True)
    active = BooleanField(_l("Actief: de planner opent rondes automatisch"), default=True)


class ConfirmForm(FlaskForm):
    """Only the CSRF token: for buttons that change something."""


class WegwijzerTickForm(FlaskForm):
    note = StringField(_l("Toelichting (optioneel)"), validators=[Optional(), Length(max=300)])


def answer_form_class(items, scale: dict):
    """A form with one required 1-5 radio group per statement."""

    class AnswerForm(FlaskForm):
        pass

    choices = [(value, f"{value} – {label}") for value, label in scale.items()]
    for item in items:
        setattr(
            AnswerForm,
            item.key,
            RadioField(
                item.text(),
                coerce=form_int,
                choices=choices,
                validators=[InputRequired(message=_l("Kies een antwoord bij deze stelling."))],
            ),
        )
    return AnswerForm
