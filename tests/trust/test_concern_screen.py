"""The company-of-concern screen: lists are data platform staff keep; a provider whose name
(English or Chinese, legal form aside) is on a list is flagged on its page; anyone reads the
lists and the providers they flag."""

import pytest
from django.contrib.auth.models import Group

from marketplace.accounts.models import Organisation
from marketplace.accounts.permissions import PLATFORM_MODERATORS
from marketplace.trust.concern import normalised
from marketplace.trust.models import ConcernList, ConcernMatch
from marketplace.trust.services import concern_matches_refresh
from tests.factories import UserFactory
from tests.factories.trust import CONCERN_LIST

pytestmark = pytest.mark.django_db

LIST = CONCERN_LIST


@pytest.fixture
def provider() -> Organisation:
    return Organisation.objects.get(external_id="demo-p001")


@pytest.fixture
def moderator():
    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name=PLATFORM_MODERATORS)[0])
    return user


def post_list(client, user, entries):
    client.force_login(user)
    return client.post(
        "/api/v1/concern-lists", {**LIST, "entries": entries}, content_type="application/json"
    )


@pytest.mark.parametrize(
    ("listed", "name", "same"),
    [
        ("WuXi AppTec Co., Ltd.", "Wuxi AppTec", True),
        ("药明康德股份有限公司", "药明康德", True),
        ("ＢＧＩ Genomics Co.,Ltd", "BGI Genomics", True),
        ("BGI", "BGI Genomics", False),  # equal names only, never a part of one
    ],
)
def test_names_compare_without_case_width_punctuation_or_legal_form(listed, name, same):
    assert (normalised(listed) == normalised(name)) is same


def test_staff_add_a_list_and_the_named_provider_is_flagged_on_its_page(
    client, provider, moderator
):
    response = post_list(
        client, moderator, [{"name": f"{provider.name} Co., Ltd.", "identifiers": "91320500"}]
    )

    assert response.status_code == 201, response.json()
    assert response.json()["flagged_providers"] == [provider.slug]
    assert ConcernMatch.objects.filter(provider=provider).count() == 1
    client.logout()
    page = client.get(provider.provider_page.url).text
    assert "Named on a company-of-concern list" in page and LIST["source"] in page
    chinese = client.get(provider.provider_page.url, HTTP_ACCEPT_LANGUAGE="zh-hans").text
    assert "被列入受关注企业名单" in chinese
    assert client.get("/api/v1/concern-lists").json()[0]["flagged_providers"] == [provider.slug]


def test_a_chinese_name_on_a_list_flags_the_provider_too(client, provider, moderator):
    assert provider.name_zh
    post_list(
        client, moderator, [{"name": "Unrelated Bio", "aliases": f"{provider.name_zh}有限公司"}]
    )

    assert ConcernMatch.objects.filter(provider=provider).exists()


def test_replacing_the_list_without_the_name_lifts_the_flag(client, provider, moderator):
    created = post_list(client, moderator, [{"name": provider.name}]).json()

    replaced = client.put(
        f"/api/v1/concern-lists/{created['id']}",
        {**LIST, "entries": [{"name": "Someone Else Biotech"}]},
        content_type="application/json",
    )

    assert replaced.status_code == 200 and replaced.json()["flagged_providers"] == []
    assert not ConcernMatch.objects.exists()


def test_only_platform_staff_edit_the_lists(client, provider):
    response = post_list(client, UserFactory(), [{"name": provider.name}])

    assert response.status_code == 403 and "staff" in response.json()["detail"]
    assert not ConcernList.objects.exists() and not ConcernMatch.objects.exists()


def test_a_list_without_companies_or_a_date_is_refused(client, moderator):
    empty = post_list(client, moderator, [])
    client.force_login(moderator)
    undated = client.post(
        "/api/v1/concern-lists",
        {**LIST, "published_on": "soon", "entries": [{"name": "X"}]},
        content_type="application/json",
    )

    assert empty.status_code == 400 and "entries" in empty.json()
    assert undated.status_code == 400 and "published_on" in undated.json()
    assert not ConcernList.objects.exists()


def test_a_renamed_organisation_is_screened_again_by_the_periodic_task(client, provider, moderator):
    post_list(client, moderator, [{"name": "Renamed Preclinical Research"}])
    assert not ConcernMatch.objects.exists()

    Organisation.objects.filter(pk=provider.pk).update(name="Renamed Preclinical Research Ltd")
    changed = concern_matches_refresh()

    assert changed == {provider.pk}
    assert ConcernMatch.objects.filter(provider=provider).exists()
