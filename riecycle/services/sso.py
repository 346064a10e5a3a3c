"""Single sign-on per organisation: its provider settings, its e-mail domains, and who an SSO login
is (docs/domain.md §9: a user only ever reaches the organisations they are a member of).

No takeover through a provider. A beheerder sets up the provider and a provider can assert any
e-mail address, so:

- an e-mail domain signs in through an organisation's provider only after a platform
  administrator approved it for that organisation, and a domain belongs to one organisation;
- an SSO login only ever creates a membership in the configuring organisation (just-in-time,
  when the organisation turned that on, never as beheerder) and never makes anyone a platform
  administrator; platform administrators cannot sign in through SSO at all;
- the first login binds the account to the provider's (issuer, subject) pair; later logins must
  bring that pair, and an account can be bound once;
- an existing account with a password is bound only after its password has been given once.

Verified e-mail. A claim `email_verified` that is false is refused. When the claim is missing
(Microsoft Entra ID does not send it) the address is accepted when Entra's own signal
`xms_edov` (the e-mail domain is verified by the tenant) is true, or when the beheerder marked
the issuer as a single tenant that only issues its own verified addresses (`trust_tenant_email`,
refused for the known multi-tenant issuers). The domain must be approved in every case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from riecycle import clock, crypto, oidc
from riecycle.extensions import db
from riecycle.models import Invitation, Organisation, SsoConfig, SsoDomain, SsoIdentity, User
from riecycle.models.user import Role
from riecycle.services import ServiceError, accounts, invitations

DOMAIN_RE = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
# Roles a just-in-time account may get: never beheerder (the provider would pick the beheerders).
JIT_ROLES = (Role.PREVENTIEMEDEWERKER, Role.LEIDINGGEVENDE, Role.OR_LID, Role.AUDITOR)
# Issuers that serve many tenants or consumers: their addresses are not vouched for by one tenant.
MULTI_TENANT = re.compile(r"^/(common|organizations|consumers)(/|$)", re.IGNORECASE)
GUID = re.compile(r"^/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(/|$)", re.IGNORECASE)
# Public mail services: anyone can have an address there, so no organisation can own the domain.
PUBLIC_MAIL = frozenset(
    "gmail.com googlemail.com outlook.com hotmail.com live.com msn.com yahoo.com icloud.com me.com "
    "proton.me protonmail.com gmx.com gmx.net ziggo.nl kpnmail.nl hetnet.nl planet.nl xs4all.nl".split()
)
MICROSOFT_HOSTS = ("login.microsoftonline.com", "sts.windows.net", "login.microsoftonline.us")


# --- settings ------------------------------------------------------------------------


def config_for(org: Organisation) -> SsoConfig | None:
    """The organisation's provider settings, if any were saved."""
    return db.session.scalar(select(SsoConfig).where(SsoConfig.organisation_id == org.id))


def is_single_tenant(issuer: str) -> bool:
    """False for the issuers known to serve many tenants (Google, Microsoft common/organizations)."""
    parts = urlsplit(issuer or "")
    host = (parts.hostname or "").lower()
    if host == "accounts.google.com":
        return False
    if host in MICROSOFT_HOSTS:
        return bool(GUID.match(parts.path)) and not MULTI_TENANT.match(parts.path)
    return True


