from django.db import models


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
    applied_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(applied_at__isnull=True),
                name="search_change_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.index}/{self.object_id}"
