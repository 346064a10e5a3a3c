"""Form fields bounded like riecycle.inputs: no number or date typed in a form can overflow the
database (PostgreSQL ``integer``, SQLite 64 bits) or date arithmetic (year 1, year 9999)."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField as _DateField
from wtforms import IntegerField as _IntegerField
from wtforms.validators import ValidationError

from riecycle.inputs import MAX_INT, MIN_INT, as_int, date_range_message, plausible_date


def form_int(value):
    """coerce= for select fields: an int within the database's range, else ValueError (a field error)."""
    if value is None or isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        number = as_int(value)
        if number is None:
            raise ValueError(value)
    if number is not None and not MIN_INT <= number <= MAX_INT:
        raise ValueError(value)
    return number


def coerce_optional_int(value):
    """coerce= for select fields with a "none" choice: None, else like form_int."""
    if value in (None, "", "None"):
        return None
    return form_int(value)


class IntegerField(_IntegerField):
    """An IntegerField that refuses numbers the database cannot store."""

    def pre_validate(self, form):
        super().pre_validate(form)
        if self.data is not None and not MIN_INT <= self.data <= MAX_INT:
            raise ValidationError(_l("Vul een kleiner getal in."))


class DateField(_DateField):
    """A DateField that refuses implausible dates (before 1900, after 2199)."""

    def pre_validate(self, form):
        super().pre_validate(form)
        if self.data is not None and not plausible_date(self.data):
            raise ValidationError(date_range_message())