def save_config(org: Organisation, data: dict, secret: str | None) -> SsoConfig:
    """Save the provider settings; a new client secret is stored encrypted (an empty one keeps the old)."""
    config = config_for(org) or SsoConfig(organisation_id=org.id)
    issuer = (data.get("issuer") or "").strip()
    client_id = (data.get("client_id") or "").strip()
    if issuer and not oidc.allowed_url(issuer):
        raise ServiceError(_("Vul de issuer-URL van de inlogdienst in, beginnend met https://."), "issuer")
    if data.get("jit_role") not in JIT_ROLES:
        raise ServiceError(_("Kies een rol voor nieuwe accounts (niet beheerder)."), "jit_role")
    if data.get("trust_tenant_email") and not is_single_tenant(issuer):
        raise ServiceError(
            _(
                "Deze uitgever bedient meerdere organisaties; vul de tenant-specifieke issuer-URL in "
                "(met uw tenant-id) of zet deze optie uit."
            ),
            "trust_tenant_email",
        )
    if data.get("enabled"):
        if not issuer:
            raise ServiceError(_("Vul de issuer-URL van de inlogdienst in."), "issuer")
        if not client_id:
            raise ServiceError(_("Vul de client-id in."), "client_id")
        if not (secret or config.client_secret_encrypted):
            raise ServiceError(_("Vul het client secret in."), "client_secret")
    config.issuer, config.client_id = issuer, client_id
    for key in ("enabled", "password_login", "jit_enabled", "jit_role", "trust_tenant_email"):
        setattr(config, key, data.get(key))
    if secret:
        config.client_secret_encrypted = crypto.encrypt(secret)
        config.secret_set_at = clock.now()
    db.session.add(config)
    db.session.flush()
    return config


def client_secret(config: SsoConfig) -> str:
    """The decrypted client secret ('' when none is stored or the encryption key has changed)."""
    if not config.client_secret_encrypted:
        return ""
    try:
        return crypto.decrypt(config.client_secret_encrypted)
    except crypto.InvalidToken:
        return ""


# --- e-mail domains ------------------------------------------------------------------


def normalise_domain(domain: str) -> str:
    return (domain or "").strip().lower().lstrip("@").rstrip(".")


def domains_of(org: Organisation) -> list[SsoDomain]:
    return list(
        db.session.scalars(
            select(SsoDomain).where(SsoDomain.organisation_id == org.id).order_by(SsoDomain.domain)
        )
    )


def request_domain(org: Organisation, domain: str) -> SsoDomain:
    """Ask for an e-mail domain; it signs in through SSO once a platform administrator approved it."""
    name = normalise_domain(domain)
    if not DOMAIN_RE.match(name):
        raise ServiceError(_("Vul een domeinnaam in, zoals voorbeeld.nl."), "domain")
    if name in PUBLIC_MAIL:
        raise ServiceError(
            _("Een domein van een openbare e-maildienst hoort niet bij één organisatie."), "domain"
        )
    taken = db.session.scalar(select(SsoDomain).where(SsoDomain.domain == name))
    if taken is not None:
        if taken.organisation_id == org.id:
            raise ServiceError(_("Dit domein staat al in de lijst."), "domain")
        raise ServiceError(_("Dit domein is al in gebruik bij een andere organisatie."), "domain")
    row = SsoDomain(organisation_id=org.id, domain=name)
    try:
        with db.session.begin_nested():  # two requests at once: the unique constraint decides
            db.session.add(row)
            db.session.flush()
    except IntegrityError as error:
        raise ServiceError(_("Dit domein is al in gebruik bij een andere organisatie."), "domain") from error
    return row


def remove_domain(row: SsoDomain) -> None:
    """Withdraw or refuse a domain (the organisation's beheerder, or a platform administrator)."""
    db.session.delete(row)
    db.session.flush()


def approve_domain(row: SsoDomain, admin: User) -> None:
    """A platform administrator approves a domain for its organisation."""
    if not admin.is_platform_admin:
        raise ServiceError(_("Alleen een platformbeheerder keurt domeinen goed."))
    row.approved_at, row.approved_by_id = clock.now(), admin.id
    db.session.flush()


def pending_domains() -> list[SsoDomain]:
    """Every domain of every organisation, those waiting for approval first."""
    return list(
        db.session.scalars(select(SsoDomain).order_by(SsoDomain.approved_at.is_not(None), SsoDomain.domain))
    )


def email_domain(email: str) -> str:
    email = accounts.normalise_email(email)
    return email.rsplit("@", 1)[1] if "@" in email else ""


