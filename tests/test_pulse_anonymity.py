"""Pulse anonymity beyond the threshold (docs/domain.md §9): no live averages while a
round is open, no orderable answer ids, no tokens in access logs or addresses, links of removed
employees stop working, and a formula-safe CSV export."""

import csv
import io
import logging
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from riecycle import clock
from riecycle.excel.safe import csv_value
from riecycle.extensions import db
from riecycle.logredact import RedactingGunicornLogger, redact
from riecycle.models import Employee, PulseAnswer, PulseResponse, PulseToken
from riecycle.services import pulse as service
from tests.factories import PULSE_ANSWER, add_staff, make_survey, run_round, same, team

# --- §3: a live average per team moves when one more person answers ----------------------


def _answer(world, pulse_round, issued, team_name, value):
    """Let the next invitee of a team that has not answered yet answer `value` everywhere."""
    used = {t.employee_id for t in db.session.scalars(select(PulseToken)) if t.used_on is not None}
    item = next(
        i for i in issued if i.employee.team_id == team(world, team_name).id and i.employee.id not in used
    )
    service.submit_answers(item.raw, dict.fromkeys(pulse_round.item_keys, value), clock.today())
    db.session.commit()


def test_open_round_shows_no_averages_until_it_closes(staffed, client_as):
    add_staff(staffed, "Zorgteam Noord", 2)
    db.session.commit()
    survey = make_survey(staffed)
    noord = team(staffed).id
    pulse_round, issued = run_round(survey, clock.today(), {noord: same(5, 5) + same(1, 1)})
    client = client_as("or_lid")

    def snapshot():
        html = client.get(f"/o/acme/pulse/rondes/{pulse_round.id}").get_data(as_text=True)
        export = client.get("/o/acme/pulse/export.csv").get_data(as_text=True)
        results = service.visible_team_results([pulse_round])
        return html, export, results[(pulse_round.id, noord)], service.organisation_result(pulse_round)

    before = snapshot()
    _answer(staffed, pulse_round, issued, "Zorgteam Noord", 1)  # the 7th respondent
    after = snapshot()
    for html, export, result, org in (before, after):
        assert result.pending and not result.visible and result.means == {}
        assert org.means == {} and org.pending
        assert "Resultaten per team verschijnen wanneer de ronde sluit" in html
        assert '<span class="score">' not in html and "4,3" not in html and "3,9" not in html
        assert "Resultaten per team verschijnen wanneer de ronde sluit" in export
        assert ",00" not in export  # no average at all
    # Only the response moves (6 -> 7 of 10), never an average that gives the 7th answer away.
    assert (before[2].responded, after[2].responded) == (6, 7)
    index = client.get("/o/acme/pulse/").get_data(as_text=True)
    assert "Resultaten per team verschijnen wanneer de ronde sluit" in index and "data-score" not in index
    compare = client.get(f"/o/acme/pulse/vergelijken?baseline=r:{pulse_round.id}&followup={pulse_round.id}")
    assert "Resultaten per team verschijnen wanneer de ronde sluit" in compare.get_data(as_text=True)
    assert "data-difference" not in compare.get_data(as_text=True)

    service.close_round(pulse_round, clock.today())
    db.session.commit()
    closed = service.visible_team_results([pulse_round])[(pulse_round.id, noord)]
    assert not closed.pending and closed.visible
    assert closed.means["tijdsdruk"] == pytest.approx((5 * 5 + 1 + 1) / 7)
    html = client.get(f"/o/acme/pulse/rondes/{pulse_round.id}").get_data(as_text=True)
    assert '<span class="score">3,9</span>' in html
    assert "Resultaten per team verschijnen wanneer de ronde sluit" not in html
    assert service.organisation_result(pulse_round).means


# --- §14: no orderable answer id -----------------------------------------------------------


def test_answers_carry_no_orderable_id(staffed):
    columns = {c.name for c in PulseAnswer.__table__.columns}
    assert columns == {"response_id", "item_key", "value"}
    assert [c.name for c in PulseAnswer.__table__.primary_key] == ["response_id", "item_key"]
    survey = make_survey(staffed)
    run_round(survey, clock.today(), {team(staffed).id: same(4, 6)})
    keys = db.session.execute(select(PulseAnswer.response_id, PulseAnswer.item_key)).all()
    assert len(keys) == 12 and all(re.fullmatch(r"[0-9a-f]{32}", r) for r, _k in keys)
    assert {r for r, _k in keys} == set(db.session.scalars(select(PulseResponse.id)))


# --- §14: no tokens in access logs ----------------------------------------------------------

SECRET = "Qx8v_3kLm9TzR2wYp-5nB7cD1fGh4jKs"
TOKEN_URLS = (
    f"/puls/{SECRET}",
    f"/agenda/{SECRET}.ics",
    f"/wachtwoord-herstellen/{SECRET}",
    f"/uitnodiging/{SECRET}",
    f"/puls/{SECRET}?t={SECRET}",
)


@pytest.mark.parametrize("url", TOKEN_URLS)
def test_redact_removes_every_token(url):
    line = f'127.0.0.1 - - [03/Dec/2026:09:00:00 +0000] "GET {url} HTTP/1.1" 303 -'
    assert SECRET not in redact(line) and "…" in redact(line)


