"""Forms for single sign-on: the organisation's provider, its e-mail domains, and linking an
existing account (views/sso.py)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from riecycle.labels import choices
from riecycle.services.sso import JIT_ROLES


def _jit_roles():
    return [(value, text) for value, text in choices("role") if value in JIT_ROLES]


class SsoConfigForm(FlaskForm):
    enabled = BooleanField(_l("Eenmalige aanmelding (SSO) aan"))
    issuer = StringField(_l("Issuer-URL"), validators=[Optional(), Length(max=500)])
    client_id = StringField(_l("Client-id"), validators=[Optional(), Length(max=255)])
    client_secret = PasswordField(_l("Client secret"), validators=[Optional(), Length(max=1000)])
    password_login = BooleanField(_l("Gebruikers van deze domeinen mogen ook met een wachtwoord inloggen"))
    jit_enabled = BooleanField(_l("Maak bij de eerste aanmelding automatisch een account aan"))
    jit_role = SelectField(_l("Rol voor nieuwe accounts"), choices=_jit_roles)
    trust_tenant_email = BooleanField(
        _l("De uitgever is één tenant die alleen eigen, geverifieerde adressen uitgeeft (Microsoft Entra ID)")
    )


class SsoDomainForm(FlaskForm):
    domain = StringField(_l("E-maildomein"), validators=[DataRequired(), Length(max=253)])


class SsoLinkForm(FlaskForm):
    password = PasswordField(_l("Wachtwoord"), validators=[DataRequired()])
