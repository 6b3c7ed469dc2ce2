"""Writes that shape the CMS around organisations: the site skeleton, provider workspaces, and who
may edit or publish what; and the platform's verification of the certifications providers declare,
with the reminders before they expire.

Every provider organisation gets a workspace: its ``ProviderPage`` (the root of everything it
edits), a group for its editors holding page permissions on that page only, and an image and
document collection of its own. Until the platform verifies the organisation, its editors can
save and submit but not publish: the verification workflow on the provider index sends their
first publication to platform staff.
"""

from datetime import date, timedelta

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from cms.models import (
    Certification,
    CertificationReminder,
    CertificationVerification,
    HomePage,
    JobIndexPage,
    ProviderIndexPage,
    ProviderPage,
    ProviderVerificationTask,
    VerificationOutcome,
)
from marketplace.accounts.models import Membership, Organisation, User
from marketplace.accounts.permissions import (
    ACTING_ROLES,
    PLATFORM_MODERATORS,
    is_platform_staff,
)
from marketplace.notifications.models import Event
from marketplace.notifications.services import deliver, message_from_template
from marketplace.page_cache import pages_changed
from marketplace.transitions import InvalidTransition

VERIFICATION_WORKFLOW = "Provider verification"
# The indexes under the home page: slug -> (page class, title, intro, Chinese intro).
INDEX_PAGES = {
    "providers": (ProviderIndexPage, "Providers",
                  "Contract research organisations and TCM providers in China.",
                  "中国的合同研究组织与中医药服务机构。"),
    "jobs": (JobIndexPage, "Jobs", "R&D jobs at providers across China, graduate roles first.",
             "全国研发服务机构的职位，优先展示应届毕业生岗位。"),
}  # fmt: skip
EDITOR_PAGE_PERMISSIONS = ("add_page", "change_page")
MODERATOR_PAGE_PERMISSIONS = (
    "add_page", "change_page", "publish_page", "bulk_delete_page", "lock_page", "unlock_page",
)  # fmt: skip
COLLECTION_PERMISSIONS = (
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
)


def _permission(app_label: str, codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _page_permission(codename: str) -> Permission:
    return _permission("wagtailcore", codename)


@transaction.atomic
def site_skeleton_ensure() -> dict[str, Page]:
    """Home page, provider and job indexes, the platform group and the verification workflow.

    Replaces Wagtail's default welcome page; safe to call again (creates only what is missing).
    """
    root = Page.get_first_root_node()
    home = HomePage.objects.first()
    if home is None:
        for welcome in root.get_children():  # Wagtail's migrations leave a plain welcome page
            if welcome.specific_class is Page:
                welcome.delete()
        home = root.add_child(
            instance=HomePage(
                title="CRO Marketplace",
                slug="home",
                intro=(
                    "Find, quote, contract and pay Chinese contract research organisations for "
                    "outsourced R&D, in RMB, with every deal screened for compliance."
                ),
                intro_zh="寻找中国合同研究组织（CRO），询价、签约并以人民币付款，每笔交易均经合规审查。",
            )
        )
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save(update_fields=["root_page"])

    indexes: dict[str, Page] = {}
    for slug, (page_class, title, intro, intro_zh) in INDEX_PAGES.items():
        indexes[slug] = page_class.objects.first() or home.add_child(
            instance=page_class(title=title, slug=slug, intro=intro, intro_zh=intro_zh)
        )

    moderators = _platform_moderators_group(home)
    _verification_workflow_ensure(indexes["providers"], moderators)
    return {"home": home, **indexes}


def _platform_moderators_group(home: HomePage) -> Group:
    """Platform staff: every page and collection, organisations and the catalogue; idempotent.

    An explicit list of model permissions: a broad pattern would include accounts.add_user and
    change_user, and with them Wagtail's user admin (superuser flags, passwords, groups).
    """
    group, _created = Group.objects.get_or_create(name=PLATFORM_MODERATORS)
    group.permissions.set(
        [
            _permission("wagtailadmin", "access_admin"),
            *Permission.objects.filter(
                content_type__app_label="accounts",
                codename__in=["view_organisation", "change_organisation"],
            ),
            *Permission.objects.filter(
                content_type__app_label="catalog",
                codename__in=[
                    "add_taxonomynode",
                    "change_taxonomynode",
                    "view_taxonomynode",
                    "add_zone",
                    "change_zone",
                    "view_zone",
                ],
            ),  # fmt: skip
            # The terms the framework agreements and statements of work are issued from.
            *Permission.objects.filter(
                content_type__app_label="agreements",
                codename__in=["add_termstemplate", "change_termstemplate", "view_termstemplate"],
            ),
        ]
    )
    for codename in MODERATOR_PAGE_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(
            group=group, page=home, permission=_page_permission(codename)
        )
    root_collection = Collection.get_first_root_node()
    for app_label, codename in COLLECTION_PERMISSIONS:
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=root_collection, permission=_permission(app_label, codename)
        )
    return group


