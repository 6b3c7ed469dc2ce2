"""Scoped editing: provider staff work on their own subtree only, and publish once verified.

Wagtail answers a forbidden admin page with a redirect to the dashboard and an error message (a 403
for XHR requests); each check below asserts that nothing of the other organisation is shown or
changed, whatever the shape of the refusal.
"""

import pytest
from django.urls import reverse
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Page, WorkflowState
from wagtail.test.utils.form_data import querydict_from_html

from cms.models import JobPostingPage, ProviderPage, ServicePage
from cms.services import platform_moderator_add, provider_collection
from marketplace.accounts.models import Membership, Role
from marketplace.accounts.services import invitation_accept, invitation_create, membership_remove
from marketplace.catalog.models import TaxonomyNode
from tests.factories import ProviderFactory, UserFactory

pytestmark = pytest.mark.django_db
DENIED = "Sorry, you do not have permission to access this area."


@pytest.fixture
def editor():
    return UserFactory(email="editor@provider-a.example")


@pytest.fixture
def own(editor) -> ProviderPage:
    return ProviderFactory(name="Provider A Labs", owner=editor).provider_page


@pytest.fixture
def other() -> ProviderPage:
    other_page = ProviderFactory(name="Provider B Labs").provider_page
    other_page.save_revision().publish()
    return other_page


@pytest.fixture
def moderator():
    user = UserFactory(email="moderator@platform.example")
    platform_moderator_add(user=user)
    return user


def assert_denied(client, url, method="get", data=None):
    """Refused: sent back to the dashboard with Wagtail's error (or to sign-in), never served."""
    response = getattr(client, method)(url, data or {}, follow=True)
    assert response.redirect_chain, f"{url} was served"
    final_url = response.redirect_chain[-1][0]
    if final_url.startswith(reverse("account_login")):
        assert 'id="page-edit-form"' not in response.text
        return
    assert DENIED in response.text
    xhr = getattr(client, method)(url, data or {}, headers={"x-requested-with": "XMLHttpRequest"})
    assert xhr.status_code == 403


def service_form_data(client, parent: Page, **changes) -> dict:
    """The admin's create form for a service under ``parent``, as a browser would submit it."""
    response = client.get(reverse("wagtailadmin_pages:add", args=["cms", "servicepage", parent.pk]))
    assert response.status_code == 200
    data = querydict_from_html(response.text, form_id="page-edit-form")
    capability = TaxonomyNode.objects.get(code="dmpk.in_vitro_adme")
    data.setlist("capabilities", [str(capability.pk)])
    data.update({"title_en": "In vitro ADME panel", "slug": "in-vitro-adme-panel", **changes})
    return data


def test_editor_can_open_their_own_provider_page_in_the_admin(client, editor, own):
    client.force_login(editor)

    response = client.get(reverse("wagtailadmin_pages:edit", args=[own.pk]))

    assert response.status_code == 200
    assert "Provider A Labs" in response.text


def test_cro_cannot_view_another_organisations_pages_in_the_admin(client, editor, own, other):
    client.force_login(editor)

    explorer = client.get(reverse("wagtailadmin_explore", args=[other.pk]), follow=True)

    assert "Provider B Labs" not in explorer.text
    assert explorer.redirect_chain[-1][0] == reverse("wagtailadmin_explore", args=[own.pk])
    listing = client.get(reverse("wagtailadmin_explore_root"), follow=True)
    assert "Provider A Labs" in listing.text
    assert "Provider B Labs" not in listing.text


def test_cro_cannot_edit_another_organisations_listing(client, editor, own, other):
    client.force_login(editor)

    assert_denied(client, reverse("wagtailadmin_pages:edit", args=[other.pk]))
    data = querydict_from_html(
        client.get(reverse("wagtailadmin_pages:edit", args=[own.pk])).text, form_id="page-edit-form"
    )
    data["title_en"] = "Taken over"
    assert_denied(client, reverse("wagtailadmin_pages:edit", args=[other.pk]), "post", data)

    other.refresh_from_db()
    assert other.title == "Provider B Labs"


def test_cro_cannot_add_move_or_delete_in_another_organisations_subtree(client, editor, own, other):
    client.force_login(editor)

    assert_denied(client, reverse("wagtailadmin_pages:add", args=["cms", "servicepage", other.pk]))
    assert_denied(client, reverse("wagtailadmin_pages:move", args=[other.pk]))
    assert_denied(client, reverse("wagtailadmin_pages:delete", args=[other.pk]))
    assert_denied(client, reverse("wagtailadmin_pages:delete", args=[other.pk]), "post")

    assert Page.objects.filter(pk=other.pk).exists()
    assert ServicePage.objects.child_of(other).count() == 0


