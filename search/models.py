from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IndexChange(models.Model):
    """A change the search index must catch up with, recorded in the database first.

    Written in the same transaction as the page change, so nothing is lost when the broker or
    Elasticsearch is down: the on-commit task, or the periodic sweep, applies what is pending.
    """

    class Action(models.TextChoices):
        UPSERT = "upsert"
        DELETE = "delete"

    index = models.CharField(max_length=40)
    object_id = models.PositiveIntegerField()
    action = models.CharField(max_length=10, choices=Action.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)  # in Elasticsearch
    stored_at = models.DateTimeField(null=True, blank=True)  # in the database's search index
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(applied_at__isnull=True),
                name="search_change_pending",
            ),
            models.Index(
                fields=["created_at"],
                condition=models.Q(stored_at__isnull=True),
                name="search_change_unstored",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.index}/{self.object_id}"


class SearchEntry(models.Model):
    """One searched page in the database's own search index (the engine that answers when
    Elasticsearch cannot, and the only one of ``make run``): the index document, its terms by
    weight (``search.text``: A titles, B capabilities and the broader ones, C descriptions and
    the provider's name, D context labels) and what filters, facets and sorts read.

    PostgreSQL searches a generated ``vector`` column (``tsvector``, GIN-indexed); SQLite an FTS5
    table, ``search_entry_text``, that triggers keep in step (a migration that rebuilds this table
    on SQLite must create them again: see migration 0002).
    """

    index = models.CharField(max_length=20)
    page_id = models.PositiveIntegerField()
    document = models.JSONField()  # the index document: results are shaped from it alone
    keys = models.JSONField(default=list)  # "<filter>=<value>" for each filter and facet value
    text_a = models.TextField(blank=True)
    text_b = models.TextField(blank=True)
    text_c = models.TextField(blank=True)
    text_d = models.TextField(blank=True)
    boost = models.FloatField(default=1.0)  # a ranking factor (verified, certified, graduate role)
    is_verified = models.BooleanField(default=False)
    rating_average = models.FloatField(null=True)  # of the provider's verified reviews
    rating_count = models.IntegerField(null=True)  # null only in entries written before it
    concern_flagged = models.BooleanField(null=True)  # on a company-of-concern list
    price_fen = models.BigIntegerField(null=True)
    turnaround_days = models.IntegerField(null=True)
    salary_max_fen = models.BigIntegerField(null=True)
    closes_on = models.DateField(null=True)
    published_at = models.DateTimeField(null=True)
    tie_breaker = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["index", "page_id"], name="search_entry_one_per_page")
        ]

    def __str__(self) -> str:
        return f"{self.index}/{self.page_id}"


class SearchTerm(models.Model):
    """A word of the searched texts as written: what "did you mean" suggests from (trigram
    index on PostgreSQL)."""

    term = models.CharField(max_length=64, unique=True)

    def __str__(self) -> str:
        return self.term


class SavedSearch(models.Model):
    """A user's saved search (services or jobs) and its email alerts: the parameters as the
    search parser normalised them (``search.params``), so the alert runs exactly that search.

    ``alerted_through``: listings published up to this moment have been looked at for an alert
    (the watermark); ``SavedSearchMatch`` keeps each listing told, never told again.
    """

    class Kind(models.TextChoices):
        SERVICES = "services", _("Services")
        JOBS = "jobs", _("Jobs")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    # Request parameters by name (a filter's values as a list; no page), as the parser took them.
    params = models.JSONField(_("search parameters"), default=dict)
    is_active = models.BooleanField(_("email alerts on"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    alerted_through = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["services", "jobs"]), name="saved_search_kind_known"
            )
        ]

    def __str__(self) -> str:
        return f"{self.owner_id}: {self.name or self.params.get('q') or self.kind}"


class SavedSearchMatch(models.Model):
    """A listing (or job posting) an alert of the saved search told its owner of, once."""

    saved_search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="matches")
    page_id = models.PositiveIntegerField()
    told_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["saved_search", "page_id"], name="saved_search_match_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.saved_search_id}/{self.page_id}"