def _verification_workflow_ensure(providers: ProviderIndexPage, moderators: Group) -> Workflow:
    workflow, _created = Workflow.objects.get_or_create(name=VERIFICATION_WORKFLOW)
    if not workflow.workflow_tasks.exists():
        task = ProviderVerificationTask.objects.create(name="Platform verification")
        task.groups.set([moderators])
        # WorkflowTask's key to the workflow is a ParentalKey: create it directly to persist it.
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.get_or_create(page=providers, defaults={"workflow": workflow})
    return workflow


def _editors_group_name(organisation: Organisation) -> str:
    return f"Provider {organisation.slug}: editors"


@transaction.atomic
def provider_workspace_ensure(*, organisation: Organisation) -> ProviderPage:
    """The organisation's provider page (a draft until first published), editors group, collection.

    Idempotent. Editors get add and change on their page (and so its subtree) and, once the
    organisation is verified, publish.
    """
    page = ProviderPage.objects.filter(organisation=organisation).first()
    if page is None:
        providers = ProviderIndexPage.objects.first() or site_skeleton_ensure()["providers"]
        page = providers.add_child(
            instance=ProviderPage(
                title_en=organisation.name,
                title_zh=organisation.name_zh,
                slug=_free_slug(providers, slugify(organisation.slug)),
                organisation=organisation,
                zone=organisation.zone,
                city=organisation.city,
                website=organisation.website,
                live=False,
            )
        )
    group, _created = Group.objects.get_or_create(name=_editors_group_name(organisation))
    group.permissions.add(_permission("wagtailadmin", "access_admin"))
    codenames = [*EDITOR_PAGE_PERMISSIONS, *(["publish_page"] if organisation.is_verified else [])]
    for codename in codenames:
        GroupPagePermission.objects.get_or_create(
            group=group, page=page, permission=_page_permission(codename)
        )
    collection = provider_collection(organisation=organisation)
    for app_label, codename in COLLECTION_PERMISSIONS:
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=collection, permission=_permission(app_label, codename)
        )
    return page


def _free_slug(parent: Page, slug: str) -> str:
    """``slug``, or ``slug-2``, ``slug-3``... if a sibling page already uses it."""
    taken = set(parent.get_children().values_list("slug", flat=True))
    candidate, counter = slug, 2
    while candidate in taken:
        candidate, counter = f"{slug}-{counter}", counter + 1
    return candidate


def provider_collection(*, organisation: Organisation) -> Collection:
    """The organisation's image and document collection, named after it.

    Found by the id prefix of its name, so a renamed organisation keeps its collection. The zero-
    padded id also makes each new collection sort last among its siblings: Wagtail keeps
    collections ordered by name, and inserting in the middle rewrites every later sibling.
    """
    prefix = f"Provider {organisation.pk:07d}"
    name = f"{prefix} · {organisation.name}"[:255]
    root = Collection.get_first_root_node()
    collection = root.get_children().filter(name__startswith=prefix).first()
    if collection is None:
        return root.add_child(name=name)
    if collection.name != name:
        collection.name = name
        collection.save(update_fields=["name"])
    return collection


@transaction.atomic
def membership_groups_sync(*, organisation: Organisation, user_id: int) -> None:
    """Put the user in the organisation's editors group if they are an owner or editor, else out."""
    if not organisation.is_provider:
        return
    group = Group.objects.filter(name=_editors_group_name(organisation)).first()
    if group is None:
        provider_workspace_ensure(organisation=organisation)
        group = Group.objects.get(name=_editors_group_name(organisation))
    membership = Membership.objects.filter(organisation=organisation, user_id=user_id).first()
    if membership is not None and membership.can_edit:
        group.user_set.add(user_id)
    else:
        group.user_set.remove(user_id)


def platform_moderator_add(*, user) -> None:
    """Make a user platform staff: the moderators group, and access to the admin."""
    group = Group.objects.get(name=PLATFORM_MODERATORS)
    user.groups.add(group)
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


# --- Certifications -----------------------------------------------------------------------------

REMINDER_DAYS = (60, 30)  # before a certification expires, the provider is reminded (once each)
SOURCE_MAX = 300
NOTE_MAX = 2000
REPEAT_WINDOW = timedelta(minutes=10)  # the same verification sent again within it is one


