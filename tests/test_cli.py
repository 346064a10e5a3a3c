"""Command-line interface and the demo seed."""

from sqlalchemy import func, select

from riecycle.extensions import db
from riecycle.models import ArbodienstContract, Employee, Membership, Organisation, Team, User
from riecycle.seeding.demo import DEMO_PASSWORD


def _counts():
    return {
        m.__name__: db.session.scalar(select(func.count()).select_from(m))
        for m in (Organisation, Team, Employee, User, Membership, ArbodienstContract)
    }


def test_org_and_user_create(app, outbox):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["org", "create", "--slug", "bakkerij", "--name", "Bakkerij Jansen"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        args=["user", "create", "--org", "bakkerij", "--email", "hr@bakkerij.example", "--role", "beheerder"]
    )
    assert result.exit_code == 0, result.output
    assert "Uitnodiging" in result.output
    assert len(outbox()) == 1
    again = runner.invoke(args=["org", "create", "--slug", "bakkerij", "--name", "X"])
    assert again.exit_code != 0 and "al in gebruik" in again.output
    bad = runner.invoke(
        args=["user", "create", "--org", "bestaat-niet", "--email", "a@b.example", "--role", "auditor"]
    )
    assert bad.exit_code != 0 and "bestaat niet" in bad.output


def test_create_admin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["create-admin", "--email", "admin@platform.example", "--password", "een-sterk-wachtwoord"]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "admin@platform.example"))
    assert user.is_platform_admin


def test_seed_demo_is_idempotent_and_logins_work(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed", "demo"])
    assert first.exit_code == 0, first.output
    counts = _counts()
    assert counts["Employee"] >= 100
    assert counts["Team"] == 5
    assert counts["ArbodienstContract"] == 1  # A5 of the demo is answered from the records
    second = runner.invoke(args=["seed", "demo"])
    assert second.exit_code == 0, second.output
    assert _counts() == counts
    client = app.test_client()
    for email in (
        "beheerder@demo.riecycle.nl",
        "preventie@demo.riecycle.nl",
        "leidinggevende@demo.riecycle.nl",
        "or@demo.riecycle.nl",
        "auditor@demo.riecycle.nl",
    ):
        response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
        assert client.get("/o/demo/").status_code == 200, email
        client.post("/logout")
