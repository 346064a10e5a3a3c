"""Load the PSA themes and Wegwijzer factors into the database (idempotent)."""

from riecycle.content import load_yaml
from riecycle.extensions import db
from riecycle.models import Factor, Theme


def load_taxonomy() -> int:
    """Insert or update every theme and factor from seed/taxonomy.yaml; return changes."""
    data = load_yaml("taxonomy.yaml")
    changes = 0
    for position, item in enumerate(data["themes"]):
        changes += _upsert(
            Theme,
            item["key"],
            {
                "position": position,
                "name_nl": item["name"]["nl"],
                "name_en": item["name"]["en"],
                "description_nl": item.get("description", {}).get("nl"),
                "description_en": item.get("description", {}).get("en"),
            },
        )
    position = 0
    for group in data["factor_groups"]:
        for item in group["factors"]:
            position += 1
            question = item.get("pulse_question") or {}
            changes += _upsert(
                Factor,
                item["key"],
                {
                    "position": position,
                    "group_key": group["key"],
                    "kind": group["kind"],
                    "group_name_nl": group["name"]["nl"],
                    "group_name_en": group["name"]["en"],
                    "name_nl": item["name"]["nl"],
                    "name_en": item["name"]["en"],
                    "pulse_question_nl": question.get("nl"),
                    "pulse_question_en": question.get("en"),
                    "theme_key": "werkdruk",
                },
            )
    db.session.flush()
    return changes


def _upsert(model, key: str, values: dict) -> int:
    obj = db.session.get(model, key)
    if obj is None:
        db.session.add(model(key=key, **values))
        return 1
    changed = 0
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = 1
    return changed