def approved_domain(org_id: int, email: str) -> SsoDomain | None:
    """The approved domain of this organisation the address belongs to, if any."""
    name = email_domain(email)
    if not name:
        return None
    return db.session.scalar(
        select(SsoDomain).where(
            SsoDomain.domain == name, SsoDomain.organisation_id == org_id, SsoDomain.approved_at.is_not(None)
        )
    )


def config_for_email(email: str) -> SsoConfig | None:
    """Home-realm discovery: the switched-on provider of the organisation owning the address's domain."""
    name = email_domain(email)
    if not name:
        return None
    return db.session.scalar(
        select(SsoConfig)
        .join(SsoDomain, SsoDomain.organisation_id == SsoConfig.organisation_id)
        .join(Organisation, Organisation.id == SsoConfig.organisation_id)
        .where(
            SsoDomain.domain == name,
            SsoDomain.approved_at.is_not(None),
            SsoConfig.enabled.is_(True),
            Organisation.deleted_at.is_(None),
        )
    )


def password_login_off(email: str) -> SsoConfig | None:
    """The provider an address must sign in with because its organisation switched password login
    off (None: a password may be used). Platform administrators always use their password."""
    config = config_for_email(email) if email else None
    if config is None or config.password_login or active_config(config.organisation) is None:
        return None
    user = accounts.find_user(email)
    if user is not None and user.is_platform_admin:
        return None
    return config


def active_config(org: Organisation) -> SsoConfig | None:
    """The organisation's provider when it is switched on and complete."""
    config = config_for(org)
    if config is None or not config.enabled or not config.issuer or not config.client_id:
        return None
    return config


# --- who an SSO login is ---------------------------------------------------------------


@dataclass
class Resolved:
    """The outcome of an SSO login: the user, and whether their password must be given once first."""

    user: User
    identity: SsoIdentity | None
    needs_password: bool = False
    invited: bool = False  # a pending invitation was accepted by this login


def _refuse(message: str, code: str) -> ServiceError:
    return ServiceError(message, code)


def _verified(config: SsoConfig, claims: dict) -> bool:
    value = claims.get("email_verified")
    if isinstance(value, str):  # some providers send "true"/"false"
        value = value.lower() == "true"
    if value is not None:
        return value is True
    if claims.get("xms_edov") in (True, "true", "1", 1):
        return True
    return bool(config.trust_tenant_email) and is_single_tenant(config.issuer)


def resolve(
    org: Organisation, config: SsoConfig, claims: dict, invitation: Invitation | None = None
) -> Resolved:
    """Who the checked id token's claims are in this organisation; refuses with a Dutch ServiceError.

    `invitation`: a pending invitation of this organisation the browser brought along (its link
    was opened before the login). When it is for the address the provider vouched for, it is
    accepted here: the account is made if needed (without a password) and gets the invited role.
    """
    claimed = claims.get("email")
    email = accounts.normalise_email(claimed if isinstance(claimed, str) else "")
    if not email or "@" not in email or len(email) > 254 or len(str(claims.get("sub", ""))) > 255:
        raise _refuse(
            _("De inlogdienst heeft geen e-mailadres doorgegeven. Neem contact op met uw beheerder."),
            "no_email",
        )
    if not _verified(config, claims):
        raise _refuse(
            _(
                "De inlogdienst heeft niet bevestigd dat het e-mailadres %(e)s van u is (niet geverifieerd).",
                e=email,
            ),
            "unverified",
        )
    if approved_domain(org.id, email) is None:
        raise _refuse(
            _(
                "Het e-mailadres %(e)s hoort niet bij een domein dat %(o)s voor eenmalige aanmelding "
                "mag gebruiken.",
                e=email,
                o=org.name,
            ),
            "domain",
        )
    invited = _accept_invitation(org, invitation, email)
    identity = db.session.scalar(
        select(SsoIdentity).where(
            SsoIdentity.issuer == config.issuer, SsoIdentity.subject == str(claims["sub"])
        )
    )
    if identity is not None:
        return Resolved(_allowed(org, identity.user, bound_to=identity), identity, invited=invited)
    user = accounts.find_user(email)
    if user is None:
        return Resolved(_new_user(org, config, claims, email), None)
    _allowed(org, user)
    if db.session.scalar(select(SsoIdentity.id).where(SsoIdentity.user_id == user.id)) is not None:
        raise _refuse(
            _("Het account %(e)s is al gekoppeld aan een ander account bij een inlogdienst.", e=email),
            "bound_other",
        )
    return Resolved(user, None, needs_password=bool(user.password_hash), invited=invited)


