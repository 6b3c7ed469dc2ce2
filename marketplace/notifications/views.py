"""The notifications page (read and unread, each linking to what it is about), opening one,
marking all read, and the preferences form."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from marketplace.notifications import selectors, services
from marketplace.notifications.models import Event, Notification


@login_required
def notification_list(request):
    return render(
        request,
        "notifications/list.html",
        {"notifications": selectors.notifications_of(user=request.user)},
    )


@login_required
@require_POST
def notification_open(request, pk: int):
    """Mark the notification read and go to what it is about."""
    notification = get_object_or_404(Notification.objects.filter(user=request.user), pk=pk)
    services.notification_read(notification=notification, by=request.user)
    safe = url_has_allowed_host_and_scheme(notification.path, allowed_hosts=None)
    return redirect(notification.path if safe and notification.path.startswith("/") else "/")


@login_required
@require_POST
def notifications_read_all(request):
    count = services.notifications_read_all(by=request.user)
    messages.success(request, _("%(count)d notification(s) marked read.") % {"count": count})
    return redirect("notifications:list")


CHANNELS = (("in_app", gettext_lazy("In the app")), ("email", gettext_lazy("Email at once")),
            ("digest", gettext_lazy("Daily digest")))  # fmt: skip


class PreferencesForm(forms.Form):
    def __init__(self, *args, initial_preferences: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for event, label in Event.choices:
            for channel, channel_label in CHANNELS:
                self.fields[f"{event}__{channel}"] = forms.BooleanField(
                    label=_("%(event)s: %(channel)s") % {"event": label, "channel": channel_label},
                    required=False,
                    initial=initial_preferences[event][channel],
                )

    def rows(self):
        """The form's fields by event, for a table of events × channels."""
        return [
            (label, [self[f"{event}__{channel}"] for channel, _label in CHANNELS])
            for event, label in Event.choices
        ]

    def preferences(self) -> dict:
        return {
            event: {channel: self.cleaned_data[f"{event}__{channel}"] for channel, _l in CHANNELS}
            for event in Event.values
        }


@login_required
def preferences(request):
    current = services.preferences_of(user=request.user)
    form = PreferencesForm(request.POST or None, initial_preferences=current)
    if request.method == "POST" and form.is_valid():
        services.preferences_set(user=request.user, preferences=form.preferences())
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "channels": [label for _channel, label in CHANNELS]},
    )
