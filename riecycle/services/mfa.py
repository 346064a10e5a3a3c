"""The second factor: TOTP (RFC 6238) codes, recovery codes, when it is required, and resets.

The secret is stored encrypted (riecycle/crypto.py) and shown only while enrolling. Codes of the
previous, current and next 30-second step are accepted, each step once: the last used step is
kept on the user and raised with a conditional UPDATE, so two requests with the same code cannot
both pass. The ten recovery codes are hashed like passwords and each works once.
"""

import hmac
import re
import secrets
from typing import cast

import pyotp
import segno
from flask import current_app
from flask_babel import gettext as _
from pyotp.totp import TOTP
from sqlalchemy import CursorResult, delete, or_, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from riecycle import audit, clock, crypto
from riecycle.extensions import db
from riecycle.models import Membership, Organisation, RecoveryCode, User
from riecycle.models.base import utcnow
from riecycle.models.organisation import MfaPolicy
from riecycle.models.user import Role
from riecycle.services import ServiceError, accounts

STEP_SECONDS = 30
RECOVERY_CODES = 10
# Lower case letters and digits without the ones that look alike (0/o, 1/l/i).
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 10
TOTP_PATTERN = re.compile(r"^[0-9]{6}$")  # ASCII digits only (hmac.compare_digest refuses others)
RECOVERY_PATTERN = re.compile(rf"^[{RECOVERY_ALPHABET}]{{{RECOVERY_LENGTH}}}$")


# --- when a second factor is required ------------------------------------------------------


def sso_method(org_id: int) -> str:
    """The login method of a sign-in through this organisation's identity provider."""
    return f"sso:{org_id}"


def sso_organisation(method: str) -> int | None:
    """The organisation whose identity provider signed the user in; None after a password."""
    kind, _sep, org_id = (method or "").partition(":")
    return int(org_id) if kind == "sso" and org_id.isdigit() else None


def required(user: User, method: str = "password") -> bool:
    """Whether this user must have a second factor after logging in with `method`.

    Always for platform administrators; otherwise when an organisation they belong to requires
    it of their role. After an SSO login the organisation whose identity provider was used counts
    only when it asks for it "ook bij SSO" (its provider did its own MFA). Another organisation
    the user belongs to never trusts that provider: its own rule applies as after a password.
    """
    if user.is_platform_admin and not current_app.config["MFA_ADMIN_EXEMPT"]:
        return True
    sso_org = sso_organisation(method)
    rows = db.session.execute(
        select(
            Membership.organisation_id, Membership.role, Organisation.mfa_policy, Organisation.mfa_with_sso
        )
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(Membership.user_id == user.id, Organisation.deleted_at.is_(None))
    )
    for org_id, role, policy, with_sso in rows:
        if org_id == sso_org and not with_sso:
            continue
        if policy == MfaPolicy.IEDEREEN or (policy == MfaPolicy.BEHEERDERS and role == Role.BEHEERDER):
            return True
    return False


def code_needed(user: User, method: str) -> bool:
    """Whether the login must be completed with a code: anyone enrolled, after a password."""
    if not user.has_second_factor:
        return False
    return sso_organisation(method) is None or required(user, method)


def must_enrol(user: User, method: str) -> bool:
    """Required but not set up: the user can reach nothing but the enrolment page."""
    return not user.has_second_factor and required(user, method)


# --- throttling: code attempts count like password attempts, on their own counter ----------


def throttle_keys(user: User, ip: str) -> list[str]:
    """Per user (not cleared by a correct password) and per IP address (shared with passwords)."""
    return [f"mfa:{user.id}", f"ip:{ip}"]


def locked_minutes(user: User, ip: str) -> int:
    return accounts.locked_minutes(user.email, ip, keys=throttle_keys(user, ip))


def register_failure(user: User, ip: str) -> None:
    accounts.register_failure(user.email, ip, keys=throttle_keys(user, ip))


def register_success(user: User, ip: str) -> None:
    accounts.register_success(user.email, ip, keys=throttle_keys(user, ip))


# --- enrolment -----------------------------------------------------------------------------


def secret_of(user: User) -> str | None:
    """The user's TOTP secret in clear, or None (none stored, or the key has changed)."""
    if not user.totp_secret:
        return None
    try:
        return crypto.decrypt(user.totp_secret)
    except crypto.InvalidToken:
        return None


def start_enrolment(user: User) -> str:
    """The secret to enrol with: the one waiting for its first code, or a new one."""
    if user.has_second_factor:
        raise ServiceError(_("Tweestapsverificatie is al ingesteld."))
    secret = secret_of(user)
    if secret is None:
        secret = pyotp.random_base32()  # 160 bits, as RFC 4226 recommends
        user.totp_secret = crypto.encrypt(secret)
        user.totp_last_step = None
        db.session.flush()
    return secret


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return TOTP(secret).provisioning_uri(name=user.email, issuer_name=current_app.config["MFA_ISSUER"])


def qr_svg(uri: str, title: str) -> str:
    """The QR code as inline SVG, drawn here (no outside service sees the secret)."""
    return segno.make(uri, error="m").svg_inline(scale=5, border=4, dark="#000", light="#fff", title=title)


