"""Cross-border services rules as data: platform staff edit them, screenings read them.

A rule says, for deals in one direction and where the work is done in one tier of zones, which
conditions on the deal's facts make it prohibited, subject to approval or filing, or worth knowing.
The semantics are those written at the top of ``data/rules.yaml``.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel

from marketplace.catalog.fields import StringListField
from marketplace.catalog.models import Tier, Zone


class Direction(models.TextChoices):
    OUTBOUND = "outbound", _("Outbound (China to abroad)")
    INBOUND = "inbound", _("Inbound (abroad to China)")
    ANY = "any", _("Either direction")


class Restriction(models.TextChoices):
    PROHIBITED = "prohibited", _("Prohibited")
    REQUIRES_APPROVAL = "requires_approval", _("Requires approval")
    REQUIRES_FILING = "requires_filing", _("Requires filing")
    REQUIRES_LOCAL_PARTNER = "requires_local_partner", _("Requires a local partner")
    INFORMATIONAL = "informational", _("Informational")


class Flow(models.TextChoices):
    DATA = "data", _("Data")
    TECHNOLOGY = "technology", _("Technology")
    PERSONNEL = "personnel", _("Personnel")
    CAPITAL = "capital", _("Capital")
    SERVICE = "service", _("Service")


class Confidence(models.TextChoices):
    CHECKED = "checked", _("Checked against a source")
    UNCHECKED = "unchecked", _("Not yet checked against the official text")


class Rule(models.Model):
    """One rule of the negative lists and the four cross-border flows (see ``data/rules.yaml``)."""

    slug = models.SlugField(_("identifier"), max_length=80, unique=True)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    scope = models.CharField(
        _("tier"),
        max_length=20,
        choices=Tier.choices,
        help_text=_("A national rule applies everywhere; a zone rule only in its zones."),
    )
    zones = models.ManyToManyField(
        Zone,
        blank=True,
        related_name="rules",
        verbose_name=_("zones"),
        help_text=_("Zones a zone rule applies in; none means every zone of its tier."),
    )
    restriction = models.CharField(_("restriction"), max_length=30, choices=Restriction.choices)
    flow = models.CharField(_("flow"), max_length=20, choices=Flow.choices)
    conditions = models.JSONField(
        _("conditions"),
        default=dict,
        blank=True,
        help_text=_("Facts of the deal that must all hold, as in rules.yaml."),
    )
    action_en = models.TextField(_("action (English)"))
    action_zh = models.TextField(_("action (Chinese)"), blank=True)
    authority = models.CharField(_("authority"), max_length=200)
    authority_zh = models.CharField(_("authority (Chinese)"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=300)
    source_zh = models.CharField(_("source (Chinese)"), max_length=300, blank=True)
    confidence = models.CharField(_("confidence"), max_length=10, choices=Confidence.choices)
    supersedes = models.ManyToManyField(
        "self",
        blank=True,
        symmetrical=False,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
        help_text=_("Rules that do not apply where this zone rule applies."),
    )
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_until = models.DateField(_("effective until"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        MultiFieldPanel(
            [FieldPanel("slug"), FieldPanel("title_en"), FieldPanel("title_zh")], _("Rule")
        ),
        MultiFieldPanel(
            [
                FieldPanel("direction"),
                FieldPanel("scope"),
                FieldPanel("zones"),
                FieldPanel("restriction"),
                FieldPanel("flow"),
                FieldPanel("conditions"),
                FieldPanel("supersedes"),
            ],
            _("When it applies"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("action_en"),
                FieldPanel("action_zh"),
                FieldPanel("authority"),
                FieldPanel("authority_zh"),
                FieldPanel("source"),
                FieldPanel("source_zh"),
                FieldPanel("confidence"),
            ],
            _("What to do"),
        ),
        MultiFieldPanel(
            [FieldPanel("effective_from"), FieldPanel("effective_until")], _("In force")
        ),
    ]

    class Meta:
        ordering = ["slug"]
        verbose_name = _("compliance rule")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(effective_until__isnull=True)
                | models.Q(effective_from__isnull=True)
                | models.Q(effective_until__gte=models.F("effective_from")),
                name="rule_effective_period_is_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.slug}: {self.title_en}"

    def clean(self) -> None:
        from marketplace.compliance.screening import ConditionError, validate_conditions

        try:
            validate_conditions(self.conditions)
        except ConditionError as error:
            raise ValidationError({"conditions": str(error)}) from error


class TradeAgreement(models.Model):
    """A trade agreement a deal summary refers to, with its member countries."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    china_status = models.CharField(_("China's status"), max_length=100)
    in_force = models.DateField(_("in force from"), null=True, blank=True)
    members = StringListField(_("members"), help_text=_("ISO 3166-1 alpha-2 codes, one per line."))

    panels = [
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("china_status"),
        FieldPanel("in_force"),
        FieldPanel("members"),
    ]

    class Meta:
        ordering = ["code"]
        verbose_name = _("trade agreement")

    def __str__(self) -> str:
        return self.name