def test_cro_cannot_unpublish_another_organisations_page(client, editor, own, other):
    client.force_login(editor)

    assert_denied(client, reverse("wagtailadmin_pages:unpublish", args=[other.pk]), "post")

    other.refresh_from_db()
    assert other.live


def test_first_publication_by_an_unverified_provider_is_held_as_a_draft(client, editor, own):
    client.force_login(editor)
    data = service_form_data(client, own, **{"action-publish": "action-publish"})

    response = client.post(
        reverse("wagtailadmin_pages:add", args=["cms", "servicepage", own.pk]), data
    )

    assert response.status_code == 302
    service = ServicePage.objects.child_of(own).get()
    assert not service.live
    assert not own.permissions_for_user(editor).can_publish()
    client.post(
        reverse("wagtailadmin_pages:edit", args=[service.pk]),
        querydict_from_html(
            client.get(reverse("wagtailadmin_pages:edit", args=[service.pk])).text,
            form_id="page-edit-form",
        )
        | {"action-submit": "action-submit"},
    )
    service.refresh_from_db()
    assert not service.live  # submitted: waiting for the platform, not published
    state = WorkflowState.objects.get(object_id=str(service.pk))
    assert (state.status, state.workflow.name) == ("in_progress", "Provider verification")


def test_platform_approval_publishes_the_provider_and_lets_its_editors_publish_directly(
    client, editor, own, moderator
):
    client.force_login(editor)
    data = querydict_from_html(
        client.get(reverse("wagtailadmin_pages:edit", args=[own.pk])).text, form_id="page-edit-form"
    )
    data["summary_en"] = "In vitro ADME in Shanghai."
    data["action-submit"] = "action-submit"
    client.post(reverse("wagtailadmin_pages:edit", args=[own.pk]), data)
    state = WorkflowState.objects.get(
        object_id=str(own.pk), status=WorkflowState.STATUS_IN_PROGRESS
    )

    client.force_login(moderator)
    task_state = state.current_task_state
    response = client.post(
        reverse("wagtailadmin_pages:workflow_action", args=[own.pk, "approve", task_state.pk]),
        {"comment": "Licence and GLP certificate checked."},
    )

    assert response.status_code == 302
    own.refresh_from_db()
    assert own.live
    assert own.organisation.is_verified
    assert own.permissions_for_user(editor).can_publish()

    client.force_login(editor)
    client.post(
        reverse("wagtailadmin_pages:add", args=["cms", "servicepage", own.pk]),
        service_form_data(client, own, **{"action-publish": "action-publish"}),
    )
    assert ServicePage.objects.child_of(own).get().live


def test_invited_editors_can_edit_viewers_cannot_and_removal_takes_access_away(client, editor, own):
    organisation = own.organisation
    colleague = UserFactory(email="colleague@provider-a.example", email_verified=True)
    viewer = UserFactory(email="viewer@provider-a.example", email_verified=True)
    for user, role in ((colleague, Role.EDITOR), (viewer, Role.VIEWER)):
        invitation = invitation_create(
            organisation=organisation, email=user.email, role=role, invited_by=editor
        )
        invitation_accept(token=invitation.token, user=user)
    edit_url = reverse("wagtailadmin_pages:edit", args=[own.pk])

    client.force_login(colleague)
    assert client.get(edit_url).status_code == 200
    client.force_login(viewer)
    assert_denied(client, edit_url)

    membership_remove(membership=Membership.objects.get(user=colleague), by=editor)
    client.force_login(colleague)
    assert_denied(client, edit_url)


def test_cro_sees_only_its_own_organisations_images(client, editor, own, other):
    image_model = get_image_model()
    own_collection = provider_collection(organisation=own.organisation)
    other_collection = provider_collection(organisation=other.organisation)
    ours = image_model.objects.create(
        title="Our lab", file=get_test_image_file("ours.png"), collection=own_collection
    )
    theirs = image_model.objects.create(
        title="Their lab", file=get_test_image_file("theirs.png"), collection=other_collection
    )
    client.force_login(editor)

    listing = client.get(reverse("wagtailimages:index"))

    assert listing.status_code == 200
    assert "Our lab" in listing.text
    assert "Their lab" not in listing.text
    assert client.get(reverse("wagtailimages:edit", args=[ours.pk])).status_code == 200
    assert_denied(client, reverse("wagtailimages:edit", args=[theirs.pk]))
    assert_denied(client, reverse("wagtailimages:delete", args=[theirs.pk]), "post")
    assert image_model.objects.filter(pk=theirs.pk).exists()


