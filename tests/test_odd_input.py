"""What a user can type or edit in the address bar never breaks a page: odd paging parameters
show a page, and a NUL character is refused with a clear message and changes nothing."""

import pytest
from sqlalchemy import select

from riecycle.extensions import db
from riecycle.models import Team


@pytest.mark.parametrize(
    "path",
    [
        "/o/acme/plan/?page=abc",
        "/o/acme/plan/?page=-5&groep=niveau",
        "/o/acme/plan/mijn?lijst=x&page=zz",
        "/o/acme/plan/mijn?lijst=done&page=999999",
        "/o/acme/pulse/?page=x&dalend=2",
        "/account/organisaties?page=-1",
        "/o/acme/plan/?groep=verantwoordelijke&page=99999999999999999999",
    ],
)
def test_odd_paging_parameters_still_show_the_page(client_as, world, path):
    assert client_as("preventiemedewerker").get(path).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/o/acme/plan/?q=a%00b",
        "/o/acme/audit/?entity=a%00b",
        "/o/acme/beheer/medewerkers?q=a%00",
        "/account/organisaties?q=%00",
    ],
)
def test_a_nul_character_in_the_address_is_refused_clearly(client_as, world, path):
    response = client_as("beheerder").get(path)
    assert response.status_code == 400 and "ongeldig (onzichtbaar) teken" in response.get_data(as_text=True)


def test_a_nul_character_in_a_form_changes_nothing(client_as, world, app):
    app.config["WTF_CSRF_ENABLED"] = False
    response = client_as("beheerder").post(
        "/o/acme/beheer/teams/nieuw", data={"name": "Team\x00X", "kind": "afdeling"}
    )
    assert response.status_code == 400
    assert db.session.scalar(select(Team).where(Team.name.like("Team%X"))) is None
