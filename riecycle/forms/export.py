"""Forms for the Export page: the evidence period and the import upload."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    SelectField,
)
from wtforms.validators import Optional

from riecycle.forms.fields import DateField

IMPORT_KINDS = [
    ("plan", _l("Risico's en maatregelen (Plan van Aanpak)")),
    ("teams", _l("Teams en medewerkers")),
]


class EvidenceForm(FlaskForm):
    """The optional period of the evidence workbook (a GET form: no CSRF needed)."""

    class Meta:
        csrf = False

    van = DateField(_l("Van"), validators=[Optional()])
    tot = DateField(_l("Tot en met"), validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.van.data and self.tot.data and self.van.data > self.tot.data:
            self.tot.errors.append(_l("De einddatum ligt vóór de begindatum."))
            return False
        return True


class ImportForm(FlaskForm):
    kind = SelectField(_l("Wat importeert u?"), choices=IMPORT_KINDS)
    file = FileField(
        _l("Excel-bestand (.xlsx)"), validators=[FileRequired(_l("Kies het ingevulde Excel-bestand."))]
    )


class ConfirmForm(FlaskForm):
    """Confirm or cancel a checked import (CSRF only)."""