def _verification_input(*, outcome: str, source: str, source_url: str, note: str) -> dict:
    """The verification's own fields, cleaned; every problem at once, by field."""
    errors: dict[str, list[str]] = {}
    source, source_url = (source or "").strip(), (source_url or "").strip()
    note = (note or "").strip()
    if outcome not in VerificationOutcome.values:
        errors["outcome"] = [
            _("Say whether the issuer confirmed it: %(choices)s.")
            % {"choices": ", ".join(VerificationOutcome.values)}
        ]
    if not source:
        errors["source"] = [_("Name the registry or issuer you checked with.")]
    elif len(source) > SOURCE_MAX:
        errors["source"] = [_("Keep it under %(max)d characters.") % {"max": SOURCE_MAX}]
    if source_url:
        try:
            URLValidator(schemes=["http", "https"])(source_url)
        except ValidationError:
            errors["source_url"] = [_("Give the registry's web address (http or https).")]
    if len(note) > NOTE_MAX:
        errors["note"] = [_("Keep it under %(max)d characters.") % {"max": NOTE_MAX}]
    if outcome == VerificationOutcome.NOT_CONFIRMED and not note:
        errors["note"] = [_("Say what did not match, for the provider to correct.")]
    if errors:
        raise ValidationError(errors)
    return {"outcome": outcome, "source": source, "source_url": source_url, "note": note}


@transaction.atomic
def certification_verify(
    *,
    certification: Certification,
    by,
    outcome: str,
    source: str,
    source_url: str = "",
    note: str = "",
) -> CertificationVerification:
    """Platform staff record checking a certification with its issuer (who, when, which source,
    what they found) for the facts it states now; a confirmed, unexpired one shows as checked.
    The verification is its own audit record, kept when the certification changes or goes.

    Refused: anyone but platform staff (403), a certification already expired confirmed (409).
    """
    if not is_platform_staff(user=by):
        raise PermissionDenied(_("Only platform staff can verify a certification."))
    fields = _verification_input(outcome=outcome, source=source, source_url=source_url, note=note)
    # The row lock orders two staff checking at once; the facts verified are the locked ones.
    certification = (
        Certification.objects.select_for_update(of=("self",))
        .select_related("page", "document")
        .get(pk=certification.pk)
    )
    if certification.is_expired and fields["outcome"] == VerificationOutcome.CONFIRMED:
        raise InvalidTransition(
            _("This certification expired on %(date)s: the provider must renew it first.")
            % {"date": certification.valid_until.isoformat()}
        )
    if certification.page.organisation_id is None:
        raise InvalidTransition(_("This certification belongs to no provider organisation."))
    fingerprint = certification.fingerprint
    latest = certification.verifications.first()
    if (
        latest is not None
        and latest.verified_by_id == by.pk
        and latest.fingerprint == fingerprint
        and all(getattr(latest, name) == value for name, value in fields.items())
        and timezone.now() - latest.verified_at < REPEAT_WINDOW
    ):
        return latest  # the same form sent twice: recorded once
    verification = CertificationVerification.objects.create(
        organisation_id=certification.page.organisation_id,
        certification=certification,
        fingerprint=fingerprint,
        standard=certification.standard,
        reference=certification.reference,
        valid_until=certification.valid_until,
        verified_by=by,
        **fields,
    )
    pages_changed()  # the provider's pages and listings show the checked mark
    return verification


def certification_reminders_send(*, today: date | None = None) -> int:
    """Remind providers by email of certifications expiring in 60 and in 30 days (once each per
    expiry date; a renewed certificate is reminded of again); return how many were sent.

    Idempotent: the reminder is recorded in the same transaction as the email is sent, so a run
    retried or overlapping another sends nothing twice.
    """
    today = today or timezone.localdate()
    latest = today + timedelta(days=max(REMINDER_DAYS))
    due = (
        Certification.objects.filter(
            valid_until__gte=today, valid_until__lte=latest, page__organisation__isnull=False
        )
        .select_related("page")
        .order_by("valid_until", "pk")
    )
    sent = 0
    for certification in due:
        days_left = (certification.valid_until - today).days
        lead = min(days for days in REMINDER_DAYS if days_left <= days)
        try:
            with transaction.atomic():
                CertificationReminder.objects.create(
                    certification=certification,
                    valid_until=certification.valid_until,
                    days_before=lead,
                )
                sent += _reminder_email(certification, days_left, lead)
        except IntegrityError:
            continue  # reminded already (this lead time, this expiry)
    return sent


def _reminder_email(certification: Certification, days_left: int, lead: int) -> int:
    recipients = list(
        User.objects.filter(
            memberships__organisation_id=certification.page.organisation_id,
            memberships__role__in=ACTING_ROLES,
        ).distinct()
    )
    path = reverse("wagtailadmin_pages:edit", args=[certification.page_id])
    message = message_from_template(
        "cms/email/certification_expiring.txt",
        {"certification": certification, "days_left": days_left},
        path=path,
    )
    key = f"certification_expiring:{certification.pk}:{certification.valid_until}:{lead}"
    return deliver(event=Event.CERTIFICATION_EXPIRING, users=recipients, key=key, message=message)
