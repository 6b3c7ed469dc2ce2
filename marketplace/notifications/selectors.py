"""Reads of a user's notifications."""

from django.db.models import QuerySet

from marketplace.notifications.models import Notification

LIST_SIZE = 100


def notifications_of(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    """``user``'s latest notifications, newest first."""
    notifications = Notification.objects.filter(user=user)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications[:LIST_SIZE]


def unread_count(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
