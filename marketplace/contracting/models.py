"""The deal: a buyer's request for quote, providers' quotes in CNY, the contract, its milestones.

Statuses change only through ``services`` (each change is checked and written to ``AuditEvent``);
amounts are Decimal CNY with two decimals; a quote revision keeps the FX rate it was shown with.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketplace.money import Currency, sum_matches
from marketplace.storage import private_storage

AMOUNT = {"max_digits": 14, "decimal_places": 2}


class RfqStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for quotes")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class Visibility(models.TextChoices):
    INVITED = "invited", _("Invited providers only")
    OPEN = "open", _("Open to all matching verified providers")


class CatalogueItem(models.TextChoices):
    NONE = "none", _("Not on the export catalogue")
    RESTRICTED = "restricted", _("On the restricted export catalogue")
    PROHIBITED = "prohibited", _("On the prohibited export catalogue")


class Rfq(models.Model):
    """A buyer organisation's request for quote, with the deal facts compliance screening reads.

    A fact left empty is unknown: findings that depend on it are shown as "to confirm".
    """

    buyer = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="rfqs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=RfqStatus.choices, default=RfqStatus.DRAFT)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(
        _("public summary"),
        blank=True,
        help_text=_("What providers see before they accept the NDA: no confidential detail."),
    )
    scope = models.TextField(_("scope of work"))
    capabilities = models.ManyToManyField(
        "catalog.TaxonomyNode", related_name="rfqs", verbose_name=_("capabilities")
    )
    therapeutic_area = models.ForeignKey(
        "catalog.TaxonomyNode", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    modality = models.ForeignKey(
        "catalog.TaxonomyNode", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    desired_start = models.DateField(_("desired start"), null=True, blank=True)
    deadline = models.DateField(_("quotes wanted by"), null=True, blank=True)
    budget_min_amount = models.DecimalField(**AMOUNT, null=True, blank=True)
    budget_max_amount = models.DecimalField(**AMOUNT, null=True, blank=True)
    budget_currency = models.CharField(max_length=3, choices=Currency.choices, default="CNY")
    is_nda_required = models.BooleanField(_("NDA required"), default=False)
    nda_terms = models.TextField(_("NDA terms"), blank=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.INVITED
    )
    # Deal facts (see compliance/data/rules.yaml); null = not stated yet.
    hgr_materials_leave_china = models.BooleanField(null=True, blank=True)
    # Whether the buyer itself collects, stores or holds the human samples (not only the provider):
    # with the parties' nature, it decides whether a foreign party handles them.
    buyer_collects_hgr = models.BooleanField(null=True, blank=True)
    hgr_information_abroad = models.BooleanField(null=True, blank=True)
    hgr_joint_research = models.BooleanField(null=True, blank=True)
    registration_trial_at_institution = models.BooleanField(null=True, blank=True)
    personal_info_subjects_ytd = models.PositiveIntegerField(null=True, blank=True)
    sensitive_personal_info_subjects_ytd = models.PositiveIntegerField(null=True, blank=True)
    important_data = models.BooleanField(null=True, blank=True)
    technology_transfer = models.BooleanField(null=True, blank=True)
    technology_catalogue_item = models.CharField(
        max_length=10, choices=CatalogueItem.choices, blank=True
    )
    foreign_staff_on_site = models.BooleanField(null=True, blank=True)
    ai_generated_prescriptions = models.BooleanField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("request for quote")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(budget_min_amount__isnull=True)
                | models.Q(budget_max_amount__isnull=True)
                | models.Q(budget_min_amount__lte=models.F("budget_max_amount")),
                name="rfq_budget_range_is_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(budget_min_amount__isnull=True)
                | models.Q(budget_min_amount__gte=0),
                name="rfq_budget_is_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class RfqInvitation(models.Model):
    """A provider taking part in an RFQ: invited by the buyer, or come through an open call.

    Holds its NDA acceptance: until then the provider sees only the public summary.
    """

    class Source(models.TextChoices):
        INVITED = "invited", _("Invited by the buyer")
        OPEN_CALL = "open_call", _("Answered the open call")

    rfq = models.ForeignKey(Rfq, on_delete=models.CASCADE, related_name="invitations")
    provider = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="rfq_invitations"
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.INVITED)
    created_at = models.DateTimeField(auto_now_add=True)
    nda_accepted_at = models.DateTimeField(null=True, blank=True)
    nda_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["rfq", "provider"], name="rfq_invitation_once")
        ]

    def __str__(self) -> str:
        return f"{self.provider} · {self.rfq}"


class QuoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    REVISED = "revised", _("Revised")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class Quote(models.Model):
    """A provider's answer to an RFQ; its content lives in numbered revisions (v1, v2, ...)."""

    rfq = models.ForeignKey(Rfq, on_delete=models.PROTECT, related_name="quotes")
    provider = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="quotes"
    )
    status = models.CharField(max_length=10, choices=QuoteStatus.choices, default=QuoteStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("quote")
        constraints = [models.UniqueConstraint(fields=["rfq", "provider"], name="quote_once")]

    def __str__(self) -> str:
        return f"{self.provider} → {self.rfq}"


class VatBasis(models.TextChoices):
    STANDARD = "standard", _("Standard rate")
    ZERO_RATED_EXPORT = "zero_rated_export", _("Zero-rated: exported R&D service")
    EXEMPT = "exempt", _("Exempt")


class QuoteRevision(models.Model):
    """One version of a quote: lines, VAT, milestones, validity, and the FX snapshot.

    Submitted revisions are never edited; a change is a new revision.
    """

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    is_submitted = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    valid_until = models.DateField(_("valid until"))
    turnaround_days = models.PositiveIntegerField(_("turnaround (days)"), null=True, blank=True)
    assumptions = models.TextField(_("assumptions"), blank=True)
    exclusions = models.TextField(_("exclusions"), blank=True)
    work_zone = models.ForeignKey(
        "catalog.Zone",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Where in China the work is done; the provider's zone if empty."),
    )
    provider_is_ciio = models.BooleanField(null=True, blank=True)
    currency = models.CharField(max_length=3, default="CNY", editable=False)
    net_amount = models.DecimalField(**AMOUNT, default=0)
    vat_amount = models.DecimalField(**AMOUNT, default=0)
    total_amount = models.DecimalField(**AMOUNT, default=0)
    # The buyer's view of the total, with the rate it was converted at (snapshotted on submit).
    buyer_currency = models.CharField(max_length=3, choices=Currency.choices, blank=True)
    fx_rate = models.DecimalField(max_digits=20, decimal_places=10, null=True, blank=True)
    fx_source = models.CharField(max_length=100, blank=True)
    fx_as_of = models.DateTimeField(null=True, blank=True)
    total_buyer_amount = models.DecimalField(**AMOUNT, null=True, blank=True)
    usd_rate = models.DecimalField(max_digits=20, decimal_places=10, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["quote", "number"]
        constraints = [
            models.UniqueConstraint(fields=["quote", "number"], name="quote_revision_number_once"),
            models.CheckConstraint(
                condition=sum_matches("total_amount", "net_amount", "vat_amount"),
                name="quote_revision_total_is_net_plus_vat",
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.number}"


class QuoteLine(models.Model):
    revision = models.ForeignKey(QuoteRevision, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(max_digits=12, decimal_places=3)
    unit_price_amount = models.DecimalField(**AMOUNT)
    vat_rate = models.DecimalField(
        max_digits=5, decimal_places=4, help_text=_("0.06 for 6 %; 0 when zero-rated or exempt")
    )
    vat_basis = models.CharField(max_length=20, choices=VatBasis.choices)
    capability = models.ForeignKey(
        "catalog.TaxonomyNode", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    net_amount = models.DecimalField(**AMOUNT)
    vat_amount = models.DecimalField(**AMOUNT)

    class Meta:
        ordering = ["revision", "position"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="quote_line_quantity"),
            models.CheckConstraint(
                condition=models.Q(unit_price_amount__gte=0), name="quote_line_price_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(vat_rate__gte=0, vat_rate__lt=1), name="quote_line_vat_rate"
            ),
        ]

    def __str__(self) -> str:
        return self.description


class QuoteMilestone(models.Model):
    revision = models.ForeignKey(QuoteRevision, on_delete=models.CASCADE, related_name="milestones")
    position = models.PositiveIntegerField()
    name = models.CharField(_("name"), max_length=200)
    share = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, help_text=_("percent of the total")
    )
    amount = models.DecimalField(**AMOUNT)
    due_date = models.DateField(null=True, blank=True)
    trigger = models.CharField(_("trigger"), max_length=200, blank=True)

    class Meta:
        ordering = ["revision", "position"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="quote_milestone_amount")
        ]

    def __str__(self) -> str:
        return self.name


class ContractStatus(models.TextChoices):
    PENDING_SIGNATURE = "pending_signature", _("Waiting for signatures")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    TERMINATED = "terminated", _("Terminated")


class Contract(models.Model):
    """Made when a buyer accepts a quote: an immutable snapshot of the accepted revision."""

    quote = models.OneToOneField(Quote, on_delete=models.PROTECT, related_name="contract")
    revision = models.ForeignKey(QuoteRevision, on_delete=models.PROTECT, related_name="+")
    rfq = models.ForeignKey(Rfq, on_delete=models.PROTECT, related_name="contracts")
    buyer = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="contracts_as_buyer"
    )
    provider = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="contracts_as_provider"
    )
    status = models.CharField(
        max_length=20, choices=ContractStatus.choices, default=ContractStatus.PENDING_SIGNATURE
    )
    terms_version = models.CharField(max_length=20)
    snapshot = models.JSONField(help_text=_("The accepted quote as both parties saw it."))
    total_amount = models.DecimalField(**AMOUNT)
    currency = models.CharField(max_length=3, default="CNY", editable=False)
    buyer_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    buyer_signed_at = models.DateTimeField(null=True, blank=True)
    provider_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    provider_signed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("contract")

    def __str__(self) -> str:
        return f"Contract {self.pk}: {self.rfq}"


