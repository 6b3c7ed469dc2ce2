import pytest
from django.core.management import call_command
from django.urls import reverse

from cms.services import platform_moderator_add
from marketplace.catalog.models import TaxonomyKind, TaxonomyNode, Zone
from marketplace.catalog.selectors import taxonomy_subtree
from tests.factories import ProviderFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_migration_loads_every_node_and_zone_from_the_files():
    assert Zone.objects.count() == 10
    assert TaxonomyNode.objects.count() == 110
    adc = TaxonomyNode.objects.get(code="biologics.adc")
    assert (adc.parent.code, adc.kind, adc.label_zh) == (
        "biologics",
        TaxonomyKind.CAPABILITY,
        "抗体偶联药物",
    )
    assert "ADC" in adc.synonyms
    assert TaxonomyNode.objects.get(code="species.rat").kind == TaxonomyKind.SPECIES


def test_loading_again_keeps_staff_edits_unless_asked_to_overwrite(capsys):
    node = TaxonomyNode.objects.get(code="dmpk.in_vitro_adme")
    node.synonyms = [*node.synonyms, "ADME-Tox panel"]
    node.save()

    call_command("load_catalog")
    assert "Taxonomy: 0 created, 0 updated" in capsys.readouterr().out
    node.refresh_from_db()
    assert "ADME-Tox panel" in node.synonyms

    call_command("load_catalog", "--overwrite")
    node.refresh_from_db()
    assert "ADME-Tox panel" not in node.synonyms


def test_a_filter_on_a_code_covers_its_descendants_only():
    codes = set(taxonomy_subtree(code="safety.general_toxicology").values_list("code", flat=True))

    assert codes == {
        "safety.general_toxicology",
        "safety.general_toxicology.rodent",
        "safety.general_toxicology.non_rodent",
    }


def test_platform_staff_edit_the_taxonomy_and_provider_staff_cannot(client):
    node = TaxonomyNode.objects.get(code="biologics.adc")
    edit_url = reverse("wagtailsnippets_catalog_taxonomynode:edit", args=[node.pk])
    moderator = UserFactory(email="staff@platform.example")
    platform_moderator_add(user=moderator)
    editor = UserFactory(email="editor@cro.example")
    ProviderFactory(owner=editor)

    client.force_login(moderator)
    assert client.get(edit_url).status_code == 200

    client.force_login(editor)
    response = client.get(edit_url, follow=True)
    assert response.redirect_chain
    assert "Sorry, you do not have permission" in response.text
