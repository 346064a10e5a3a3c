"""Forms for organisation management: organisation, teams, employees, users (views/organisation.py,
views/admin.py)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from riecycle.forms.common import OnceForm, VersionedForm
from riecycle.forms.fields import DateField, IntegerField, coerce_optional_int
from riecycle.labels import choices


class OrganisationForm(FlaskForm):
    name = StringField(_l("Naam"), validators=[DataRequired(), Length(max=200)])
    sector = StringField(_l("Sector"), validators=[Optional(), Length(max=120)])
    employee_count = IntegerField(
        _l("Aantal werknemers"), validators=[Optional(), NumberRange(min=0, max=1_000_000)]
    )
    weekly_paid_hours = IntegerField(
        _l("Betaalde uren per week (alle werknemers samen)"),
        validators=[Optional(), NumberRange(min=0, max=100_000_000)],
    )
    uses_branche_rie = BooleanField(_l("Wij gebruiken een erkende branche-RI&E"))
    risk_method = SelectField(_l("Methode risicobeoordeling"), choices=choices("risk_method"))


class MfaSettingsForm(FlaskForm):
    mfa_policy = SelectField(_l("Tweestapsverificatie verplicht voor"), choices=choices("mfa_policy"))
    mfa_with_sso = BooleanField(_l("Ook bij inloggen via single sign-on (SSO)"))


class NewOrganisationForm(OrganisationForm):
    slug = StringField(_l("Korte naam (in de adresbalk)"), validators=[DataRequired(), Length(max=59)])
    beheerder_email = EmailField(
        _l("E-mailadres eerste beheerder"), validators=[DataRequired(), Email(), Length(max=254)]
    )


class TeamForm(VersionedForm, OnceForm):
    name = StringField(_l("Naam"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Soort"), choices=choices("team_kind"))
    parent_id = SelectField(_l("Valt onder"), coerce=coerce_optional_int, validate_choice=False)
    manager_id = SelectField(_l("Leidinggevende"), coerce=coerce_optional_int, validate_choice=False)


class EmployeeForm(VersionedForm, OnceForm):
    name = StringField(_l("Naam"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-mailadres"), validators=[Optional(), Email(), Length(max=254)])
    team_id = SelectField(_l("Team"), coerce=coerce_optional_int, validate_choice=False)
    function = StringField(_l("Functie"), validators=[Optional(), Length(max=120)])
    start_date = DateField(_l("In dienst sinds"), validators=[Optional()])
    end_date = DateField(_l("Uit dienst per"), validators=[Optional()])
    is_leidinggevende = BooleanField(_l("Is leidinggevende"))


class EmployeeCsvForm(OnceForm):
    file = FileField(_l("CSV-bestand"), validators=[FileRequired(_l("Kies een bestand."))])


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mailadres"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Naam"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Rol"), choices=choices("role"))


class RoleForm(FlaskForm):
    role = SelectField(_l("Rol"), choices=choices("role"))


class AdminMembershipForm(FlaskForm):
    """Platform administrator: give an existing account a role in an organisation (or change it)."""

    email = EmailField(_l("E-mailadres"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Rol"), choices=choices("role"))
