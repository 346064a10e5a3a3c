"""CLI for pulse monitoring: `flask --app wsgi pulse open-due [--now ISO]`."""

from datetime import UTC, datetime

import click
from flask.cli import AppGroup

from riecycle import clock

pulse_cli = AppGroup("pulse", help="Pulsmetingen per team.")


def _parse_now(value: str | None) -> datetime:
    if not value:
        return clock.now()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("gebruik ISO 8601, bv. 2025-03-01 of 2025-03-01T07:00:00+01:00") from None
    if moment.tzinfo is None:  # a bare date or time is meant in Dutch local time
        moment = moment.replace(tzinfo=clock.AMSTERDAM)
    return moment.astimezone(UTC)


@pulse_cli.command("open-due")
@click.option("--now", "now_text", default=None, help="Doe alsof het dit moment is (ISO 8601).")
def open_due(now_text):
    """Open every pulse round that is due and mail the personal links (safe to run repeatedly)."""
    from riecycle.jobs.pulse import open_pulse_rounds

    opened = open_pulse_rounds(_parse_now(now_text))
    for pulse_round in opened:
        click.echo(f"Ronde {pulse_round.number} geopend voor organisatie #{pulse_round.organisation_id}.")
    click.echo(f"{len(opened)} ronde(s) geopend.")
