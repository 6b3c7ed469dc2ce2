from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from marketplace.catalog.fields import StringListField
from marketplace.money import Currency


class Tier(models.TextChoices):
    """Which tier of the cross-border services rules applies where the work is done."""

    NATIONAL = "national", _("National")
    PILOT_FTZ = "pilot_ftz", _("Pilot free trade zone")
    HAINAN_FTP = "hainan_ftp", _("Hainan Free Trade Port")


class Standard(models.TextChoices):
    """Quality standards and accreditations a provider can hold or a service can follow."""

    GLP = "GLP", "GLP"
    GMP = "GMP", "GMP"
    GCP = "GCP", "GCP"
    ISO_17025 = "ISO_17025", "ISO/IEC 17025"
    ISO_9001 = "ISO_9001", "ISO 9001"
    AAALAC = "AAALAC", "AAALAC"
    CNAS = "CNAS", "CNAS"
    FDA_INSPECTED = "FDA_INSPECTED", _("FDA inspected")
    EMA_INSPECTED = "EMA_INSPECTED", _("EMA inspected")
    NMPA_GLP = "NMPA_GLP", "NMPA GLP"
    OECD_GLP = "OECD_GLP", "OECD GLP"


class Language(models.TextChoices):
    """Working languages a provider or a job can list (labelled in their own language, for
    choosing; ``LANGUAGE_NAMES`` names them in the reader's)."""

    EN = "en", "English"
    ZH = "zh", "中文"
    JA = "ja", "日本語"
    KO = "ko", "한국어"
    DE = "de", "Deutsch"
    FR = "fr", "Français"
    ES = "es", "Español"
    IT = "it", "Italiano"
    PT = "pt", "Português"
    RU = "ru", "Русский"
    NL = "nl", "Nederlands"
    SV = "sv", "Svenska"
    AR = "ar", "العربية"
    HI = "hi", "हिन्दी"
    TH = "th", "ไทย"
    VI = "vi", "Tiếng Việt"
    ID = "id", "Bahasa Indonesia"
    MS = "ms", "Bahasa Melayu"


# Each working language's name in the reader's language, for reading a list of them.
LANGUAGE_NAMES = {
    "en": _("English"), "zh": _("Chinese"), "ja": _("Japanese"), "ko": _("Korean"),
    "de": _("German"), "fr": _("French"), "es": _("Spanish"), "it": _("Italian"),
    "pt": _("Portuguese"), "ru": _("Russian"), "nl": _("Dutch"), "sv": _("Swedish"),
    "ar": _("Arabic"), "hi": _("Hindi"), "th": _("Thai"), "vi": _("Vietnamese"),
    "id": _("Indonesian"), "ms": _("Malay"),
}  # fmt: skip

# Issuers of certifications and accreditations that providers name, in the reader's language; an
# issuer not named here shows as the provider typed it.
ISSUER_NAMES = {
    "NMPA": _("NMPA (National Medical Products Administration)"),
    "CNAS": _("CNAS (China National Accreditation Service)"),
    "US FDA": _("US FDA (Food and Drug Administration)"),
    "EMA": _("EMA (European Medicines Agency)"),
    "AAALAC International": _("AAALAC International"),
    "OECD MAD partner authority": _("An OECD mutual acceptance of data partner authority"),
    "SGS": _("SGS"),
}


class Zone(models.Model):
    """A place in China whose tier of the negative list applies to work done there."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices)
    name = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    note = models.CharField(_("note"), max_length=300, blank=True)

    panels = [FieldPanel("code"), FieldPanel("tier"), FieldPanel("name"), FieldPanel("name_zh")]

    class Meta:
        ordering = ["code"]
        verbose_name = _("zone")

    def __str__(self) -> str:
        return self.name


class TaxonomyKind(models.TextChoices):
    """The taxonomy's root families; anything not one of the last three is a capability."""

    CAPABILITY = "capability", _("Capability")
    THERAPEUTIC_AREA = "therapeutic_area", _("Therapeutic area")
    MODALITY = "modality", _("Modality")
    SPECIES = "species", _("Species")


class TaxonomyNode(models.Model):
    """One node of the taxonomy: a dotted code whose prefix is its parent's code.

    A filter or a rule naming a code covers its descendants: ``code == X or code startswith X.``.
    """

    code = models.CharField(_("code"), max_length=120, unique=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=TaxonomyKind.choices)
    label_en = models.CharField(_("label (English)"), max_length=200)
    label_zh = models.CharField(_("label (Chinese)"), max_length=200)
    synonyms = StringListField(
        _("synonyms"), blank=True, help_text=_("Other names buyers type, one per line.")
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    panels = [
        FieldPanel("code"),
        FieldPanel("parent"),
        FieldPanel("kind"),
        FieldPanel("label_en"),
        FieldPanel("label_zh"),
        FieldPanel("synonyms"),
    ]

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("taxonomy node")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[a-z0-9_]+(\.[a-z0-9_]+)*$"),
                name="taxonomy_code_is_dotted_lowercase",
            )
        ]

    def __str__(self) -> str:
        return f"{self.label_en} · {self.label_zh}"

    @property
    def depth(self) -> int:
        return self.code.count(".")


def kind_for_code(code: str) -> str:
    root = code.split(".", 1)[0]
    return root if root in TaxonomyKind.values else TaxonomyKind.CAPABILITY


class FxRate(models.Model):
    """One unit of ``base_currency`` is worth ``rate`` units of ``quote_currency``, as ``source``
    published it at ``as_of``. Quotes copy the rate they used; editing a rate changes no quote."""

    base_currency = models.CharField(_("base currency"), max_length=3, choices=Currency.choices)
    quote_currency = models.CharField(_("quote currency"), max_length=3, choices=Currency.choices)
    rate = models.DecimalField(_("rate"), max_digits=20, decimal_places=10)
    source = models.CharField(_("source"), max_length=100)
    as_of = models.DateTimeField(_("as of"))
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("base_currency"),
        FieldPanel("quote_currency"),
        FieldPanel("rate"),
        FieldPanel("source"),
        FieldPanel("as_of"),
    ]

    class Meta:
        ordering = ["base_currency", "quote_currency", "-as_of"]
        verbose_name = _("exchange rate")
        constraints = [
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="fx_rate_positive"),
            models.CheckConstraint(
                condition=~models.Q(base_currency=models.F("quote_currency")),
                name="fx_rate_two_currencies",
            ),
            models.UniqueConstraint(
                fields=["base_currency", "quote_currency", "source", "as_of"],
                name="fx_rate_unique_per_source_and_time",
            ),
        ]
        indexes = [models.Index(fields=["base_currency", "quote_currency", "-as_of"])]

    def __str__(self) -> str:
        return f"1 {self.base_currency} = {self.rate} {self.quote_currency} ({self.source})"