class ChangeOrderStatus(models.TextChoices):
    PROPOSED = "proposed", _("Waiting for signatures")
    APPLIED = "applied", _("Signed and in force")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    DECLINED = "declined", _("Declined")


class ChangeOrder(models.Model):
    """A change to an active contract's scope, price (its milestones still to fall due) or deal
    facts, proposed by either party and in force once both have signed it.

    ``before`` and ``after`` keep the contract as it stood and as it would stand (scope, total,
    milestones, facts): the applied change orders, in order, are the contract's revisions.
    ``screening`` is the compliance screening of the changed facts, run at the proposal."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="change_orders")
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=10, choices=ChangeOrderStatus.choices, default=ChangeOrderStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_side = models.CharField(max_length=10)  # buyer | provider
    reason = models.TextField(_("what changes and why"))
    before = models.JSONField()
    after = models.JSONField()
    total_before = models.DecimalField(**AMOUNT)
    total_after = models.DecimalField(**AMOUNT)
    screening = models.JSONField()
    buyer_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    buyer_signed_at = models.DateTimeField(null=True, blank=True)
    provider_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    provider_signed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["contract", "number"]
        verbose_name = _("change order")
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="change_order_number_once"),
            models.UniqueConstraint(
                fields=["contract"],
                condition=models.Q(status="proposed"),
                name="one_proposed_change_order_per_contract",
            ),
            models.CheckConstraint(
                condition=models.Q(total_after__gt=0), name="change_order_total_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"CO-{self.contract_id:06d}-{self.number:02d}"


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DUE = "due", _("Due")
    PAID = "paid", _("Paid")
    ACCEPTED = "accepted", _("Accepted")


class Milestone(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="milestones")
    position = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    amount = models.DecimalField(**AMOUNT)
    currency = models.CharField(max_length=3, default="CNY", editable=False)
    due_date = models.DateField(null=True, blank=True)
    trigger = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=10, choices=MilestoneStatus.choices, default=MilestoneStatus.PLANNED
    )

    class Meta:
        ordering = ["contract", "position"]
        verbose_name = _("milestone")

    def __str__(self) -> str:
        return self.name


class ChecklistItem(models.Model):
    """An approval or filing a finding requires, ticked by a party with a reference and date."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="checklist")
    rule = models.CharField(max_length=80)
    severity = models.CharField(max_length=20)
    # "to_confirm": the rule may apply, depending on facts nobody stated; the party records
    # the approval or filing, or why it does not apply.
    finding_status = models.CharField(max_length=20, default="applies")
    title_en = models.CharField(max_length=200)
    title_zh = models.CharField(max_length=200, blank=True)
    action_en = models.TextField()
    action_zh = models.TextField(blank=True)
    authority = models.CharField(max_length=200)
    authority_zh = models.CharField(max_length=200, blank=True)
    reference = models.CharField(_("reference number"), max_length=100, blank=True)
    completed_on = models.DateField(_("date"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["contract", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "rule"], name="checklist_item_once")
        ]

    def __str__(self) -> str:
        return self.title_en

    @property
    def is_done(self) -> bool:
        return self.completed_on is not None


