"""Login, password and account forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from riecycle.labels import choices


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mailadres"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Wachtwoord"), validators=[DataRequired()])
    remember = BooleanField(_l("Ingelogd blijven"))


class ForgotForm(FlaskForm):
    email = EmailField(_l("E-mailadres"), validators=[DataRequired(), Email(), Length(max=254)])


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        _l("Nieuw wachtwoord"),
        validators=[DataRequired(), Length(min=10, message=_l("Minstens 10 tekens."))],
    )
    confirm = PasswordField(
        _l("Herhaal wachtwoord"),
        validators=[DataRequired(), EqualTo("password", message=_l("De wachtwoorden zijn niet gelijk."))],
    )


class AccepteerUitnodigingForm(NewPasswordForm):
    name = StringField(_l("Uw naam"), validators=[DataRequired(), Length(max=200)])


class AccountForm(FlaskForm):
    name = StringField(_l("Naam"), validators=[DataRequired(), Length(max=200)])
    locale = SelectField(_l("Taal"), choices=[("nl", "Nederlands"), ("en", "English")])
    notify_mode = SelectField(_l("Herinneringen per e-mail"), choices=choices("notify_mode"))


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(_l("Huidig wachtwoord"), validators=[DataRequired()])
