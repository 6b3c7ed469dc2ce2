"""Wagtail pages: what buyers browse and what providers edit.

Content is bilingual with paired fields (``*_en`` / ``*_zh``) on one page rather than one page
tree per locale: a listing is one thing in two languages. That keeps one search document per
listing and one set of permissions per provider, and lets a listing written only in Chinese show
to English readers (labelled) without a translation step.
"""

import hashlib
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    TitleFieldPanel,
)
from wagtail.models import AbstractGroupApprovalTask, Orderable, Page
from wagtail.search import index

from marketplace.catalog.fields import MultipleChoiceField, WebsiteField
from marketplace.catalog.models import Language, Standard, TaxonomyKind
from marketplace.jobs import selectors as job_selectors
from marketplace.language import reads_chinese

# --- Bilingual content ------------------------------------------------------------------------


class Localised:
    """One bilingual value in the reader's language, or the other one, flagged as a fallback."""

    def __init__(self, english: str, chinese: str, language: str | None = None):
        wants_chinese = reads_chinese(language)
        preferred, other = (chinese, english) if wants_chinese else (english, chinese)
        self.text = preferred or other
        self.is_fallback = not preferred and bool(other)
        self.language = (
            ("zh" if wants_chinese else "en") if preferred else ("en" if wants_chinese else "zh")
        )

    def __str__(self) -> str:
        return self.text


SLUG_FROM_TITLE_LENGTH = 80


class BilingualTitlePageForm(WagtailAdminPageForm):
    """The admin form of a page titled in English and Chinese: a slug left empty on the Promote
    tab is made from the English title (else the Chinese one), unique among its siblings.

    Wagtail fills the slug from the ``title`` field, which these pages do not show; its slug
    field would otherwise be required.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False

    def clean(self):
        cleaned_data = super().clean()
        if "slug" in self.fields and not cleaned_data.get("slug"):
            title = cleaned_data.get("title_en") or cleaned_data.get("title_zh") or ""
            base = slugify(title, allow_unicode=True)[:SLUG_FROM_TITLE_LENGTH].strip("-")
            if base:
                cleaned_data["slug"] = self._free_slug(base)
            elif "slug" not in self.errors:  # a title of punctuation only: ask for a slug
                self.add_error("slug", self.fields["slug"].error_messages["required"])
        return cleaned_data

    def _free_slug(self, base: str) -> str:
        """``base``, or ``base-2``, ``base-3``... if a sibling page already uses it."""
        parent = self.parent_page
        candidate, counter = base, 2
        while not Page._slug_is_available(candidate, parent, self.instance):
            candidate, counter = f"{base}-{counter}", counter + 1
        return candidate


class BilingualTitleMixin(models.Model):
    """A title in English, Chinese or both; Wagtail's own ``title`` follows them."""

    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=255, blank=True)
    # Checksum of the bulk-import record last published here: an unchanged record is skipped.
    source_checksum = models.CharField(max_length=64, blank=True, editable=False)

    # Typing the English title fills the slug in the browser too, as Wagtail's title field does.
    title_panels = [
        FieldRowPanel(
            [
                TitleFieldPanel("title_en", classname="", placeholder=False),
                FieldPanel("title_zh"),
            ]
        )
    ]
    base_form_class = BilingualTitlePageForm
    # A copy is a new listing: it must not claim the original's import identity.
    exclude_fields_in_copy = ["external_id", "source_checksum"]

    class Meta:
        abstract = True

    def _sync_title(self) -> None:
        if not (self.title_en or self.title_zh):
            if not self.title:
                raise ValidationError({"title_en": _("Give a title in English, Chinese or both.")})
            self.title_en = self.title
        self.title = self.title_en or self.title_zh

    def full_clean(self, *args, **kwargs):
        self._sync_title()
        super().full_clean(*args, **kwargs)

    def minimal_clean(self):
        self._sync_title()
        super().minimal_clean()

    @property
    def local_title(self) -> Localised:
        return Localised(self.title_en, self.title_zh)