class Screening(models.Model):
    """The latest compliance screening of an RFQ (``quote`` empty) or of one quote on it."""

    rfq = models.ForeignKey(Rfq, on_delete=models.CASCADE, related_name="screenings")
    quote = models.OneToOneField(
        Quote, on_delete=models.CASCADE, null=True, blank=True, related_name="screening"
    )
    facts = models.JSONField()
    findings = models.JSONField()
    outcome = models.CharField(max_length=20)
    is_blocked = models.BooleanField()
    facts_to_confirm = models.JSONField(default=list)
    rules_version = models.CharField(max_length=64)
    screened_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rfq"], condition=models.Q(quote__isnull=True), name="one_rfq_screening"
            )
        ]

    def __str__(self) -> str:
        return f"{self.outcome} ({self.screened_at:%Y-%m-%d %H:%M})"


class AuditEvent(models.Model):
    """Who changed what, when, from which status to which, and why. Never edited."""

    subject_type = models.CharField(max_length=20)  # rfq | quote | contract | milestone | ...
    subject_id = models.PositiveBigIntegerField()
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self) -> str:
        return f"{self.subject_type} {self.subject_id}: {self.from_status} → {self.to_status}"


class RfqAttachment(models.Model):
    """A document the buyer attaches to an RFQ (PDF or Office), stored privately and shown only
    to the buyer and to providers that may read the full RFQ."""

    rfq = models.ForeignKey(Rfq, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=private_storage, upload_to="rfqs/%Y/%m/")
    name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


class Message(models.Model):
    """One message in the thread between an RFQ's buyer and one provider: the record of the
    deal, visible to those two organisations only."""

    class Side(models.TextChoices):
        BUYER = "buyer", _("Buyer")
        PROVIDER = "provider", _("Provider")

    rfq = models.ForeignKey(Rfq, on_delete=models.CASCADE, related_name="messages")
    provider = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="rfq_messages"
    )
    side = models.CharField(max_length=10, choices=Side.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    file = models.FileField(storage=private_storage, upload_to="messages/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["rfq", "provider", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_side_display()}: {self.body[:40]}"


_private_storage = private_storage  # the name the first migrations refer to
