"""Platform staff keep the company-of-concern lists in the Wagtail admin: add a list with its
companies one per line, edit it, withdraw it; each save screens the providers again, and a
provider no longer named is unflagged (its pages and search documents told). Nobody else may."""

import pytest

from marketplace.accounts.models import Organisation
from marketplace.trust.models import ConcernList, ConcernMatch
from search.models import IndexChange
from tests.factories import UserFactory, provider_party
from tests.factories.trust import CONCERN_LIST

pytestmark = pytest.mark.django_db

LIST = CONCERN_LIST


@pytest.fixture
def provider() -> Organisation:
    return Organisation.objects.get(external_id="demo-p001")


@pytest.fixture
def staff(client):
    from cms.services import platform_moderator_add

    user = UserFactory()
    platform_moderator_add(user=user)
    client.force_login(user)
    return user


def flagged(provider: Organisation) -> bool:
    return ConcernMatch.objects.filter(provider=provider).exists()


def test_staff_add_edit_and_withdraw_a_list_in_the_admin(client, staff, provider, demo_site):
    line = f"{provider.name} Co., Ltd. | {provider.name_zh}; Old name | 91310000X"
    added = client.post(
        "/admin/concern-lists/add/", {**LIST, "entries": f"{line}\nAnother Biotech Inc."}
    )

    assert added.status_code == 302
    concern_list = ConcernList.objects.get()
    assert concern_list.entries.count() == 2 and flagged(provider)
    entry = concern_list.entries.get(name=f"{provider.name} Co., Ltd.")
    assert entry.aliases == f"{provider.name_zh}\nOld name" and entry.identifiers == "91310000X"
    index = client.get("/admin/concern-lists/").content.decode()
    assert LIST["name"] in index and provider.name in index
    form = client.get(f"/admin/concern-lists/{concern_list.pk}/").content.decode()
    assert line in form

    IndexChange.objects.all().delete()
    client.post(f"/admin/concern-lists/{concern_list.pk}/", {**LIST, "entries": "Another Biotech"})

    assert not flagged(provider)  # no longer named: unflagged, and search is told
    assert IndexChange.objects.filter(object_id=provider.provider_page.pk).exists()

    client.post(f"/admin/concern-lists/{concern_list.pk}/", {**LIST, "entries": provider.name})
    assert flagged(provider)
    withdrawn = client.post(f"/admin/concern-lists/{concern_list.pk}/withdraw/")
    assert withdrawn.status_code == 302
    assert not ConcernList.objects.exists() and not flagged(provider)


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ("", "This field is required"),
        ("A | B | C | D", "Line 1: give a name"),
        ("Fine Co.\n | alias only", "Line 2: give a name"),
    ],
)
def test_a_list_with_bad_lines_is_refused_line_by_line_and_nothing_is_written(
    client, staff, entries, message
):
    response = client.post("/admin/concern-lists/add/", {**LIST, "entries": entries})

    assert response.status_code == 200 and message in response.content.decode()
    assert not ConcernList.objects.exists()


def test_a_provider_cannot_open_or_post_to_the_lists(client, provider):
    owner = provider_party().owner
    client.force_login(owner)

    assert client.get("/admin/concern-lists/").url == "/admin/"
    refused = client.post("/admin/concern-lists/add/", {**LIST, "entries": "Rival Labs"})

    assert refused.url == "/admin/" and not ConcernList.objects.exists()
    assert "/admin/concern-lists/" not in client.get("/admin/").content.decode()
