"""Single sign-on with OpenID Connect, per organisation.

Three blueprints:

- `sso` (public): home-realm discovery on the login page (`login_step`, called by auth.login),
  the start of the flow, the provider's return (the callback) and linking an existing account;
- `sso_beheer` (/o/<org>/beheer/sso): the beheerder's provider settings and e-mail domains;
- `sso_admin` (/platform/sso-domeinen): a platform administrator approves the domains.

The flow: Authorization Code with PKCE (S256), state and nonce kept in the signed session cookie
for ten minutes; the callback checks the state before anything else, then trades the code and
checks the id token (riecycle/oidc.py), then decides who the user is (services/sso.py). The login
page's form never redirects to the provider itself (its CSP says form-action 'self'): the user
follows a link to the start of the flow.
"""

import secrets
import time

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from riecycle import audit, clock, oidc
from riecycle.extensions import db
from riecycle.forms.auth import LoginForm
from riecycle.forms.sso import SsoConfigForm, SsoDomainForm, SsoLinkForm
from riecycle.models import Organisation, SsoDomain, User
from riecycle.permissions import requires
from riecycle.services import ServiceError, accounts, mfa
from riecycle.services import sso as service
from riecycle.views.admin import platform_admin_required
from riecycle.views.common import save, start_login
from riecycle.views.orgbp import org_blueprint
from riecycle.views.safety import safe_next

bp = Blueprint("sso", __name__)
beheer_bp = org_blueprint("sso_beheer", __name__, "beheer/sso")
admin_bp = Blueprint("sso_admin", __name__, url_prefix="/platform")

FLOW_KEY = "sso_flow"  # state, nonce, PKCE verifier, organisation, issuer, next, started
LINK_KEY = "sso_link"  # an account waiting for its password before it is bound
HINT_KEY = "sso_hint"  # the address typed on the login page, passed on as login_hint
INVITE_KEY = "sso_invite"  # the token of an invitation being accepted through the provider
FLOW_SECONDS = 600


def _redirect_uri() -> str:
    return url_for("sso.callback", _external=True)


def _client_ip() -> str:
    return (request.remote_addr or "unknown")[:100]


def _failed(message: str, code: str, status: int = 403):
    """No login: the login page with a clear message; the reason (no personal data) goes to the log."""
    current_app.logger.warning("SSO login refused: %s", code)
    flash(message, "error")
    return render_template("auth/login.html", form=LoginForm(formdata=None)), status


# --- the login page ----------------------------------------------------------------


def login_step(form):
    """Home-realm discovery on the login form (auth.login calls this first).

    An address of an organisation with SSO switched on goes to its provider when no password was
    given, or when the organisation switched password login off (the password is not checked).
    Returns a response, or None to go on with the password login.
    """
    email = form.email.data if request.method == "POST" else None
    config = service.config_for_email(email) if email else None
    if config is None:
        return None
    user = accounts.find_user(email)
    if user is not None and user.is_platform_admin:
        return None
    if form.password.data and config.password_login:
        return None
    if form.password.data:
        flash(
            _(
                "%(o)s heeft inloggen met een wachtwoord uitgeschakeld. Log in via de inlogdienst "
                "van uw organisatie.",
                o=config.organisation.name,
            ),
            "info",
        )
    session[HINT_KEY] = accounts.normalise_email(email)
    start = url_for("sso.start", org_slug=config.organisation.slug, next=safe_next(request.args.get("next")))
    return render_template("sso/continue.html", org=config.organisation, start=start)


def invite_step(invitation, token: str, config):
    """Accepting an invitation for an address whose organisation switched password login off
    (auth.accept_invite calls this): no password is chosen; the invitation is accepted by signing
    in through the provider (the callback finds the token in the session)."""
    session[INVITE_KEY] = token
    session[HINT_KEY] = invitation.email
    target = url_for("auth.accept_invite", token=token)
    start = url_for("sso.start", org_slug=config.organisation.slug, next=target)
    return render_template("sso/invite.html", org=config.organisation, invitation=invitation, start=start)


def _pending_invitation(org):
    """The invitation whose link this browser opened before the login, if it is of this organisation."""
    from riecycle.services import invitations

    token = session.pop(INVITE_KEY, None)
    invitation = invitations.read_token(token) if isinstance(token, str) else None
    return invitation if invitation is not None and invitation.organisation_id == org.id else None


# --- the flow -------------------------------------------------------------------------


@bp.get("/login/sso/start/<org_slug>")
def start(org_slug):
    """Send the browser to the organisation's provider (Authorization Code with PKCE, state, nonce)."""
    if current_user.is_authenticated:
        return redirect(url_for("system.home"))
    org = db.session.scalar(
        select(Organisation).where(Organisation.slug == org_slug, Organisation.deleted_at.is_(None))
    )
    config = service.active_config(org) if org is not None else None
    if config is None:
        abort(404)
    try:
        provider = oidc.discover(config.issuer)
    except oidc.OidcError as error:
        return _failed(error.message, error.code, 502)
    url, flow = oidc.authorization_request(
        provider, config.client_id, _redirect_uri(), session.pop(HINT_KEY, None)
    )
    session[FLOW_KEY] = {
        **flow,
        "org_id": org.id,
        "issuer": config.issuer,
        "next": safe_next(request.args.get("next")),
        "started": int(time.time()),
    }
    return redirect(url)