def test_redact_keeps_ordinary_addresses():
    for url in ("/puls/antwoord", "/puls/bedankt", "/o/acme/plan/?team=3&page=2", "/agenda"):
        assert redact(f"GET {url} HTTP/1.1") == f"GET {url} HTTP/1.1"
    assert redact("/agenda/abc.ics") == "/agenda/….ics"


def test_werkzeug_request_log_is_redacted(app, caplog):
    logger = logging.getLogger("werkzeug")
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logger.info('%s - - [x] "%s" %s %s', "10.0.0.1", f"GET /puls/{SECRET} HTTP/1.1", "303", "-")
    messages = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert messages and SECRET not in messages[-1] and "/puls/…" in messages[-1]


def test_gunicorn_access_log_is_redacted():
    from datetime import timedelta as td

    from gunicorn.config import Config

    config = Config()
    namespace: dict = {}
    exec(open("gunicorn.conf.py").read(), namespace)  # noqa: S102 - our own settings file
    assert namespace["logger_class"] == "riecycle.logredact.RedactingGunicornLogger"
    config.set("access_log_format", namespace["access_log_format"])
    logger = RedactingGunicornLogger(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/agenda/{SECRET}.ics",
        "PATH_INFO": f"/agenda/{SECRET}.ics",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.1",
        "HTTP_REFERER": f"https://riecycle.example/puls/{SECRET}",
    }
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    request = SimpleNamespace(headers=[("REFERER", f"https://riecycle.example/puls/{SECRET}")])
    atoms = logger.atoms(response, request, environ, td(milliseconds=3))
    line = namespace["access_log_format"] % atoms
    assert SECRET not in line and "/agenda/….ics" in line
    assert not [key for key, value in atoms.items() if isinstance(value, str) and SECRET in value]


# --- §14: the link becomes a short session on a token-free address -------------------------


def _open_round(world):
    survey = make_survey(world)
    pulse_round, issued = service.open_round(survey, clock.today())
    db.session.commit()
    return pulse_round, issued


def test_link_trades_its_token_for_a_session(staffed, client, monkeypatch):
    _round, issued = _open_round(staffed)
    raw = issued[0].raw
    opened = client.get(f"/puls/{raw}")
    assert opened.status_code == 303 and opened.headers["Location"].endswith(PULSE_ANSWER)
    assert raw not in opened.headers["Location"]
    page = client.get(PULSE_ANSWER)
    assert page.status_code == 200 and raw not in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] in ("same-origin", "no-referrer")
    # The session is short-lived: later, the answer page asks to open the link again.
    later = clock.now() + timedelta(minutes=61)
    monkeypatch.setattr(clock, "now", lambda: later)
    expired = client.post(PULSE_ANSWER, data={"tijdsdruk": "4", "betrokkenheid": "2"})
    assert expired.status_code == 410 and "Open de link uit uw e-mail opnieuw" in expired.get_data(
        as_text=True
    )
    monkeypatch.undo()
    assert client.get(f"/puls/{raw}").status_code == 303  # not used yet: the link still works
    assert client.post(PULSE_ANSWER, data={"tijdsdruk": "4", "betrokkenheid": "2"}).status_code == 302
    assert db.session.scalar(select(PulseToken).where(PulseToken.id == issued[0].token.id)).used_on
    # Another browser without the session gets nothing.
    assert client.application.test_client().get(PULSE_ANSWER).status_code == 410


def test_link_of_a_removed_employee_stops_working(staffed, client, client_as):
    _round, issued = _open_round(staffed)
    deleted, left, kept = issued[0], issued[1], issued[2]
    # A session opened before the removal stops too.
    assert client.get(f"/puls/{deleted.raw}").status_code == 303
    beheerder = client_as("beheerder")
    assert beheerder.post(f"/o/acme/beheer/medewerkers/{deleted.employee.id}/verwijderen").status_code == 302
    employee = db.session.get(Employee, left.employee.id)
    employee.end_date = clock.today() - timedelta(days=1)
    db.session.commit()
    assert client.post(PULSE_ANSWER, data={"tijdsdruk": "4", "betrokkenheid": "2"}).status_code == 404
    for gone in (deleted, left):
        response = client.get(f"/puls/{gone.raw}")
        assert response.status_code == 404 and "niet (meer) geldig" in response.get_data(as_text=True)
        with pytest.raises(service.TokenRefused):
            service.submit_answers(gone.raw, {"tijdsdruk": 3, "betrokkenheid": 3})
    db.session.rollback()
    assert client.get(f"/puls/{kept.raw}").status_code == 303
    assert db.session.scalar(select(PulseResponse)) is None


# --- §8: CSV formula injection ----------------------------------------------------------------


@pytest.mark.parametrize(
    "value,expected",
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("Zorgteam Noord", "Zorgteam Noord"),
        (7, 7),
        (None, ""),
    ],
)
def test_csv_value_uses_the_xlsx_rule(value, expected):
    assert csv_value(value) == expected


def test_pulse_csv_export_writes_no_formula(staffed, client_as):
    evil = "=cmd|' /C calc'!A0"
    team(staffed).name = evil
    db.session.commit()
    survey = make_survey(staffed)
    run_round(survey, clock.today() - timedelta(days=20), {team(staffed).id: same(4, 5)})
    export = client_as("auditor").get("/o/acme/pulse/export.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(export.lstrip("\ufeff")), delimiter=";"))
    cells = [cell for row in rows for cell in row]
    assert "'" + evil in cells
    assert not [cell for cell in cells if cell.startswith(("=", "+", "@"))]
