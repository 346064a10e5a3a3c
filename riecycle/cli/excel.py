"""CLI: the evidence workbook and the Excel import.

flask --app wsgi export evidence --org SLUG --out FILE.xlsx [--from DATE --to DATE] [--pseudonymise]
flask --app wsgi import plan --org SLUG FILE.xlsx [--dry-run] [--as EMAIL]
    [--move] [--map "Naam=e-mail" ...] [--responsible EMAIL]
    (a rie.nl action plan also: [--theme-map "Sectie=thema" ...] [--tool NAME] [--erkend] [--termijn DATE])
flask --app wsgi import teams --org SLUG FILE.xlsx [--dry-run]
"""

import shutil
from pathlib import Path

import click
from flask.cli import AppGroup

from riecycle.audit import reset_actor, set_actor
from riecycle.cli.common import find_org_or_fail
from riecycle.cli.rienl import apply_rienl, rienl_options
from riecycle.extensions import db
from riecycle.models.user import Role, User

export_cli = AppGroup("export", help="Exporteren naar Excel.")
import_cli = AppGroup("import", help="Importeren uit Excel (alles of niets).")


@export_cli.command("evidence")
@click.option("--org", "slug", required=True, help="Korte naam van de organisatie.")
@click.option(
    "--out", "out", required=True, type=click.Path(dir_okay=False, writable=True), help="Het .xlsx-bestand."
)
@click.option(
    "--from", "start", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Begindatum (JJJJ-MM-DD)."
)
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Einddatum (JJJJ-MM-DD).")
@click.option(
    "--pseudonymise",
    is_flag=True,
    help="Individuele maatregelen zonder naam en vrije tekst (voor OR/auditor).",
)
def export_evidence(slug, out, start, end, pseudonymise):
    """Write the evidence workbook of an organisation to FILE.xlsx."""
    from riecycle.excel import evidence, rows

    org = find_org_or_fail(slug)
    if start and end and start > end:
        raise click.BadParameter("--from ligt na --to.")
    viewer = rows.Viewer(role=Role.AUDITOR if pseudonymise else Role.BEHEERDER, org_id=org.id)
    period = evidence.Period(start.date() if start else None, end.date() if end else None)
    spooled = evidence.build(org, viewer, period)
    with Path(out).open("wb") as handle:
        shutil.copyfileobj(spooled, handle)
    click.echo(f"Bewijsdossier van '{org.slug}' geschreven naar {out}.")


def _actor(org, email):
    if not email:
        return None
    from riecycle.services import accounts

    user = accounts.find_user(email)
    if user is None or user.membership_for(org.id) is None:
        raise click.ClickException(f"{email} is geen gebruiker van '{org.slug}'.")
    return user


def _report(refused) -> None:
    click.echo(
        f"Het bestand is niet ingelezen: {len(refused.problems)} probleem/problemen. Er is niets opgeslagen.",
        err=True,
    )
    for problem in refused.problems:
        click.echo(f"  - {problem.as_text()}", err=True)


def _report_updates(parsed) -> None:
    """Per existing record, each field that changes, then the unchanged rows."""
    if parsed.stamp is None:
        return
    for item in parsed.updates:
        click.echo(f"{item['reference']} (rij {item['row']}):")
        for change in item["changes"]:
            click.echo(f"  {change.name}: {change.old} → {change.new}")
    click.echo(f"Bijgewerkt: {len(parsed.updates)} bestaande records. Ongewijzigd: {parsed.unchanged} rijen.")


def _mapping(org, parsed, pairs, fallback) -> dict:
    """Name -> user id for the persons of a moved file who are no user here: --map "Naam=e-mail"
    per person, --responsible for everyone else."""
    if not parsed.unknown:
        return {}
    given = {}
    for pair in pairs:
        name, sep, email = pair.partition("=")
        if not sep or not name.strip() or not email.strip():
            raise click.BadParameter(f"'{pair}' is geen Naam=e-mail.", param_hint="--map")
        given[name.strip().casefold()] = _actor(org, email.strip()).id
    default = _actor(org, fallback).id if fallback else None
    return {name: given.get(name.strip().casefold(), default) for name in parsed.unknown}