def test_platform_moderators_cannot_manage_users_or_groups(client, moderator):
    client.force_login(moderator)

    assert_denied(client, reverse("wagtailusers_users:add"))
    assert_denied(client, reverse("wagtailusers_groups:index"))
    assert not moderator.has_perm("accounts.change_user")


def test_an_editor_cannot_set_another_organisations_image_as_logo(client, editor, own, other):
    foreign = get_image_model().objects.create(
        title="Their logo",
        file=get_test_image_file("theirs.png"),
        collection=provider_collection(organisation=other.organisation),
    )
    client.force_login(editor)
    url = reverse("wagtailadmin_pages:edit", args=[own.pk])
    data = querydict_from_html(client.get(url).text, form_id="page-edit-form")
    data["logo"] = str(foreign.pk)

    response = client.post(url, data)

    assert response.status_code == 200  # the form comes back with an error
    own.refresh_from_db()
    assert own.get_latest_revision_as_object().logo_id is None


# --- Choosers and reports show an editor their own organisation's pages only ----------------


def draft_service(provider: ProviderPage, title: str) -> ServicePage:
    """A never-published service under ``provider``, with a revision (so it counts as edited)."""
    service = provider.add_child(instance=ServicePage(title_en=title, live=False))
    service.save_revision()
    return service


@pytest.fixture
def drafts(own, other) -> dict[str, ServicePage]:
    """One draft each; the other organisation's is the most recently edited page on the site."""
    return {
        "own": draft_service(own, "Provider A unreleased assay"),
        "other": draft_service(other, "Provider B unreleased assay"),
    }


def modal_html(response) -> str:
    """The HTML of an admin chooser step (a modal workflow answers JSON with the HTML inside)."""
    assert response.status_code == 200
    if response["Content-Type"].startswith("application/json"):
        return response.json().get("html") or ""
    return response.text


def test_page_chooser_browsing_shows_an_editor_only_their_own_organisations_pages(
    client, editor, own, other, drafts
):
    client.force_login(editor)
    providers = own.get_parent()

    index = modal_html(client.get(reverse("wagtailadmin_choose_page_child", args=[providers.pk])))
    mine = modal_html(client.get(reverse("wagtailadmin_choose_page_child", args=[own.pk])))
    theirs = client.get(reverse("wagtailadmin_choose_page_child", args=[other.pk]))
    their_draft = client.get(reverse("wagtailadmin_choose_page_child", args=[drafts["other"].pk]))

    assert "Provider A Labs" in index and "Provider B Labs" not in index
    assert "Provider A unreleased assay" in mine
    # Opened, or sent up the tree above their pages, the chooser starts at the editor's own page.
    home = providers.get_parent()
    for start in (
        client.get(reverse("wagtailadmin_choose_page")),
        client.get(reverse("wagtailadmin_choose_page_child", args=[home.pk])),
    ):
        assert start.json()["parent_page_id"] == own.pk
    for refused in (theirs, their_draft):
        assert refused.status_code == 404
        assert "Provider B" not in refused.text


def test_page_chooser_search_finds_only_the_editors_own_pages(client, editor, drafts):
    client.force_login(editor)

    found = client.get(reverse("wagtailadmin_choose_page_search"), {"q": "unreleased assay"})
    chosen = client.get(
        reverse("wagtailadmin_choose_page_chosen_multiple"),
        {"id": [drafts["own"].pk, drafts["other"].pk]},
    )

    assert found.status_code == 200
    assert "Provider A unreleased assay" in found.text
    assert "Provider B unreleased assay" not in found.text
    assert [page["id"] for page in chosen.json()["result"]] == [drafts["own"].pk]


def test_platform_moderators_choose_from_every_organisations_pages(client, moderator, drafts):
    client.force_login(moderator)

    found = client.get(reverse("wagtailadmin_choose_page_search"), {"q": "unreleased assay"})
    browsed = modal_html(
        client.get(
            reverse("wagtailadmin_choose_page_child", args=[drafts["other"].get_parent().pk])
        )
    )

    assert "Provider A unreleased assay" in found.text
    assert "Provider B unreleased assay" in found.text
    assert "Provider B unreleased assay" in browsed


