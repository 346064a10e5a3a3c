"""Form data as the browser would post it, and fields read back from a rendered form."""

import re
from datetime import timedelta

from riecycle import clock

# --- measures ----------------------------------------------------------------------------------


def measure_data(world, risk, **overrides):
    data = {
        "title": "Vaste pauzes in het rooster",
        "description": "Iedereen een half uur pauze.",
        "risk_ids": [risk.id],
        "level": "organisatie",
        "approach": "rust_en_herstel",
        "responsible_id": world.users["preventiemedewerker"].id,
        "termijn": clock.today() + timedelta(days=60),
        "start_date": clock.today(),
        "budget_eur": "1.500,50",
        "effort": "2 uur per week",
        "quick_win": True,
        "change_type": "eenvoudig",
        "pilot": False,
    }
    data.update(overrides)
    return data


def measure_form(world, risk, **overrides):
    form = {
        "title": "Vaste pauzes in het rooster",
        "description": "Iedereen een half uur pauze.",
        "risk_ids": [str(risk.id)],
        "level": "organisatie",
        "approach": "rust_en_herstel",
        "responsible_id": str(world.users["preventiemedewerker"].id),
        "termijn": (clock.today() + timedelta(days=60)).isoformat(),
        "start_date": "",
        "budget_eur": "",
        "effort": "",
        "change_type": "eenvoudig",
    }
    form.update(overrides)
    return form


def edit_form_fields(html: str) -> dict:
    version = re.search(r'name="version_id"[^>]*value="([^"]*)"', html).group(1)
    original = re.search(r'name="original"[^>]*value="([^"]*)"', html).group(1)
    return {"version_id": version, "original": original.replace("&#34;", '"').replace("&quot;", '"')}
