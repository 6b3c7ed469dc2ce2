"""Verified reviews: a buyer organisation rates a provider once per completed contract."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Every rating is a whole number on this scale.
RATING_MIN, RATING_MAX = 1, 5
ASPECTS = ("quality", "timeliness", "communication", "value")
ASPECT_LABELS = {
    "overall": _("Overall"),
    "quality": _("Quality"),
    "timeliness": _("Timeliness"),
    "communication": _("Communication"),
    "value": _("Value"),
}


def _rating(name: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(ASPECT_LABELS[name])


class Review(models.Model):
    """A buyer's review of the provider of one completed contract, with the provider's one
    public answer; platform staff may hide it, saying why (kept, not deleted)."""

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        CHINESE = "zh-hans", _("Chinese")

    contract = models.OneToOneField(
        "contracting.Contract", on_delete=models.PROTECT, related_name="review"
    )
    buyer = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="reviews_given"
    )
    provider = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="reviews"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    overall = _rating("overall")
    quality = _rating("quality")
    timeliness = _rating("timeliness")
    communication = _rating("communication")
    value = _rating("value")
    text = models.TextField(_("review"))
    language = models.CharField(max_length=10, choices=Language.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    reply = models.TextField(_("answer"), blank=True)
    reply_language = models.CharField(max_length=10, choices=Language.choices, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    replied_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.TextField(_("reason for hiding"), blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("review")
        indexes = [models.Index(fields=["provider", "hidden_at", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    **{f"{name}__gte": RATING_MIN for name in ("overall", *ASPECTS)},
                    **{f"{name}__lte": RATING_MAX for name in ("overall", *ASPECTS)},
                ),
                name="review_ratings_on_scale",
            ),
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""),
                name="review_hidden_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Review of {self.provider} for contract {self.contract_id}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    def aspects(self) -> list[tuple[str, int]]:
        """(label, rating) of each aspect, in order."""
        return [(ASPECT_LABELS[name], getattr(self, name)) for name in ASPECTS]


# Below this many cases a share or a median says more about chance than about the provider: the
# page says "too little history" instead.
MIN_HISTORY = 3


class TrackRecord(models.Model):
    """What a provider's work on the platform shows, recomputed from the deals themselves by a
    periodic task (``track_records_refresh``): how fast and how often it quotes, what it
    completes, whether it delivers on time, whether buyers come back."""

    provider = models.OneToOneField(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="track_record",
    )
    rfqs_received = models.PositiveIntegerField(default=0)
    rfqs_quoted = models.PositiveIntegerField(default=0)
    median_response_hours = models.DecimalField(
        max_digits=8, decimal_places=1, null=True, blank=True
    )
    contracts_completed = models.PositiveIntegerField(default=0)
    milestones_dated = models.PositiveIntegerField(default=0)
    milestones_on_time = models.PositiveIntegerField(default=0)
    buyers = models.PositiveIntegerField(default=0)
    repeat_buyers = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("track record")

    def __str__(self) -> str:
        return f"Track record of {self.provider}"


class ConcernList(models.Model):
    """A published list of companies some buyers must avoid (a government's list of biotechnology
    companies of concern, say), kept by platform staff as data: name, source, date."""

    name = models.CharField(_("name"), max_length=200)
    source = models.CharField(_("source"), max_length=300, help_text=_("Who publishes it."))
    url = models.URLField(_("address"), blank=True)
    published_on = models.DateField(_("published on"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("company-of-concern list")

    def __str__(self) -> str:
        return self.name


class ConcernEntry(models.Model):
    """One company named on a list: its name, other names, identifiers (registration numbers),
    each matched against the providers' names in English and Chinese."""

    concern_list = models.ForeignKey(ConcernList, on_delete=models.CASCADE, related_name="entries")
    name = models.CharField(_("name"), max_length=300)
    aliases = models.TextField(
        _("other names"), blank=True, help_text=_("One per line: former names, Chinese name.")
    )
    identifiers = models.TextField(
        _("identifiers"), blank=True, help_text=_("One per line: registration numbers, codes.")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("listed company")

    def __str__(self) -> str:
        return self.name

    def names(self) -> list[str]:
        return [self.name, *(line.strip() for line in self.aliases.splitlines() if line.strip())]


class ConcernMatch(models.Model):
    """A provider organisation whose name matches a listed company (recomputed when a list or
    an organisation's names change): the provider is flagged on its page and in results."""

    provider = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="concern_matches"
    )
    entry = models.ForeignKey(ConcernEntry, on_delete=models.CASCADE, related_name="matches")
    matched_name = models.CharField(max_length=300)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "entry"], name="concern_match_once")
        ]

    def __str__(self) -> str:
        return f"{self.provider} named on {self.entry.concern_list} as {self.entry}"
