"""Command-line interface (`flask --app wsgi ...`): thin wrappers over services and jobs.

Each command validates its arguments, calls services or a job, and commits; services only
flush. One module per area:

- accounts.py: `org create`, `user create`, `create-admin`, `avg-wissen`;
- seed.py: `seed demo`, `seed taxonomy`;
- reminders.py: `reminders run`, `scheduler`;
- pulse.py: `pulse open-due`;
- zelfinspectie.py: `zelfinspectie`;
- excel.py: `export evidence`, `import plan`, `import teams`;
- report.py: `report rie` (the report RI&E en Plan van Aanpak PSA, PDF or Word);
- common.py: the shared error and organisation lookup.
"""

from riecycle.cli.accounts import create_admin, erase_employee_command, org_cli, user_cli
from riecycle.cli.excel import export_cli, import_cli
from riecycle.cli.pulse import pulse_cli
from riecycle.cli.reminders import reminders_cli, scheduler_command
from riecycle.cli.report import report_cli
from riecycle.cli.seed import seed_cli
from riecycle.cli.zelfinspectie import zelfinspectie_command

COMMANDS = (
    org_cli,
    user_cli,
    seed_cli,
    create_admin,
    reminders_cli,
    scheduler_command,
    erase_employee_command,
    zelfinspectie_command,
    pulse_cli,
    export_cli,
    import_cli,
    report_cli,
)


def register(app) -> None:
    """Attach every command group to the app."""
    for command in COMMANDS:
        app.cli.add_command(command)
