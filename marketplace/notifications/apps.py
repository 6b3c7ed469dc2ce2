from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """What each user is told, in the app and by email: every event that emails also lands in
    the user's notifications (the bell on every page), as each user's preferences say."""

    name = "marketplace.notifications"
    label = "notifications"
    verbose_name = "Notifications"
