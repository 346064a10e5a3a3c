"""The reminder pass and the scheduler: `flask --app wsgi reminders run [--now ISO]` and `scheduler`."""

from datetime import datetime

import click
from flask import current_app
from flask.cli import AppGroup

from riecycle import clock, jobs, scheduler

reminders_cli = AppGroup("reminders", help="Herinneringen versturen.")


@click.command("scheduler")
@click.option("--catch-up/--no-catch-up", default=True, help="Bij het starten direct één ronde draaien.")
def scheduler_command(catch_up):
    """Run the reminder scheduler (daily at 07:00 Europe/Amsterdam); extra copies wait as standby."""
    scheduler.run(current_app._get_current_object(), catch_up, click.echo)


def _parse_now(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("gebruik ISO-formaat, bijvoorbeeld 2025-03-01T07:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=clock.AMSTERDAM)


@reminders_cli.command("run")
@click.option("--now", "now_text", default=None, help="Doe alsof het nu dit moment is (ISO, lokale tijd).")
def reminders_run(now_text):
    """Run one reminder pass and print what it sent."""
    report = jobs.run_reminders(_parse_now(now_text))
    for line in report.lines:
        click.echo(line)
    for error in report.errors:
        click.echo(f"fout: {error}", err=True)
    click.echo(
        f"Klaar: {report.claimed} nieuw vastgelegd, {report.mailed} e-mails verzonden, "
        f"{report.retried} opnieuw geprobeerd, {report.failed} mislukt."
    )