def confirm_enrolment(user: User, code: str) -> list[str]:
    """Switch the second factor on with a first correct code; returns the new recovery codes.

    Every session of the user ends (one opened with the password alone must not stay); the view
    continues this device on a fresh one."""
    if user.has_second_factor:
        raise ServiceError(_("Tweestapsverificatie is al ingesteld."))
    if secret_of(user) is None:
        raise ServiceError(_("Open de pagina opnieuw en scan de nieuwe QR-code."), "code")
    if not check_totp(user, code):
        raise ServiceError(
            _("Deze code klopt niet. Controleer de tijd op uw telefoon en probeer het opnieuw."), "code"
        )
    user.totp_enabled_at = clock.now()
    accounts.end_all_sessions(user)
    db.session.flush()
    _audit(user, "ingesteld")
    return new_recovery_codes(user)


# --- checking codes --------------------------------------------------------------------------


def _digits(code: str) -> str:
    return re.sub(r"\s", "", code or "")


def _matching_step(secret: str, code: str) -> int | None:
    """The time step (previous, current or next) whose code this is."""
    totp = TOTP(secret)
    current = int(clock.now().timestamp()) // STEP_SECONDS
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def check_totp(user: User, code: str) -> bool:
    """A correct code of a step after the last one used; that step is then used up."""
    code = _digits(code)
    secret = secret_of(user)
    if not TOTP_PATTERN.match(code) or secret is None:
        return False
    step = _matching_step(secret, code)
    if step is None:
        return False
    claimed = cast(
        CursorResult,
        db.session.execute(
            update(User)
            .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
            .values(totp_last_step=step)
            .execution_options(synchronize_session=False)
        ),
    )
    if claimed.rowcount != 1:
        return False  # this code (or a later one) was used already
    user.totp_last_step = step
    db.session.flush()
    return True


def _normal_recovery(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def use_recovery_code(user: User, code: str) -> bool:
    """An unused recovery code of this user; it is then used up."""
    code = _normal_recovery(code)
    if not RECOVERY_PATTERN.match(code):
        return False
    rows = db.session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).all()
    for row in rows:
        if check_password_hash(row.code_hash, code):
            claimed = cast(
                CursorResult,
                db.session.execute(
                    update(RecoveryCode)
                    .where(RecoveryCode.id == row.id, RecoveryCode.used_at.is_(None))
                    .values(used_at=utcnow())
                    .execution_options(synchronize_session=False)
                ),
            )
            return claimed.rowcount == 1
    return False


def check_code(user: User, code: str) -> str | None:
    """'totp' or 'recovery' for a code that proves the second factor, else None."""
    if not user.has_second_factor:
        return None
    if TOTP_PATTERN.match(_digits(code)):
        return "totp" if check_totp(user, code) else None
    return "recovery" if use_recovery_code(user, code) else None


def recovery_codes_left(user: User) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        ).all()
    )


def new_recovery_codes(user: User) -> list[str]:
    """Ten new recovery codes (the old ones stop working), shown once as 'xxxxx-xxxxx'."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    method = current_app.config["PASSWORD_HASH_METHOD"]
    codes = []
    for _n in range(RECOVERY_CODES):
        code = "".join(secrets.choice(RECOVERY_ALPHABET) for _i in range(RECOVERY_LENGTH))
        db.session.add(RecoveryCode(user_id=user.id, code_hash=generate_password_hash(code, method=method)))
        codes.append(f"{code[:5]}-{code[5:]}")
    db.session.flush()
    return codes


# --- switching off and resetting --------------------------------------------------------------


def _clear(user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()


def disable(user: User, code: str) -> None:
    """The user switches their own second factor off, with a code; not when it is required."""
    if not user.has_second_factor:
        raise ServiceError(_("Tweestapsverificatie staat niet aan."))
    if required(user):
        raise ServiceError(_("Tweestapsverificatie is verplicht voor uw account en kan niet uit."))
    if check_code(user, code) is None:
        raise ServiceError(_("Deze code klopt niet."), "code")
    _clear(user)
    _audit(user, "uitgeschakeld")


def regenerate_recovery_codes(user: User, code: str) -> list[str]:
    """New recovery codes after a correct code; the old ones stop working."""
    if check_code(user, code) is None:
        raise ServiceError(_("Deze code klopt niet."), "code")
    codes = new_recovery_codes(user)
    _audit(user, "nieuwe herstelcodes")
    return codes


def reset(user: User, organisation_id: int | None = None) -> None:
    """A beheerder, platform administrator or the CLI takes away a user's second factor.

    Every session of the user ends; at the next login they enrol again when it is required.
    The audit entry names the organisation of the beheerder who reset it (None: platform or CLI).
    """
    if not user.has_second_factor and user.totp_secret is None:
        raise ServiceError(_("%(n)s heeft geen tweestapsverificatie ingesteld.", n=user.name))
    _clear(user)
    accounts.end_all_sessions(user)
    _audit(user, "gereset", organisation_id)


def _audit(user: User, what: str, organisation_id: int | None = None) -> None:
    """One audit entry "Tweestapsverificatie: <what>" on the user, in Dutch like the stored record
    values (the secret never goes in)."""
    audit.write_rows(
        db.session.connection(),
        [
            {
                "created_at": utcnow(),
                "user_id": audit.current_actor_id(),
                "organisation_id": organisation_id,
                "entity": User.__audit_label__,
                "entity_id": user.id,
                "action": "update",
                "label": user.name[:300],
                "changes": {"second_factor": [None, what]},
                "personal": False,
            }
        ],
    )
