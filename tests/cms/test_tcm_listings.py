import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail.test.utils.form_data import querydict_from_html

from cms.models import TCMDelivery, TCMServicePage
from marketplace.accounts.services import organisation_verify
from marketplace.catalog.models import TaxonomyNode
from tests.factories import ProviderFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def verified_tcm_editor():
    user = UserFactory(email="editor@tcm.example")
    organisation = ProviderFactory(name="Hainan TCM Hospital", kind="tcm", owner=user)
    organisation_verify(organisation=organisation)
    return user, organisation.provider_page


def consultation_form(client, parent, **changes):
    url = reverse("wagtailadmin_pages:add", args=["cms", "tcmservicepage", parent.pk])
    data = querydict_from_html(client.get(url).text, form_id="page-edit-form")
    data.setlist("capabilities", [str(TaxonomyNode.objects.get(code="tcm.online_consultation").pk)])
    data.update(
        {
            "title_zh": "中医互联网复诊",
            "slug": "online-follow-up",
            "tcm_delivery": TCMDelivery.ONLINE_CONSULTATION,
            "licensed_institution": "",
            "licence_number": "",
            "action-publish": "action-publish",
            **changes,
        }
    )
    return url, data


def test_tcm_online_consultation_without_a_licence_cannot_be_published(client, verified_tcm_editor):
    user, provider = verified_tcm_editor
    client.force_login(user)
    url, data = consultation_form(client, provider)

    response = client.post(url, data)

    assert response.status_code == 200
    assert "must name the licensed medical institution" in response.text
    assert "must give the institution&#x27;s licence number" in response.text
    assert not TCMServicePage.objects.child_of(provider).exists()


def test_tcm_online_consultation_with_its_licence_is_published(client, verified_tcm_editor):
    user, provider = verified_tcm_editor
    client.force_login(user)
    url, data = consultation_form(
        client,
        provider,
        licensed_institution="Haikou TCM Internet Hospital",
        licence_number="PDY-46010012345",
    )

    client.post(url, data)

    listing = TCMServicePage.objects.child_of(provider).get()
    assert listing.live
    assert listing.licence_number == "PDY-46010012345"


def test_a_draft_without_licence_cannot_be_published_by_any_route(verified_tcm_editor):
    _user, provider = verified_tcm_editor
    draft = provider.add_child(
        instance=TCMServicePage(
            title_zh="中医互联网复诊", tcm_delivery=TCMDelivery.ONLINE_CONSULTATION, live=False
        )
    )

    with pytest.raises(ValidationError) as error:
        draft.save_revision().publish()

    assert set(error.value.message_dict) == {"licensed_institution", "licence_number"}
    draft.refresh_from_db()
    assert not draft.live