def _accept_invitation(org: Organisation, invitation: Invitation | None, email: str) -> bool:
    """Accept the organisation's pending invitation for exactly this (provider-vouched) address."""
    if invitation is None or invitation.organisation_id != org.id or invitation.email != email:
        return False
    user = accounts.find_user(email)
    if user is not None and user.is_platform_admin:
        return False  # refused by _allowed next
    if user is None:
        user = accounts.create_user(email, (invitation.name or email.split("@")[0])[:200])
    invitations.accept(invitation, user)
    return True


def _allowed(org: Organisation, user: User, bound_to: SsoIdentity | None = None) -> User:
    """Refuse platform administrators, inactive accounts and accounts outside this organisation."""
    if user.is_platform_admin:
        raise _refuse(
            _("Een platformbeheerder logt in met e-mailadres en wachtwoord, niet via een inlogdienst."),
            "platform_admin",
        )
    if not user.active:
        raise _refuse(_("Dit account is uitgeschakeld."), "inactive")
    if bound_to is not None and bound_to.organisation_id != org.id:
        raise _refuse(_("Dit account is gekoppeld via een andere organisatie."), "other_org_identity")
    if user.membership_for(org.id) is None:
        raise _refuse(
            _(
                "Het e-mailadres %(e)s hoort bij een account van een andere organisatie; "
                "log in met uw wachtwoord.",
                e=user.email,
            ),
            "other_org",
        )
    return user


def _new_user(org: Organisation, config: SsoConfig, claims: dict, email: str) -> User:
    """Just-in-time: a new account with the default role in this organisation only."""
    if not config.jit_enabled:
        raise _refuse(
            _(
                "Er is in riecycle nog geen account voor %(e)s. Vraag de beheerder van %(o)s om een uitnodiging.",
                e=email,
                o=org.name,
            ),
            "no_account",
        )
    claimed = claims.get("name")
    name = claimed if isinstance(claimed, str) else ""
    user = accounts.create_user(email, (name.strip() or email.split("@")[0])[:200])
    accounts.add_membership(org, user, config.jit_role)
    return user


def bind(org: Organisation, config: SsoConfig, user: User, subject: str) -> SsoIdentity:
    """Bind the account to the provider's (issuer, subject) pair (audited as an SSO-koppeling)."""
    identity = SsoIdentity(organisation_id=org.id, issuer=config.issuer, subject=subject, user_id=user.id)
    identity.user = user
    db.session.add(identity)
    db.session.flush()
    return identity


def link(org: Organisation, config: SsoConfig, user: User, subject: str) -> SsoIdentity:
    """Bind an existing account once its password was given; the checks again, things may have changed."""
    _allowed(org, user)
    taken = db.session.scalar(
        select(SsoIdentity.id).where(
            (SsoIdentity.user_id == user.id)
            | ((SsoIdentity.issuer == config.issuer) & (SsoIdentity.subject == subject))
        )
    )
    if taken is not None:
        raise _refuse(_("Dit account is al gekoppeld aan een account bij een inlogdienst."), "bound_other")
    return bind(org, config, user, subject)


def record_login(identity: SsoIdentity) -> None:
    """Note the provider's sign-in on the binding (each one an audit entry). The user's own
    last_login_at waits for the login to complete (a second factor may still be asked)."""
    identity.last_login_at = clock.now()
    db.session.flush()


def identities_count(org: Organisation) -> int:
    return (
        db.session.scalar(select(func.count(SsoIdentity.id)).where(SsoIdentity.organisation_id == org.id))
        or 0
    )
