"""CLI: the options of `flask --app wsgi import plan` for a rie.nl (Euphorie/OiRA) action plan.

--theme-map "Sectie=thema"   map a section to a PSA theme (repeatable; "Sectie=" skips it);
                             sections whose name matches a theme are mapped already
--responsible EMAIL          the user for names in "Wie is er verantwoordelijk?" that match no user
--tool NAME, --erkend        the RI&E tool the file came from, and whether it is an erkend branche-RI&E
--termijn DATE               the termijn of measures without an end date
"""

import click

from riecycle.excel import rienl
from riecycle.excel.problems import ImportRefused, Problem
from riecycle.services import ServiceError


def rienl_options(command):
    """Add the rie.nl options to a command."""
    for option in reversed(
        (
            click.option(
                "--theme-map",
                "theme_map",
                multiple=True,
                help='rie.nl: koppel een sectie aan een PSA-thema, "Sectie=thema" (herhaalbaar; "Sectie=" slaat over).',
            ),
            click.option(
                "--responsible",
                default=None,
                help="E-mailadres van de gebruiker die het werk overneemt van personen die hier nog geen gebruiker zijn (rie.nl-plan en verhuizing).",
            ),
            click.option("--tool", default=None, help="rie.nl: de naam van de RI&E-tool."),
            click.option("--erkend", is_flag=True, help="rie.nl: de tool is een erkende branche-RI&E."),
            click.option(
                "--termijn",
                type=click.DateTime(["%Y-%m-%d"]),
                default=None,
                help="rie.nl: termijn (JJJJ-MM-DD) voor maatregelen zonder einddatum.",
            ),
        )
    ):
        command = option(command)
    return command


def apply_rienl(org, user, parsed, options: dict) -> dict:
    """Map the file with the options, list what is skipped, and create the records (flush only)."""
    termijn = options.get("termijn")
    try:
        choices = rienl.choices_from_cli(
            org,
            parsed,
            options.get("theme_map") or (),
            options.get("responsible"),
            options.get("tool"),
            bool(options.get("erkend")),
            termijn.date() if termijn else None,
        )
    except ServiceError as error:
        raise ImportRefused([Problem(None, None, None, error.message)]) from None
    click.echo(
        f"rie.nl-plan van aanpak ({parsed.language}): {len(parsed.risks)} risico's in {len(parsed.sections)} secties."
    )
    for section in parsed.sections:
        theme = choices.sections.get(section)
        click.echo(f"  Sectie '{section}' → {theme}" if theme else f"  Sectie '{section}': overgeslagen")
    mapped = rienl.plan(org, parsed, choices)
    for risk in mapped.skipped:
        click.echo(f"Overgeslagen: {risk['number']} {risk['title']} (sectie '{risk['section']}')")
    return rienl.apply(org, user, parsed, choices)
