"""Terms templates (versioned, English and Chinese, kept by platform staff), the framework
agreement of each buyer–provider pair, and the documents issued from them: each a PDF kept
privately, with the SHA-256 of its content (printed in it, and what a signature will bind to)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from marketplace.storage import private_storage


class DocumentKind(models.TextChoices):
    MSA = "msa", _("Framework agreement")
    SOW = "sow", _("Statement of work")
    CHANGE_ORDER = "change_order", _("Change order")


class TermsTemplate(models.Model):
    """One version of the terms of a kind of document. Documents keep the text they were issued
    with: editing a version, or publishing a new one, changes only documents issued later."""

    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    version = models.CharField(
        _("version"), max_length=20, help_text=_("A label the documents cite, e.g. 2026-12.")
    )
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    body_en = models.TextField(
        _("terms (English)"),
        help_text=_(
            "Clauses separated by a blank line. {buyer}, {provider}, {buyer_country}, "
            "{provider_zone} and {effective_date} are filled in."
        ),
    )
    body_zh = models.TextField(_("terms (Chinese)"))
    is_published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("The latest published version of a kind is the one new documents use."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "-created_at"]
        verbose_name = _("terms template")
        verbose_name_plural = _("terms templates")
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="terms_one_per_kind_version")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.version}"


class FrameworkAgreement(models.Model):
    """The master services agreement between a buyer and a provider: made at their first deal,
    reused by every later one."""

    buyer = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="agreements_as_buyer"
    )
    provider = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="agreements_as_provider"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("framework agreement")
        constraints = [
            models.UniqueConstraint(fields=["buyer", "provider"], name="one_framework_per_pair")
        ]

    def __str__(self) -> str:
        return f"MSA {self.pk}: {self.buyer} – {self.provider}"


class AgreementDocument(models.Model):
    """A document as issued: what it says (``content``), the SHA-256 of that content, and the PDF
    (private; downloaded by the two parties only)."""

    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    framework = models.ForeignKey(
        FrameworkAgreement, on_delete=models.PROTECT, related_name="documents"
    )
    contract = models.ForeignKey(
        "contracting.Contract",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreement_documents",
    )
    change_order = models.OneToOneField(
        "contracting.ChangeOrder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="document",
    )
    version = models.PositiveIntegerField(default=1)
    template = models.ForeignKey(TermsTemplate, on_delete=models.PROTECT, related_name="+")
    content = models.JSONField()
    content_sha256 = models.CharField(max_length=64)
    file = models.FileField(storage=private_storage, upload_to="agreements/%Y/%m/")
    file_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "-version"]
        verbose_name = _("agreement document")
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "version"],
                condition=Q(kind="msa"),
                name="one_msa_per_framework_version",
            ),
            models.UniqueConstraint(
                fields=["contract", "version"],
                condition=Q(kind="sow"),
                name="one_sow_per_contract_version",
            ),
            models.CheckConstraint(
                condition=Q(kind="msa", contract__isnull=True, change_order__isnull=True)
                | Q(kind="sow", contract__isnull=False, change_order__isnull=True)
                | Q(kind="change_order", contract__isnull=False, change_order__isnull=False),
                name="each_kind_has_its_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"

    @property
    def filename(self) -> str:
        if self.change_order_id:
            return f"change-order-{self.content['reference']}.pdf"
        subject = f"contract-{self.contract_id}" if self.contract_id else f"msa-{self.framework_id}"
        return f"{self.kind}-{subject}-v{self.version}.pdf"


class SigningMethod(models.TextChoices):
    PASSWORD = "password", _("Password")
    EMAIL_CODE = "email_code", _("Code sent by email")


class Signature(models.Model):
    """One organisation's signature of one document: who signed, for which organisation, when,
    from where, how they proved it was them, the name they typed and the SHA-256 of the exact
    content they signed."""

    document = models.ForeignKey(
        AgreementDocument, on_delete=models.PROTECT, related_name="signatures"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="signatures"
    )
    signer = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    typed_name = models.CharField(_("name typed"), max_length=200)
    method = models.CharField(max_length=20, choices=SigningMethod.choices)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    document_sha256 = models.CharField(max_length=64)
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["signed_at"]
        verbose_name = _("signature")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "organisation"], name="one_signature_per_document_and_party"
            )
        ]

    def __str__(self) -> str:
        return f"{self.typed_name} for {self.organisation} on {self.document}"
