"""CLI: flask --app wsgi zelfinspectie --org SLUG [--format json] runs the self-inspection."""

import json

import click

from riecycle.audit import reset_actor, set_actor
from riecycle.cli.common import find_org_or_fail
from riecycle.extensions import db
from riecycle.labels import label


def _as_json(org, run) -> str:
    from riecycle.services import zelfinspectie as service

    return json.dumps(
        {
            "organisation": org.slug,
            "run_id": run.id,
            "run_at": run.run_at.isoformat(),
            "score": run.score,
            "group_scores": run.group_scores,
            "items": [
                {
                    "id": i["id"],
                    "group": i["group"],
                    "importance": i["importance"],
                    "answer": i["answer"],
                    "auto_answer": i["auto_answer"],
                    "source": i["source"],
                    "explanation": i["explanation"],
                    "justification": i["justification"],
                    "evidence": i["evidence"],
                    "evidence_total": i.get("evidence_total", len(i["evidence"])),
                    "evidence_list": i.get("evidence_list"),
                }
                for i in run.items
            ],
            "gaps": [g["id"] for g in service.gaps(run)],
        },
        ensure_ascii=False,
        indent=2,
    )


def _as_text(org, run) -> str:
    from riecycle.services import zelfinspectie as service

    pct = "—" if run.score is None else f"{round(run.score * 100)}%"
    level, sentence = service.verdict(run)
    lines = [f"Zelfinspectie {org.name} ({run.run_on.isoformat()}): score {pct}", sentence, ""]
    for item in run.items:
        lines.append(
            f"{item['id']:>4}  {label(item['answer'], 'checklist_answer'):<20} {item['explanation']}"
        )
    gaps = service.gaps(run)
    if gaps:
        lines += ["", "Eerst doen: " + ", ".join(g["id"] for g in gaps)]
    return "\n".join(lines)


@click.command("zelfinspectie")
@click.option("--org", "slug", required=True, help="Korte naam van de organisatie.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def zelfinspectie_command(slug, fmt):
    """Run the self-inspection for an organisation, store the run and print the result."""
    from riecycle.services import zelfinspectie as service

    org = find_org_or_fail(slug)
    token = set_actor(None)
    try:
        run = service.run_checklist(org, None, origin="cli")
        db.session.commit()
    finally:
        reset_actor(token)
    click.echo(_as_json(org, run) if fmt == "json" else _as_text(org, run))