def localised(english: str, chinese: str) -> Localised:
    return Localised(english, chinese)


PAGE_SIZE = 24


def paginated(request, queryset):
    """One page of a listing (``?page=N``); a number out of range or invalid gives the nearest."""
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


# --- Home and indexes -------------------------------------------------------------------------


class HomePage(Page):
    """The site's front door: what the marketplace offers and where to start."""

    intro = models.TextField(_("introduction"), blank=True)
    intro_zh = models.TextField(_("introduction (Chinese)"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("intro_zh")]
    subpage_types = ["cms.ProviderIndexPage", "cms.JobIndexPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import featured_providers
        from marketplace.catalog.selectors import capability_groups

        context = super().get_context(request, *args, **kwargs)
        context["local_intro"] = localised(self.intro, self.intro_zh)
        context["providers_index"] = ProviderIndexPage.objects.live().first()
        context["jobs_index"] = JobIndexPage.objects.live().first()
        context["providers"] = featured_providers(limit=8)
        context["capability_groups"] = capability_groups()
        # What buyers type, in both languages: each one opens its results.
        context["search_examples"] = [
            "GLP rodent tox", "in vitro ADME", "ADC conjugation", "体外ADME", "中药复方制剂",
        ]  # fmt: skip
        return context


class ProviderIndexPage(Page):
    """Lists the provider organisations (CROs, TCM providers, CDMOs, clinical sites)."""

    intro = models.TextField(_("introduction"), blank=True)
    intro_zh = models.TextField(_("introduction (Chinese)"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("intro_zh")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ProviderPage"]
    max_count = 1

    class Meta:
        verbose_name = _("provider index page")

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import provider_listing

        context = super().get_context(request, *args, **kwargs)
        context["local_intro"] = localised(self.intro, self.intro_zh)
        context["providers"] = paginated(request, provider_listing(index=self))
        return context


# The Wagtail hook naming the view that serves the job index page: ``view(request, *, index_page)``.
JOB_BOARD_HOOK = "serve_job_index_page"


class JobIndexPage(Page):
    """The job board: open postings from every provider, searched and filtered, graduate roles
    first. Editors write its introduction; the board itself is served by the view registered
    with Wagtail's ``serve_job_index_page`` hook (the search app's job search)."""

    intro = models.TextField(_("introduction"), blank=True)
    intro_zh = models.TextField(_("introduction (Chinese)"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("intro_zh")]
    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []
    max_count = 1

    class Meta:
        verbose_name = _("job index page")

    def serve(self, request, *args, **kwargs):
        # Search builds on the pages, not the reverse: it registers the view drawing the board.
        boards = hooks.get_hooks(JOB_BOARD_HOOK)
        if boards:
            return boards[-1](request, index_page=self)
        return super().serve(request, *args, **kwargs)


# --- Providers --------------------------------------------------------------------------------


class ProviderPageForm(BilingualTitlePageForm):
    """Offers as the logo only images from collections the editor may choose from."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "logo" in self.fields and self.for_user is not None:
            from wagtail.images import get_image_model
            from wagtail.permissions import policy_registry

            policy = policy_registry.get_by_type(get_image_model())
            self.fields["logo"].queryset = policy.instances_user_has_permission_for(
                self.for_user, "choose"
            )


class ProviderPage(BilingualTitleMixin, Page):
    """One provider organisation's public profile: who they are, where, what they hold.

    Its services, TCM services and job postings live beneath it, and its staff edit only this
    subtree.
    """

    organisation = models.OneToOneField(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="provider_page",
    )
    summary_en = models.TextField(_("summary (English)"), blank=True)
    summary_zh = models.TextField(_("summary (Chinese)"), blank=True)
    zone = models.ForeignKey(
        "catalog.Zone",
        verbose_name=_("zone"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    city = models.CharField(_("city"), max_length=100)
    founded = models.PositiveSmallIntegerField(_("founded"), null=True, blank=True)
    headcount = models.PositiveIntegerField(_("headcount"), null=True, blank=True)
    website = WebsiteField(_("website"), blank=True)
    languages = MultipleChoiceField(
        _("working languages"), blank=True, choices_list=Language.choices
    )
    logo = models.ForeignKey(
        "wagtailimages.Image", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    content_panels = [
        *BilingualTitleMixin.title_panels,
        # Shown, never edited here: moving a page between organisations would leave the page
        # permissions, collection and verification behind.
        FieldPanel("organisation", read_only=True),
        FieldRowPanel([FieldPanel("summary_en"), FieldPanel("summary_zh")]),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("zone"), FieldPanel("city")]),
                FieldRowPanel([FieldPanel("founded"), FieldPanel("headcount")]),
                FieldPanel("website"),
                FieldPanel("languages"),
                FieldPanel("logo"),
            ],
            heading=_("Facts"),
        ),
        InlinePanel("sites", label=_("Other sites")),
        InlinePanel("certifications", label=_("Certifications")),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("title_zh"),
        index.SearchField("summary_en"),
        index.SearchField("summary_zh"),
    ]
    base_form_class = ProviderPageForm
    parent_page_types = ["cms.ProviderIndexPage"]
    subpage_types = ["cms.ServicePage", "cms.TCMServicePage", "cms.JobPostingPage"]

    class Meta:
        verbose_name = _("provider page")

    @property
    def local_summary(self) -> Localised:
        return Localised(self.summary_en, self.summary_zh)

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import provider_profile
        from marketplace.accounts.selectors import buyer_currency
        from marketplace.catalog.selectors import price_estimator

        context = super().get_context(request, *args, **kwargs)
        context.update(provider_profile(provider=self))
        # A signed-in buyer reads each service's price in their own currency too (an estimate).
        estimate = price_estimator(currency=buyer_currency(user=request.user))
        if estimate is not None:
            context["estimate_currency"] = estimate.currency
            for name in ("services", "tcm_services"):
                context[name] = list(context[name])
                for listing in context[name]:
                    listing.price_estimate = estimate(listing.price_from_amount)
        return context

    @property
    def is_verified(self) -> bool:
        return bool(self.organisation and self.organisation.is_verified)


class ProviderSite(Orderable):
    """A site where the provider works; its zone decides which tier of rules applies there."""

    page = ParentalKey(ProviderPage, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(_("name"), max_length=200)
    zone = models.ForeignKey(
        "catalog.Zone", verbose_name=_("zone"), on_delete=models.PROTECT, related_name="+"
    )
    city = models.CharField(_("city"), max_length=100)

    panels = [FieldPanel("name"), FieldRowPanel([FieldPanel("zone"), FieldPanel("city")])]

    def __str__(self) -> str:
        return f"{self.name} ({self.city})"


class Certification(Orderable):
    """A certification or accreditation the provider declares; shown as a badge, expired or not,
    and marked "checked" once platform staff have confirmed exactly these facts with its issuer."""

    page = ParentalKey(ProviderPage, on_delete=models.CASCADE, related_name="certifications")
    standard = models.CharField(_("standard"), max_length=20, choices=Standard.choices)
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    scope = models.TextField(
        _("scope"),
        blank=True,
        max_length=1000,
        help_text=_("What the certificate covers: test types, species, sites, as it states."),
    )
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("certificate"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A scan or PDF of the certificate, for buyers and for the platform's check."),
    )

    panels = [
        FieldRowPanel([FieldPanel("standard"), FieldPanel("valid_until")]),
        FieldRowPanel([FieldPanel("issuer"), FieldPanel("reference")]),
        FieldPanel("scope"),
        FieldPanel("document"),
    ]

    def __str__(self) -> str:
        return self.get_standard_display()

    def is_valid_on(self, day: date) -> bool:
        return self.valid_until is None or self.valid_until >= day

    @property
    def is_expired(self) -> bool:
        return not self.is_valid_on(timezone.localdate())

    @property
    def fingerprint(self) -> str:
        """The facts a verification confirms, as one digest: a verification holds while none of
        them changes (a provider who edits the reference, the expiry or the document is verified
        afresh), and survives the page being saved, published or re-imported with the same facts."""
        facts = [
            self.standard,
            self.issuer.strip(),
            self.reference.strip(),
            self.valid_until.isoformat() if self.valid_until else "",
            " ".join(self.scope.split()),
            (self.document.file_hash or str(self.document.pk)) if self.document_id else "",
        ]
        return hashlib.sha256("\x1f".join(facts).encode()).hexdigest()

    @cached_property
    def verification(self) -> "CertificationVerification | None":
        """The latest verification of the facts this certification states now, if any (read from
        the organisation's verifications, which the selectors load with the page)."""
        organisation = self.page.organisation if self.page_id else None
        if organisation is None:
            return None
        fingerprint = self.fingerprint
        return next(
            (
                verification
                for verification in organisation.certification_verifications.all()
                if verification.fingerprint == fingerprint
            ),
            None,
        )

    @property
    def verification_state(self) -> str:
        """Where the platform's verification stands: expired, checked, not_confirmed (the issuer
        did not confirm these facts) or declared (stated by the provider, not yet verified)."""
        if self.is_expired:
            return "expired"
        if self.verification is None:
            return "declared"
        return "checked" if self.verification.is_confirmed else "not_confirmed"

    @property
    def is_checked(self) -> bool:
        """Confirmed with its issuer by platform staff, as it stands now, and not expired."""
        return (
            self.verification is not None and self.verification.is_confirmed and not self.is_expired
        )


class VerificationOutcome(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed with the issuer")
    NOT_CONFIRMED = "not_confirmed", _("Not confirmed")


class CertificationVerification(models.Model):
    """Platform staff verified a provider's certification against its issuing registry: who, when,
    which source, and the facts verified (the certification's fingerprint), kept when the
    certification itself is edited or removed."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="certification_verifications",
    )
    certification = models.ForeignKey(
        Certification, null=True, on_delete=models.SET_NULL, related_name="verifications"
    )
    fingerprint = models.CharField(max_length=64)
    standard = models.CharField(_("standard"), max_length=20, choices=Standard.choices)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=VerificationOutcome.choices)
    source = models.CharField(
        _("source"),
        max_length=300,
        help_text=_("The registry or issuer consulted, e.g. the NMPA GLP register."),
    )
    source_url = models.URLField(_("source address"), max_length=500, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    verified_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("verified by")
    )
    verified_at = models.DateTimeField(_("verified at"), default=timezone.now)

    class Meta:
        ordering = ["-verified_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "fingerprint"])]
        verbose_name = _("certification verification")
        verbose_name_plural = _("certification verifications")

    def __str__(self) -> str:
        return f"{self.get_standard_display()} {self.reference} ({self.get_outcome_display()})"

    @property
    def is_confirmed(self) -> bool:
        return self.outcome == VerificationOutcome.CONFIRMED


class CertificationReminder(models.Model):
    """A reminder sent to the provider before a certification expires: one per certification,
    expiry date and lead time (a renewed certificate is reminded of again)."""

    certification = models.ForeignKey(
        Certification, on_delete=models.CASCADE, related_name="reminders"
    )
    valid_until = models.DateField()
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["certification", "valid_until", "days_before"],
                name="one_reminder_per_certification_expiry_and_lead",
            )
        ]


# --- Listings ---------------------------------------------------------------------------------


class Delivery(models.TextChoices):
    ONSITE = "onsite", _("At the provider's site")
    REMOTE = "remote", _("Remote")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid")


class ProviderChildPage(BilingualTitleMixin, Page):
    """A page a provider publishes beneath its profile: a listing or a job, maybe bulk-imported."""

    external_id = models.CharField(
        _("external id"), max_length=64, unique=True, null=True, blank=True, editable=False
    )
    description_en = models.TextField(_("description (English)"), blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)

    search_fields = [
        *Page.search_fields,
        index.SearchField("title_zh"),
        index.SearchField("description_en"),
        index.SearchField("description_zh"),
    ]
    parent_page_types = ["cms.ProviderPage"]
    subpage_types: list[str] = []

    class Meta:
        abstract = True

    @property
    def local_description(self) -> Localised:
        return Localised(self.description_en, self.description_zh)

    @property
    def provider(self) -> ProviderPage:
        return self.get_parent().specific

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import listing_provider
        from marketplace.accounts.selectors import buyer_currency
        from marketplace.catalog.selectors import price_estimator

        context = super().get_context(request, *args, **kwargs)
        context.update(listing_provider(listing=self))
        # A signed-in buyer reads the price in their own currency too (an estimate).
        estimate = price_estimator(currency=buyer_currency(user=request.user))
        if estimate is not None:
            context["estimate_currency"] = estimate.currency
            context["price_estimate"] = estimate(getattr(self, "price_from_amount", None))
        return context


def taxonomy_field(verbose_name, kind: str, *, blank: bool = True) -> ParentalManyToManyField:
    """Tags from one family of the taxonomy (kept with the page's revisions)."""
    return ParentalManyToManyField(
        "catalog.TaxonomyNode",
        verbose_name=verbose_name,
        related_name="+",
        blank=blank,
        limit_choices_to={"kind": kind},
    )


class ListingPage(ProviderChildPage):
    """What every service listing shares: taxonomy tags, standards, price from, turnaround."""

    capabilities = taxonomy_field(_("capabilities"), TaxonomyKind.CAPABILITY, blank=False)
    therapeutic_areas = taxonomy_field(_("therapeutic areas"), TaxonomyKind.THERAPEUTIC_AREA)
    modalities = taxonomy_field(_("modalities"), TaxonomyKind.MODALITY)
    species = taxonomy_field(_("species"), TaxonomyKind.SPECIES)
    standards = MultipleChoiceField(_("standards"), blank=True, choices_list=Standard.choices)
    price_from_amount = models.DecimalField(
        _("price from (CNY)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    price_from_currency = models.CharField(max_length=3, default="CNY", editable=False)
    turnaround_days = models.PositiveIntegerField(_("turnaround (days)"), null=True, blank=True)

    listing_panels = [
        FieldRowPanel([FieldPanel("description_en"), FieldPanel("description_zh")]),
        MultiFieldPanel(
            [
                FieldPanel("capabilities", widget=forms.SelectMultiple(attrs={"size": 12})),
                FieldPanel("therapeutic_areas", widget=forms.CheckboxSelectMultiple),
                FieldPanel("modalities", widget=forms.CheckboxSelectMultiple),
                FieldPanel("species", widget=forms.CheckboxSelectMultiple),
                FieldPanel("standards"),
            ],
            heading=_("What it covers"),
        ),
        FieldRowPanel([FieldPanel("price_from_amount"), FieldPanel("turnaround_days")]),
    ]

    class Meta:
        abstract = True


class ServicePage(ListingPage):
    """A CRO service listing: what the provider does, to which standards, from what price."""

    delivery = models.CharField(
        _("delivery"), max_length=10, choices=Delivery.choices, default=Delivery.ONSITE
    )

    content_panels = [
        *BilingualTitleMixin.title_panels,
        *ListingPage.listing_panels,
        FieldPanel("delivery"),
    ]

    class Meta:
        verbose_name = _("service page")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price_from_amount__gte=0), name="service_price_not_negative"
            )
        ]


class TCMDelivery(models.TextChoices):
    ONLINE_CONSULTATION = "online_consultation", _("Online consultation")
    REMOTE_PRESCRIPTION_REVIEW = "remote_prescription_review", _("Remote prescription review")
    HERBAL_FORMULATION_RD = "herbal_formulation_rd", _("Herbal formulation R&D")
    TCM_CLINICAL_EVALUATION = "tcm_clinical_evaluation", _("TCM clinical evaluation")
    WELLNESS = "wellness", _("Wellness")


class TCMServicePageForm(BilingualTitlePageForm):
    """Refuses to publish (or submit for publication) an online consultation without its licence."""

    def clean(self):
        cleaned_data = super().clean()
        publishing = "action-publish" in self.data or "action-submit" in self.data
        if publishing:
            for field, message in TCMServicePage.publication_errors_for(cleaned_data).items():
                self.add_error(field, message)
        return cleaned_data


class TCMServicePage(ListingPage):
    """A TCM "Internet plus" service listed beside CRO services.

    An online consultation is medical practice: it must name the licensed medical institution that
    provides it and its licence number, and cannot be published without them.
    """

    tcm_delivery = models.CharField(_("TCM delivery"), max_length=30, choices=TCMDelivery.choices)
    licensed_institution = models.CharField(
        _("licensed medical institution"), max_length=200, blank=True
    )
    licence_number = models.CharField(
        _("medical institution licence number"), max_length=100, blank=True
    )

    base_form_class = TCMServicePageForm
    content_panels = [
        *BilingualTitleMixin.title_panels,
        *ListingPage.listing_panels,
        MultiFieldPanel(
            [
                FieldPanel("tcm_delivery"),
                FieldRowPanel([FieldPanel("licensed_institution"), FieldPanel("licence_number")]),
            ],
            heading=_("TCM delivery"),
        ),
    ]

    class Meta:
        verbose_name = _("TCM service page")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price_from_amount__gte=0), name="tcm_service_price_not_negative"
            )
        ]

    @staticmethod
    def publication_errors_for(values: dict) -> dict[str, str]:
        """What stops these values from being published (field name → message)."""
        errors = {}
        if values.get("tcm_delivery") == TCMDelivery.ONLINE_CONSULTATION:
            if not (values.get("licensed_institution") or "").strip():
                errors["licensed_institution"] = _(
                    "An online consultation must name the licensed medical institution."
                )
            if not (values.get("licence_number") or "").strip():
                errors["licence_number"] = _(
                    "An online consultation must give the institution's licence number."
                )
        return errors

    def clean(self):
        super().clean()
        if self.live:
            errors = self.publication_errors_for(
                {
                    "tcm_delivery": self.tcm_delivery,
                    "licensed_institution": self.licensed_institution,
                    "licence_number": self.licence_number,
                }
            )
            if errors:
                raise ValidationError(errors)


# --- Jobs -------------------------------------------------------------------------------------


class JobLevel(models.TextChoices):
    GRADUATE = "graduate", _("Graduate")
    INTERN = "intern", _("Intern")
    JUNIOR = "junior", _("Junior")
    SENIOR = "senior", _("Senior")
    LEAD = "lead", _("Lead")


class Degree(models.TextChoices):
    BACHELOR = "bachelor", _("Bachelor's")
    MASTER = "master", _("Master's")
    PHD = "phd", _("PhD")
    MD = "md", _("MD")
    ANY = "any", _("Any degree")


class WorkPermitSponsorship(models.TextChoices):
    NONE = "none", _("No work-permit sponsorship")
    A = "A", _("Class A (high-end talent)")
    B = "B", _("Class B (professional)")
    C = "C", _("Class C (short-term, intern, quota)")


# What each foreigner work-permit class means (shared/domain/REGULATIONS.md), shown on postings.
WORK_PERMIT_EXPLANATIONS = {
    WorkPermitSponsorship.A: _(
        "Class A: high-end talent (85 points or more). Comes with the R talent visa: multiple "
        "entry, valid 5 to 10 years, stays of up to 180 days, family covered."
    ),
    WorkPermitSponsorship.B: _(
        "Class B: professionals, typically a bachelor's degree and two years' experience "
        "(60 to 85 points)."
    ),
    WorkPermitSponsorship.C: _("Class C: quota-based, short-term, seasonal or internship work."),
}


class JobPostingPage(ProviderChildPage):
    """A job at a provider: graduate roles first, salary in CNY, work-permit class if sponsored."""

    city = models.CharField(_("city"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=JobLevel.choices)
    degree = models.CharField(
        _("degree"), max_length=10, choices=Degree.choices, default=Degree.ANY
    )
    disciplines = ParentalManyToManyField(
        "catalog.TaxonomyNode", verbose_name=_("disciplines"), related_name="+", blank=True
    )
    languages = MultipleChoiceField(_("languages"), blank=True, choices_list=Language.choices)
    salary_min_amount = models.DecimalField(
        _("salary from (CNY a month)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    salary_max_amount = models.DecimalField(
        _("salary to (CNY a month)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    salary_currency = models.CharField(max_length=3, default="CNY", editable=False)
    work_permit_sponsorship = models.CharField(
        _("work-permit sponsorship"),
        max_length=4,
        choices=WorkPermitSponsorship.choices,
        default=WorkPermitSponsorship.NONE,
    )
    closes_on = models.DateField(_("closing date"), null=True, blank=True)

    content_panels = [
        *BilingualTitleMixin.title_panels,
        FieldRowPanel([FieldPanel("description_en"), FieldPanel("description_zh")]),
        FieldRowPanel([FieldPanel("level"), FieldPanel("degree"), FieldPanel("city")]),
        FieldPanel("disciplines", widget=forms.SelectMultiple(attrs={"size": 10})),
        FieldPanel("languages"),
        FieldRowPanel([FieldPanel("salary_min_amount"), FieldPanel("salary_max_amount")]),
        FieldRowPanel([FieldPanel("work_permit_sponsorship"), FieldPanel("closes_on")]),
    ]
    search_fields = [
        *ProviderChildPage.search_fields,
        index.FilterField("city"),
        index.FilterField("level"),
    ]

    class Meta:
        verbose_name = _("job posting page")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(salary_min_amount__isnull=True)
                | models.Q(salary_max_amount__isnull=True)
                | models.Q(salary_min_amount__lte=models.F("salary_max_amount")),
                name="job_salary_range_ordered",
            )
        ]

    def clean(self):
        super().clean()
        if (
            self.salary_min_amount is not None
            and self.salary_max_amount is not None
            and self.salary_min_amount > self.salary_max_amount
        ):
            raise ValidationError(
                {"salary_max_amount": _("The salary range ends below its start.")}
            )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # A signed-in reader's own application to this posting, if they applied, and whether
        # they saved it.
        if request.user.is_authenticated:
            context["application"] = self.applications.filter(candidate=request.user).first()
            context["is_saved"] = job_selectors.is_saved(user=request.user, posting_id=self.pk)
        return context

    @property
    def is_open(self) -> bool:
        return self.closes_on is None or self.closes_on >= timezone.localdate()

    @property
    def work_permit_explanation(self) -> str:
        """What the sponsored work-permit class means, in the reader's language (or "")."""
        return WORK_PERMIT_EXPLANATIONS.get(self.work_permit_sponsorship, "")


# --- Workflow ---------------------------------------------------------------------------------


class ProviderVerificationTask(AbstractGroupApprovalTask):
    """Platform staff approve a provider's first publication; approving its profile verifies it."""

    class Meta:
        verbose_name = _("provider verification task")

    @transaction.atomic
    def on_action(self, task_state, user, action_name, **kwargs):
        # One transaction: the page is never live without its organisation being verified.
        super().on_action(task_state, user, action_name, **kwargs)
        page = task_state.workflow_state.content_object.specific
        if action_name == "approve" and isinstance(page, ProviderPage) and page.organisation:
            from marketplace.accounts.services import organisation_verify

            organisation_verify(organisation=page.organisation)