def _report_move(parsed, mapping) -> None:
    if parsed.move is not None:
        new_teams = sum(1 for t in parsed.move.teams if not t["exists"])
        click.echo(f"Verhuizing: eerst {new_teams} teams en {len(parsed.move.employees)} medewerkers.")
    for name, numbers in sorted(parsed.unknown.items()):
        rows = ", ".join(str(n) for n in sorted(set(numbers)))
        user = db.session.get(User, mapping[name]) if mapping.get(name) else None
        chosen = f"neemt over: {user.name} <{user.email}>" if user else "nog niemand gekozen"
        click.echo(f"{name} is nog geen gebruiker (rij {rows}): {chosen}.")


def _run_import(kind, slug, path, dry_run, email, move=False, pairs=(), options=None):
    from riecycle.excel import importer

    org = find_org_or_fail(slug)
    user = _actor(org, email)
    data = Path(path).read_bytes()
    token = set_actor(user.id if user else None)
    try:
        if kind == "plan":
            parsed = importer.parse_plan(org, data, path)
            if getattr(parsed, "kind", None) == "rienl":  # a rie.nl action plan: cli/rienl.py
                counts = apply_rienl(org, user, parsed, options or {})
            else:
                if move and parsed.move is None:
                    raise click.ClickException(
                        f"Dit bestand verhuist geen organisatie naar '{org.slug}': het komt niet uit een andere "
                        "organisatie met tabbladen Teams en Medewerkers, of deze organisatie heeft al teams, "
                        "medewerkers, risico's of maatregelen."
                    )
                mapping = _mapping(org, parsed, pairs, (options or {}).get("responsible"))
                _report_updates(parsed)
                _report_move(parsed, mapping)
                counts = importer.apply_plan(org, user, parsed, mapping)
            summary = f"{counts['risks']} risico's en {counts['measures']} maatregelen"
            if getattr(parsed, "move", None) is not None or counts.get("evaluations"):
                summary = (
                    f"{counts['teams']} teams, {counts['employees']} medewerkers, {summary} "
                    f"en {counts['evaluations']} evaluaties"
                )
        else:
            parsed = importer.parse_teams(org, data, path)
            counts = importer.apply_teams(org, parsed)
            summary = f"{counts['teams']} teams en {counts['employees']} medewerkers"
    except importer.ImportRefused as refused:
        db.session.rollback()
        _report(refused)
        raise SystemExit(1) from None
    finally:
        reset_actor(token)
    for note in parsed.notes:  # where reading stopped, and what a pseudonymised copy could not change
        click.echo(note)
    if dry_run:
        db.session.rollback()
        click.echo(f"Proefimport geslaagd: {summary} zouden worden aangemaakt. Er is niets opgeslagen.")
        return
    db.session.commit()
    click.echo(f"Import geslaagd: {summary} aangemaakt in '{org.slug}'.")


@import_cli.command("plan")
@click.option("--org", "slug", required=True, help="Korte naam van de organisatie.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Alleen controleren; niets opslaan.")
@click.option("--as", "email", default=None, help="E-mailadres van de gebruiker die importeert (audit log).")
@click.option(
    "--move",
    is_flag=True,
    help="Verhuizen: het bewijsdossier van de beheerder van een andere organisatie in één keer in deze "
    "(lege) organisatie zetten, met teams, medewerkers, risico's, maatregelen en evaluaties.",
)
@click.option(
    "--map",
    "pairs",
    multiple=True,
    metavar="NAAM=E-MAIL",
    help="Bij een verhuizing: wie het werk overneemt van een persoon die hier nog geen gebruiker is.",
)
@rienl_options
def import_plan(slug, path, dry_run, email, move, pairs, **options):
    """Import risks plus measures (the Plan van Aanpak) from an .xlsx file: all or nothing.

    A rie.nl (Euphorie/OiRA) action plan is recognised by its headers; see its options below."""
    _run_import("plan", slug, path, dry_run, email, move, pairs, options)


@import_cli.command("teams")
@click.option("--org", "slug", required=True, help="Korte naam van de organisatie.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Alleen controleren; niets opslaan.")
def import_teams(slug, path, dry_run):
    """Import teams plus employees from an .xlsx file: all or nothing."""
    _run_import("teams", slug, path, dry_run, None)
