from django.utils.functional import SimpleLazyObject

from marketplace.notifications.selectors import unread_count


def unread_notifications(request) -> dict:
    """The bell's count on every page, counted only where a page shows it (signed in)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user=user))}
