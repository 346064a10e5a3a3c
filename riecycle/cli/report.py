"""CLI: the report "RI&E en Plan van Aanpak PSA".

flask --app wsgi report rie --org SLUG --format pdf|docx --out FILE [--as-of DATE] [--lang nl|en]

A summarised (large) report names the evidence workbook as its annex: it is written next to
FILE. Nothing is stored in the database.
"""

from pathlib import Path

import click
from flask.cli import AppGroup

from riecycle.cli.common import find_org_or_fail
from riecycle.services import ServiceError

report_cli = AppGroup("report", help="Rapporten (PDF of Word).")


@report_cli.command("rie")
@click.option("--org", "slug", required=True, help="Korte naam van de organisatie.")
@click.option("--format", "fmt", type=click.Choice(["pdf", "docx"]), required=True, help="pdf of docx.")
@click.option(
    "--out", "out", required=True, type=click.Path(dir_okay=False, writable=True), help="Het bestand."
)
@click.option(
    "--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Stand per (JJJJ-MM-DD)."
)
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True, help="Taal.")
def report_rie(slug, fmt, out, as_of, lang):
    """Write the report RI&E en Plan van Aanpak PSA of an organisation to FILE."""
    from riecycle import reports
    from riecycle.services.report import copies

    org = find_org_or_fail(slug)
    day = as_of.date() if as_of else None
    try:
        copies.check(fmt, lang, "intern", day)
    except ServiceError as error:
        raise click.BadParameter(error.message) from error
    report, data, annex = reports.make(org, fmt, lang, day)
    Path(out).write_bytes(data)
    click.echo(f"Rapport van '{org.slug}' geschreven naar {out} (SHA-256 {copies.sha256(data)}).")
    if annex is not None:
        annex_path = Path(out).with_name(annex[0])
        annex_path.write_bytes(annex[1])
        click.echo(f"Samengevat rapport; de volledige bijlage staat in {annex_path}.")
