import pytest

from safeguard.core.testing import ContactFactory, GroupFactory, MembershipFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


def test_index_lists_active_partnerships_without_login(client):
    PartnershipFactory(name="Northdale SCP")
    PartnershipFactory(name="Hidden SCP", is_active=False)
    body = client.get("/").content.decode()
    assert "Northdale SCP" in body
    assert "Hidden SCP" not in body


def test_partnership_home_shows_groups_and_current_chair(client):
    p = PartnershipFactory(slug="northdale")
    board = GroupFactory(partnership=p, kind="board", name="Northdale Board")
    MembershipFactory(group=board, role="chair", person__given_name="Chairperson")
    body = client.get("/northdale/").content.decode()
    assert "Northdale Board" in body
    assert "Chairperson" in body


def test_contacts_page_lists_contacts_in_order(client):
    p = PartnershipFactory(slug="northdale")
    ContactFactory(partnership=p, title="Second", position=2)
    ContactFactory(partnership=p, title="First", position=1)
    body = client.get("/northdale/contact/").content.decode()
    assert body.index("First") < body.index("Second")


def test_unknown_partnership_is_a_styled_404(client):
    response = client.get("/nowhere/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.parametrize("url", ["/accessibility/", "/cookies/", "/privacy/"])
def test_footer_pages_have_real_content(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert len(response.content) > 3000


def test_pages_send_a_content_security_policy_without_inline_scripts(client):
    PartnershipFactory(slug="northdale")
    response = client.get("/northdale/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "<script>" not in response.content.decode()
