"""RI&E pages: forms, uploads, instemming, register, heatmap, visibility and tenant isolation."""

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from riecycle import clock
from riecycle.extensions import db
from riecycle.models import Approval, Attachment, Rie, RieTheme, Risk, RiskEvaluation
from riecycle.services import onderzoek, risks
from tests.factories import make_rie, make_service_risk

PDF = b"%PDF-1.4\n% test\n"


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def url(path: str) -> str:
    return f"/o/acme/rie{path}"


def rie_form(**extra):
    data = {
        "performed_on": clock.today().isoformat(),
        "performed_by": "Werkgroep",
        "performed_by_kind": "intern",
        "instrument": "Branche-RI&E zorg",
        "review_interval_months": "36",
        "scope": "Hele organisatie",
        "make_current": "y",
    }
    data.update(extra)
    return data


# --- RI&E, uploads --------------------------------------------------------------------------


def test_create_rie_with_document(client_as):
    client = client_as("preventiemedewerker")
    data = rie_form(file=(io.BytesIO(PDF), "rie-rapport.pdf"))
    response = client.post(url("/versies/nieuw"), data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    rie = db.session.scalar(select(Rie))
    assert rie.is_current and rie.version == 1
    doc = db.session.scalar(select(Attachment))
    assert (doc.owner_type, doc.owner_id, doc.filename) == ("rie", rie.id, "rie-rapport.pdf")
    assert len(doc.sha256) == 64
    page = client.get(url("/")).get_data(as_text=True)
    assert "rie-rapport.pdf" in page and "RI&amp;E versie 1" in page


def test_too_large_upload_stores_nothing(app, client_as):
    app.config["UPLOAD_MAX_BYTES"] = 1024
    client = client_as("preventiemedewerker")
    data = rie_form(file=(io.BytesIO(PDF + b"x" * 2000), "groot.pdf"))
    response = client.post(url("/versies/nieuw"), data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Het bestand is te groot" in response.get_data(as_text=True)
    assert count(Rie) == 0 and count(Attachment) == 0


def test_request_over_the_server_limit_gets_a_clear_413(app, client_as):
    app.config["MAX_CONTENT_LENGTH"] = 2048
    client = client_as("preventiemedewerker")
    data = rie_form(file=(io.BytesIO(PDF + b"x" * 5000), "groot.pdf"))
    response = client.post(url("/versies/nieuw"), data=data, content_type="multipart/form-data")
    assert response.status_code == 413
    assert "te groot" in response.get_data(as_text=True)
    assert count(Rie) == 0 and count(Attachment) == 0


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("virus.exe", b"MZ\x90\x00", "Dit bestandstype is niet toegestaan"),
        ("nep.pdf", b"dit is geen pdf", "past niet bij de extensie .pdf"),
    ],
)
def test_wrong_type_upload_changes_nothing(client_as, world, filename, content, message):
    rie = make_rie(world)
    rie_id, before = rie.id, rie.scope
    client = client_as("preventiemedewerker")
    data = rie_form(scope="Gewijzigde reikwijdte", file=(io.BytesIO(content), filename))
    response = client.post(url(f"/versies/{rie_id}/bewerken"), data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(Attachment) == 0
    assert db.session.get(Rie, rie_id).scope == before


def test_upload_route_refuses_bad_files(client_as, world):
    rie = make_rie(world)
    client = client_as("preventiemedewerker")
    response = client.post(
        url(f"/documenten/rie/{rie.id}"),
        data={"file": (io.BytesIO(b"MZ"), "x.exe")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Dit bestandstype is niet toegestaan" in response.get_data(as_text=True)
    assert count(Attachment) == 0
    response = client.post(
        url(f"/documenten/rie/{rie.id}"),
        data={"file": (io.BytesIO(PDF), "ok.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302 and count(Attachment) == 1


def test_toetsing_with_report_and_exemption_shown(client_as, world):
    rie = make_rie(world)
    client = client_as("beheerder")
    data = {
        "expert_kind": "arbodienst",
        "expert_name": "Arbodienst Test",
        "registration": "123",
        "tested_on": clock.today().isoformat(),
        "advice_summary": "Akkoord",
        "file": (io.BytesIO(PDF), "toetsing.pdf"),
    }
    response = client.post(url(f"/versies/{rie.id}/toetsing"), data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    page = client.get(url("/")).get_data(as_text=True)
    assert "Arbodienst Test" in page and "toetsing.pdf" in page
    # acme: 60 employees, hours unknown -> not exempt, with the reason.
    assert "Toetsing verplicht (Arbowet art. 14)" in page and "60 werknemers is meer dan 25" in page


# --- themes ------------------------------------------------------------------------------------


def test_theme_nvt_without_reason_is_refused(client_as, world):
    rie = make_rie(world)
    client = client_as("preventiemedewerker")
    data = {
        f"applicable_{k}": "1"
        for k in (
            "werkdruk",
            "pesten",
            "seksuele_intimidatie",
            "discriminatie",
            "agressie_intern",
            "agressie_extern",
            "ingrijpende_gebeurtenissen",
        )
    }
    data["applicable_agressie_extern"] = "0"
    response = client.post(url(f"/versies/{rie.id}/themas"), data=data)
    assert response.status_code == 400
    assert "Geef een reden waarom dit thema niet van toepassing is." in response.get_data(as_text=True)
    assert count(RieTheme) == 0
    data["reason_agressie_extern"] = "Geen contact met klanten of publiek"
    assert client.post(url(f"/versies/{rie.id}/themas"), data=data).status_code == 302
    assert count(RieTheme) == 7
    page = client_as("or_lid").get(url(f"/versies/{rie.id}")).get_data(as_text=True)
    assert "Geen contact met klanten of publiek" in page


# --- instemming ---------------------------------------------------------------------------------


def test_or_instemming_flow(client_as, world):
    rie = make_rie(world)
    client = client_as("preventiemedewerker")
    response = client.post(
        url(f"/versies/{rie.id}/voorleggen"), data={"submitted_on": clock.today().isoformat()}
    )
    assert response.status_code == 302
    approval = db.session.scalar(select(Approval))
    assert approval.is_pending
    assert "wacht op besluit OR/PVT" in client.get(url("/")).get_data(as_text=True)
    # A second submission while pending is refused.
    client.post(url(f"/versies/{rie.id}/voorleggen"), data={"submitted_on": clock.today().isoformat()})
    assert count(Approval) == 1
    or_client = client_as("or_lid")
    page = or_client.get(url("/")).get_data(as_text=True)
    assert f"/instemming/{approval.id}" in page
    refused = or_client.post(
        url(f"/instemming/{approval.id}"),
        data={"decision": "geweigerd", "decided_on": clock.today().isoformat()},
    )
    assert refused.status_code == 400 and "Geef bij een weigering de reden op." in refused.get_data(
        as_text=True
    )
    response = or_client.post(
        url(f"/instemming/{approval.id}"),
        data={
            "decision": "verleend",
            "decided_on": clock.today().isoformat(),
            "remarks": "Akkoord",
            "file": (io.BytesIO(PDF), "besluit.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.expire_all()
    approval = db.session.get(Approval, approval.id)
    assert approval.decision == "verleend" and approval.decided_by_id == world.users["or_lid"].id
    page = client.get(url("/")).get_data(as_text=True)
    assert "Instemming verleend" in page and "besluit.pdf" in page
    assert client.get(url(f"/instemming/{approval.id}")).status_code == 403


# --- risks ---------------------------------------------------------------------------------------


def risk_form(**extra):
    data = {
        "title": "Piekdrukte in december",
        "theme_key": "werkdruk",
        "description": "Wat: veel werk. Oorzaak: jaarafsluiting. Wanneer: december. Wie: administratie.",
        "scope": "organisatie",
        "source": "rie",
        "status": "open",
        "factor_keys": ["tijdsdruk", "hoeveelheid_werk"],
    }
    data.update(extra)
    return data


def test_create_evaluate_and_show_before_after(client_as, world):
    client = client_as("preventiemedewerker")
    response = client.post(url("/risicos/nieuw"), data=risk_form())
    assert response.status_code == 302
    risk = db.session.scalar(select(Risk))
    assert sorted(f.key for f in risk.factors) == ["hoeveelheid_werk", "tijdsdruk"]
    day = (clock.today() - timedelta(days=90)).isoformat()
    assert (
        client.post(
            url(f"/risicos/{risk.id}/beoordelen"),
            data={"kans": "5", "frequentie": "7", "effect": "5", "evaluated_on": day},
        ).status_code
        == 302
    )
    assert (
        client.post(
            url(f"/risicos/{risk.id}/beoordelen"),
            data={"kans": "3", "frequentie": "4", "effect": "1", "evaluated_on": clock.today().isoformat()},
        ).status_code
        == 302
    )
    assert count(RiskEvaluation) == 2
    page = client_as("auditor").get(url(f"/risicos/{risk.id}")).get_data(as_text=True)
    assert "Eerste beoordeling" in page and "175" in page and "12" in page
    assert "163 punten lager" in page
    assert "Preventiemedewerker Acme" in page


def test_register_filters_sort_and_paginate(client_as, world):
    noord = world.teams["Zorgteam Noord"]
    low = make_service_risk(world, title="Laag risico", theme_key="pesten")
    risks.evaluate(world.org, low, None, 1, 1, 1)
    high = make_service_risk(world, title="Hoog risico", scope="teams", team_ids=[noord.id])
    risks.evaluate(world.org, high, None, 5, 10, 7)
    make_service_risk(world, title="Vervallen risico", status="nvt", status_reason="Niet meer aan de orde")
    for n in range(30):
        make_service_risk(world, title=f"Vulrisico {n:02d}", theme_key="discriminatie")
    db.session.commit()
    client = client_as("auditor")
    page = client.get(url("/risicos?sort=score&dir=desc")).get_data(as_text=True)
    assert page.index("Hoog risico") < page.index("Laag risico")
    assert "Pagina 1 van 2" in page
    assert "Hoog risico" in client.get(url(f"/risicos?team={noord.id}")).get_data(as_text=True)
    assert "Laag risico" not in client.get(url(f"/risicos?team={noord.id}")).get_data(as_text=True)
    only_pesten = client.get(url("/risicos?thema=pesten")).get_data(as_text=True)
    assert "Laag risico" in only_pesten and "Hoog risico" not in only_pesten
    assert "Hoog risico" in client.get(url("/risicos?prioriteit=hoog")).get_data(as_text=True)
    assert "Vervallen risico" in client.get(url("/risicos?status=nvt")).get_data(as_text=True)
    assert "Vervallen risico" not in client.get(url("/risicos?status=actief&page=1&thema=")).get_data(
        as_text=True
    )
    page2 = client.get(url("/risicos?sort=titel&dir=asc&page=2")).get_data(as_text=True)
    assert "Vulrisico 29" in page2


def test_heatmap_cell_counts_and_links(client_as, world):
    risk = make_service_risk(world, title="Celrisico")
    risks.evaluate(world.org, risk, None, 3, 5, 4)
    other = make_service_risk(world, title="Niet van toepassing", status="nvt", status_reason="reden")
    risks.evaluate(world.org, other, None, 3, 5, 4)
    db.session.commit()
    page = client_as("or_lid").get(url("/heatmap")).get_data(as_text=True)
    cell = re.search(
        r'<a href="([^"]+)" tabindex="-1"><rect [^>]*data-kans="3" data-effect="5" data-count="(\d+)"', page
    )
    assert cell and cell.group(2) == "1"
    # The data table (open on this page) carries the same link for keyboard and screen reader users.
    assert f'<a href="{cell.group(1)}">1 (1 hoog)</a>' in page  # 3 × 4 × 5 = 60
    target = cell.group(1).replace("&amp;", "&")
    register = client_as("or_lid").get(target).get_data(as_text=True)
    assert "Celrisico" in register and "Niet van toepassing</a>" not in register


def test_heatmap_shows_each_method_on_its_own_grid(client_as, world):
    kinney = make_service_risk(world, title="Kinneyrisico")
    risks.evaluate(world.org, kinney, None, 5, 10, 7)  # 350: hoog
    matrix = make_service_risk(world, title="Matrixrisico")
    risks.evaluate(world.org, matrix, None, 2, 2, method="matrix")  # 4: laag
    db.session.commit()
    page = client_as("or_lid").get(url("/heatmap")).get_data(as_text=True)
    figures = re.findall(r'<figure class="chart chart-heatmap">.*?</figure>', page, re.S)
    assert len(figures) == 2
    assert (
        "Risico&#39;s: Kinney" in figures[0]
        and 'data-kans="5" data-effect="10" data-count="1" data-priority="hoog"' in figures[0]
    )
    assert 'data-kans="4"' not in figures[0]  # Kinney's own scale: kans 1/3/5
    assert 'data-kans="2" data-effect="2" data-count="1" data-priority="laag"' in figures[1]
    assert "elke methode heeft een eigen heatmap" in page
    cell = re.search(r'<a href="([^"]+)" tabindex="-1"><rect [^>]*data-kans="2" data-effect="2"', figures[1])
    register = client_as("or_lid").get(cell.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "Matrixrisico" in register and "Kinneyrisico" not in register


def test_delete_and_restore_risk(client_as, world):
    risk = make_service_risk(world, title="Weg en terug")
    risks.set_top5(world.org, [risk.id])
    db.session.commit()
    client = client_as("preventiemedewerker")
    assert client.post(url(f"/risicos/{risk.id}/verwijderen")).status_code == 302
    assert "Weg en terug</a>" not in client.get(url("/risicos")).get_data(as_text=True)
    assert "Weg en terug" in client.get(url("/risicos?verwijderd=1")).get_data(as_text=True)
    assert client.get(url(f"/risicos/{risk.id}")).status_code == 404
    assert client.post(url(f"/risicos/{risk.id}/terugzetten")).status_code == 302
    db.session.expire_all()
    restored = db.session.get(Risk, risk.id)
    assert restored.deleted_at is None and restored.top5_rank is None


def test_top5_form(client_as, world):
    a, b = make_service_risk(world, title="A"), make_service_risk(world, title="B")
    client = client_as("preventiemedewerker")
    client.post(url("/top5"), data={"rank_1": str(b.id), "rank_2": str(a.id)})
    db.session.expire_all()
    assert [r.title for r in risks.top5(world.org)] == ["B", "A"]
    response = client.post(
        url("/top5"), data={"rank_1": str(a.id), "rank_2": str(a.id)}, follow_redirects=True
    )
    assert "maar één keer" in response.get_data(as_text=True)
    db.session.expire_all()
    assert [r.title for r in risks.top5(world.org)] == ["B", "A"]


# --- visibility and tenant isolation ---------------------------------------------------------------


def test_leidinggevende_sees_only_own_teams_and_organisation_risks(client_as, world):
    noord, zuid = world.teams["Zorgteam Noord"], world.teams["Zorgteam Zuid"]
    mine = make_service_risk(world, title="Risico Noord", scope="teams", team_ids=[noord.id])
    theirs = make_service_risk(world, title="Risico Zuid", scope="teams", team_ids=[zuid.id])
    make_service_risk(world, title="Risico organisatie")
    client = client_as("leidinggevende")
    page = client.get(url("/risicos")).get_data(as_text=True)
    assert "Risico Noord" in page and "Risico organisatie" in page and "Risico Zuid" not in page
    assert client.get(url(f"/risicos/{mine.id}")).status_code == 200
    assert client.get(url(f"/risicos/{theirs.id}")).status_code == 404
    assert "Risico Zuid" in client_as("or_lid").get(url("/risicos")).get_data(as_text=True)


def test_other_organisations_records_are_404(client_as, world):
    from riecycle.services import risks as risk_service

    foreign = risk_service.create_risk(
        world.other_org,
        {"title": "Vreemd", "description": "x", "theme_key": "werkdruk", "scope": "organisatie"},
    )
    study = onderzoek.create(world.other_org, {"title": "Vreemd onderzoek", "period_start": clock.today()})
    db.session.commit()
    client = client_as("beheerder")
    assert client.get(url(f"/risicos/{foreign.id}")).status_code == 404
    assert client.post(url(f"/risicos/{foreign.id}/verwijderen")).status_code == 404
    assert client.get(url(f"/onderzoek/{study.id}")).status_code == 404
    assert "Vreemd" not in client.get(url("/risicos")).get_data(as_text=True)
    # Another organisation's team in a form is refused without a 500.
    response = client.post(
        url("/risicos/nieuw"), data=risk_form(scope="teams", team_ids=[world.other_team.id])
    )
    assert response.status_code == 400 and count(Risk) == 1


def test_or_member_cannot_edit(client_as, world):
    risk = make_service_risk(world)
    client = client_as("or_lid")
    page = client.get(url(f"/risicos/{risk.id}")).get_data(as_text=True)
    assert "Bewerken" not in page and "Verwijderen" not in page
    assert client.get(url(f"/risicos/{risk.id}/bewerken")).status_code == 403
    assert client.post(url(f"/risicos/{risk.id}/beoordelen"), data={"kans": "5"}).status_code == 403


# --- bad input never 500s ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "data"),
    [
        (
            "/versies/nieuw",
            {"performed_on": "gisteren", "review_interval_months": "veel", "performed_by_kind": "?"},
        ),
        ("/versies/nieuw", rie_form(performed_on="2999-01-01")),
        ("/versies/nieuw", rie_form(review_interval_months="0")),
        ("/versies/nieuw", rie_form(hybrid_work_considered="y")),
        (
            "/risicos/nieuw",
            {"title": "x" * 500, "theme_key": "bestaat_niet", "scope": "?", "team_ids": "abc"},
        ),
        ("/risicos/nieuw", risk_form(scope="functiegroep")),
        ("/risicos/nieuw", risk_form(status="nvt")),
        ("/risicos/nieuw", risk_form(factor_keys=["onbekend"])),
        ("/risicos/nieuw", risk_form(onderzoek_id="9999")),
        ("/risicos/nieuw", risk_form(source="roddel", status="weg")),
        (
            "/onderzoek/nieuw",
            {"title": "O", "period_start": "2024-13-45", "invited": "-3", "respondents": "x"},
        ),
        (
            "/onderzoek/nieuw",
            {"title": "O", "period_start": "2024-01-01", "invited": "3", "respondents": "9"},
        ),
        ("/onderzoek/nieuw", {"title": "O", "period_start": "2024-05-01", "period_end": "2024-01-01"}),
        ("/top5", {"rank_1": "abc"}),
        ("/top5", {"rank_1": "999999"}),
    ],
)
def test_bad_input_is_refused_without_500(client_as, world, path, data):
    before = (count(Rie), count(Risk))
    response = client_as("preventiemedewerker").post(url(path), data=data)
    assert response.status_code in (302, 400)
    assert (count(Rie), count(Risk)) == before


def test_bad_evaluation_and_team_result_input(client_as, world):
    risk = make_service_risk(world)
    study = onderzoek.create(world.org, {"title": "O", "period_start": clock.today()})
    rie = make_rie(world)
    db.session.commit()
    client = client_as("preventiemedewerker")
    for data in (
        {"kans": "2", "frequentie": "4", "effect": "5", "evaluated_on": clock.today().isoformat()},
        {"kans": "abc", "frequentie": "", "effect": "", "evaluated_on": "nooit"},
        {
            "kans": "3",
            "frequentie": "4",
            "effect": "5",
            "evaluated_on": (clock.today() + timedelta(days=3)).isoformat(),
        },
    ):
        response = client.post(url(f"/risicos/{risk.id}/beoordelen"), data=data)
        assert response.status_code == 400
    assert count(RiskEvaluation) == 0
    for data in (
        {"team_id": "abc", "respondents": "x"},
        {"team_id": str(world.other_team.id), "respondents": "5"},
        {"team_id": str(world.teams["Zorgteam Noord"].id), "respondents": "5", "invited": "3"},
        {"team_id": str(world.teams["Zorgteam Noord"].id), "respondents": "5", "score_tijdsdruk": "9"},
    ):
        response = client.post(url(f"/onderzoek/{study.id}/teamresultaat"), data=data)
        assert response.status_code == 400
    assert (
        client.post(url(f"/versies/{rie.id}/voorleggen"), data={"submitted_on": "morgen"}).status_code == 302
    )
    assert count(Approval) == 0
    assert client.get(url("/risicos?team=abc&kans=x&page=-4&sort=bogus")).status_code == 200