def _flow_from_callback():
    """The flow this answer belongs to: used once, and only with the matching state."""
    flow = session.pop(FLOW_KEY, None)
    state = request.args.get("state", "")
    if not isinstance(flow, dict) or not state or not secrets.compare_digest(str(flow.get("state")), state):
        return None
    if int(time.time()) - int(flow.get("started", 0)) > FLOW_SECONDS:
        return None
    return flow


@bp.get("/login/sso/terug")
def callback():
    """The provider's answer: check state, trade the code, check the id token, then log in."""
    flow = _flow_from_callback()
    if flow is None:
        return _failed(
            _(
                "De aanmelding is niet afgerond: het antwoord van de inlogdienst hoort niet bij deze "
                "aanmelding of is verlopen. Begin opnieuw met inloggen."
            ),
            "state",
            400,
        )
    if request.args.get("error"):
        return _failed(_("De inlogdienst heeft de aanmelding afgebroken of geweigerd."), "provider_error")
    org = db.session.get(Organisation, flow["org_id"])
    config = service.active_config(org) if org is not None else None
    if config is None or config.issuer != flow["issuer"]:
        return _failed(
            _(
                "De instellingen voor eenmalige aanmelding zijn intussen gewijzigd. Begin opnieuw met inloggen."
            ),
            "config_changed",
            400,
        )
    if request.args.get("iss") not in (None, config.issuer):  # RFC 9207: an answer from another provider
        return _failed(
            _("Het antwoord komt van een andere inlogdienst dan die van uw organisatie."), "iss_param", 400
        )
    if not request.args.get("code"):
        return _failed(
            _("De inlogdienst heeft geen code meegestuurd. Begin opnieuw met inloggen."), "no_code", 400
        )
    try:
        claims = _checked_claims(config, flow)
    except oidc.OidcError as error:
        return _failed(error.message, error.code, 502 if error.code == "unreachable" else 403)
    return _sign_in(org, config, claims, flow.get("next"))


def _checked_claims(config, flow) -> dict:
    provider = oidc.discover(config.issuer)
    token = oidc.exchange_code(
        provider,
        config.client_id,
        service.client_secret(config),
        request.args["code"],
        flow["verifier"],
        _redirect_uri(),
    )
    now = int(clock.now().timestamp())
    leeway = current_app.config.get("SSO_LEEWAY_SECONDS", 60)
    return oidc.verify_id_token(provider, token, config.client_id, flow["nonce"], now, leeway)


def _sign_in(org, config, claims, next_url):
    """Log the resolved user in, or ask an existing account's password once before binding it."""
    try:
        resolved = service.resolve(org, config, claims, _pending_invitation(org))
        if resolved.invited:  # the invitation is done: the link's page would say "already used"
            next_url = None
            db.session.commit()
        if resolved.needs_password:  # nothing else was changed: the account is bound after its password
            session[LINK_KEY] = {
                "user_id": resolved.user.id,
                "org_id": org.id,
                "issuer": config.issuer,
                "subject": str(claims["sub"]),
                "next": next_url,
                "started": int(time.time()),
            }
            return redirect(url_for("sso.link"))
        identity = resolved.identity or service.bind(org, config, resolved.user, str(claims["sub"]))
        welcome = _("U heeft nu toegang tot %(o)s.", o=org.name) if resolved.invited else None
        return _finish(identity, resolved.user, next_url, welcome)
    except ServiceError as error:
        db.session.rollback()
        return _failed(error.message, error.field or "refused")
    except IntegrityError:  # the same new account signing in twice at the same moment
        db.session.rollback()
        return _failed(_("De aanmelding is niet gelukt. Probeer het opnieuw."), "conflict", 409)


def _finish(identity, user, next_url, message: str | None = None):
    token = audit.set_actor(user.id)
    try:
        service.record_login(identity)
    finally:
        audit.reset_actor(token)
    start_login(user, method=mfa.sso_method(identity.organisation_id))
    if message:
        flash(message, "success")  # after start_login: it starts a fresh session
    return redirect(safe_next(next_url) or url_for("system.home"))


