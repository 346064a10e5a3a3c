"""Forms for the self-inspection: a hand-given answer or an override, with its justification."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from riecycle.labels import choices


class AnswerForm(FlaskForm):
    answer = SelectField(_l("Antwoord"), choices=[])
    justification = TextAreaField(
        _l("Onderbouwing"),
        validators=[DataRequired(_l("Een onderbouwing is verplicht.")), Length(max=2000)],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.answer.choices = choices("checklist_answer")
