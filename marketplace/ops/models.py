from django.db import models


class PendingTask(models.Model):
    """A background task recorded in the transaction that asked for it (the outbox).

    It is handed to the broker after that transaction commits and deleted once the broker has it;
    while the broker is down it waits here, and the sweep (``outbox_drain``) sends it later.
    """

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)} ({self.attempts} attempts)"