@bp.route("/login/sso/koppelen", methods=["GET", "POST"])
def link():
    """Link an existing account to the provider: its password, once."""
    pending = session.get(LINK_KEY)
    if not isinstance(pending, dict) or int(time.time()) - int(pending.get("started", 0)) > FLOW_SECONDS:
        session.pop(LINK_KEY, None)
        return _failed(_("Deze aanmelding is verlopen. Begin opnieuw met inloggen."), "link_expired", 400)
    user = db.session.get(User, pending["user_id"])
    org = db.session.get(Organisation, pending["org_id"])
    config = service.active_config(org) if org is not None else None
    if user is None or config is None or config.issuer != pending["issuer"]:
        session.pop(LINK_KEY, None)
        return _failed(_("Deze aanmelding is verlopen. Begin opnieuw met inloggen."), "link_stale", 400)
    form = SsoLinkForm()
    status = 200
    if form.validate_on_submit():
        ip = _client_ip()
        minutes = accounts.locked_minutes(user.email, ip)
        if minutes:
            form.password.errors.append(
                _("Te veel mislukte pogingen. Probeer het over %(m)s minuten opnieuw.", m=minutes)
            )
            return render_template("sso/link.html", form=form, org=org, email=user.email), 429
        if accounts.authenticate(user.email, form.password.data) is None:
            accounts.register_failure(user.email, ip)
            db.session.commit()
            form.password.errors.append(_("Dit wachtwoord klopt niet."))
            status = 200
        else:
            accounts.register_success(user.email, ip)
            try:
                identity = service.link(org, config, user, pending["subject"])
            except ServiceError as error:
                db.session.rollback()
                session.pop(LINK_KEY, None)
                return _failed(error.message, error.field or "refused")
            session.pop(LINK_KEY, None)
            linked = _("Uw account is gekoppeld aan de inlogdienst van %(o)s.", o=org.name)
            return _finish(identity, user, pending.get("next"), linked)
    return render_template("sso/link.html", form=form, org=org, email=user.email), status


# --- the beheerder's settings ---------------------------------------------------------------


@beheer_bp.route("/", methods=["GET", "POST"])
@requires("manage")
def settings():
    """The organisation's OpenID provider: issuer, client, secret (encrypted), login options."""
    config = service.config_for(g.org)
    form = SsoConfigForm(obj=config) if config is not None else SsoConfigForm(password_login=True)
    if form.validate_on_submit():
        data = {k: v for k, v in form.data.items() if k not in ("csrf_token", "client_secret")}
        if save(lambda: service.save_config(g.org, data, form.client_secret.data), form):
            flash(_("De instellingen voor eenmalige aanmelding zijn opgeslagen."), "success")
            return redirect(url_for("sso_beheer.settings"))
    return render_template(
        "sso/settings.html",
        form=form,
        config=config,
        domains=service.domains_of(g.org),
        domain_form=SsoDomainForm(formdata=None),
        redirect_uri=_redirect_uri(),
        linked=service.identities_count(g.org),
    ), 400 if form.errors else 200


@beheer_bp.post("/domeinen")
@requires("manage")
def domain_add():
    """Ask for an e-mail domain; a platform administrator approves it."""
    form = SsoDomainForm()
    if not form.validate_on_submit():
        flash(_("Vul een domeinnaam in, zoals voorbeeld.nl."), "error")
    elif save(lambda: service.request_domain(g.org, form.domain.data), errors="flash"):
        flash(_("Het domein is aangevraagd. Een platformbeheerder moet het nog goedkeuren."), "success")
    return redirect(url_for("sso_beheer.settings"))


@beheer_bp.post("/domeinen/<int:domain_id>/verwijderen")
@requires("manage")
def domain_remove(domain_id):
    """Withdraw one of the organisation's e-mail domains."""
    row = db.session.scalar(
        select(SsoDomain).where(SsoDomain.id == domain_id, SsoDomain.organisation_id == g.org.id)
    )
    if row is None:
        abort(404)
    if save(lambda: service.remove_domain(row), errors="flash"):
        flash(_("Het domein %(d)s is verwijderd.", d=row.domain), "success")
    return redirect(url_for("sso_beheer.settings"))


# --- platform administration -------------------------------------------------------------


@admin_bp.get("/sso-domeinen")
@platform_admin_required
def domains():
    """Every organisation's e-mail domains for single sign-on; those waiting for approval first."""
    return render_template("sso/domains.html", domains=service.pending_domains())


def _domain_or_404(domain_id: int) -> SsoDomain:
    row = db.session.get(SsoDomain, domain_id)
    if row is None:
        abort(404)
    return row


@admin_bp.post("/sso-domeinen/<int:domain_id>/goedkeuren")
@platform_admin_required
def domain_approve(domain_id):
    """Approve a domain for its organisation: its addresses may then sign in through that provider."""
    row = _domain_or_404(domain_id)
    if save(lambda: service.approve_domain(row, current_user), errors="flash"):
        flash(
            _("Het domein %(d)s is goedgekeurd voor %(o)s.", d=row.domain, o=row.organisation.name), "success"
        )
    return redirect(url_for("sso_admin.domains"))


@admin_bp.post("/sso-domeinen/<int:domain_id>/afwijzen")
@platform_admin_required
def domain_reject(domain_id):
    """Refuse (or withdraw the approval of) a domain: it is removed."""
    row = _domain_or_404(domain_id)
    name = row.domain
    if save(lambda: service.remove_domain(row), errors="flash"):
        flash(_("Het domein %(d)s is verwijderd.", d=name), "success")
    return redirect(url_for("sso_admin.domains"))