def test_page_types_usage_report_counts_and_names_only_the_editors_own_pages(
    client, editor, own, drafts
):
    client.force_login(editor)

    report = client.get(reverse("wagtailadmin_reports:page_types_usage"))
    results = client.get(reverse("wagtailadmin_reports:page_types_usage_results"))

    assert report.status_code == 200 and results.status_code == 200
    for response in (report, results):
        assert "Provider B" not in response.text
        assert "Provider A unreleased assay" in response.text
    counts = {row.model: row.count for row in report.context["object_list"]}
    assert counts["servicepage"] == ServicePage.objects.descendant_of(own).count() == 1
    assert counts["providerpage"] == 1


def test_page_types_usage_report_shows_platform_moderators_every_page(client, moderator, drafts):
    client.force_login(moderator)

    report = client.get(reverse("wagtailadmin_reports:page_types_usage"))

    counts = {row.model: row.count for row in report.context["object_list"]}
    assert counts["servicepage"] == ServicePage.objects.count()
    assert "Provider B unreleased assay" in report.text


@pytest.mark.parametrize("action", ["delete", "move", "publish", "unpublish"])
def test_page_bulk_actions_do_not_name_another_organisations_pages(
    client, editor, own, other, drafts, action
):
    client.force_login(editor)
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", action])

    by_id = client.get(url, {"id": [drafts["own"].pk, drafts["other"].pk]})
    every_child = client.get(url, {"id": "all", "childOf": other.pk})

    assert by_id.status_code == 200 and every_child.status_code == 200
    assert "Provider A unreleased assay" in by_id.text
    assert "Provider B unreleased assay" not in by_id.text + every_child.text
    client.post(url, {"id": [drafts["other"].pk]})
    assert ServicePage.objects.filter(pk=drafts["other"].pk, live=False).exists()


# --- Creating pages in the admin ---------------------------------------------------------------


def job_form_data(client, parent: Page, **changes) -> dict:
    """The admin's create form for a job posting under ``parent``, as a browser submits it."""
    response = client.get(
        reverse("wagtailadmin_pages:add", args=["cms", "jobpostingpage", parent.pk])
    )
    assert response.status_code == 200
    data = querydict_from_html(response.text, form_id="page-edit-form")
    data.update({"title_en": "Graduate Toxicologist (GLP)", "city": "Suzhou",
                 "level": "graduate", **changes})  # fmt: skip
    return data


def test_a_job_posting_created_without_a_slug_takes_it_from_the_english_title(client, editor, own):
    client.force_login(editor)
    data = job_form_data(client, own)
    assert data["slug"] == ""

    response = client.post(
        reverse("wagtailadmin_pages:add", args=["cms", "jobpostingpage", own.pk]), data
    )

    assert response.status_code == 302
    posting = JobPostingPage.objects.child_of(own).get()
    assert posting.slug == "graduate-toxicologist-glp"
    assert posting.title == "Graduate Toxicologist (GLP)"


def test_admin_slugs_from_titles_are_unique_among_siblings_and_keep_chinese(client, editor, own):
    client.force_login(editor)
    url = reverse("wagtailadmin_pages:add", args=["cms", "servicepage", own.pk])

    for _ in range(2):
        client.post(url, service_form_data(client, own, slug=""))
    client.post(url, service_form_data(client, own, slug="", title_en="", title_zh="体外代谢研究"))

    slugs = sorted(ServicePage.objects.child_of(own).values_list("slug", flat=True))
    assert slugs == ["in-vitro-adme-panel", "in-vitro-adme-panel-2", "体外代谢研究"]


def test_an_explicit_slug_typed_on_the_promote_tab_is_kept(client, editor, own):
    client.force_login(editor)

    client.post(
        reverse("wagtailadmin_pages:add", args=["cms", "jobpostingpage", own.pk]),
        job_form_data(client, own, slug="tox-graduate-2027"),
    )

    assert JobPostingPage.objects.child_of(own).get().slug == "tox-graduate-2027"


def test_a_title_that_makes_no_slug_asks_for_one_instead_of_failing(client, editor, own):
    client.force_login(editor)

    response = client.post(
        reverse("wagtailadmin_pages:add", args=["cms", "jobpostingpage", own.pk]),
        job_form_data(client, own, title_en="!!!"),
    )

    assert response.status_code == 200  # the form again, with the error on the slug
    assert response.context["form"].errors["slug"] == ["This field is required."]
    assert not JobPostingPage.objects.child_of(own).exists()
