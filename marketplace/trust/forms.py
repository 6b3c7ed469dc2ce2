from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.trust.models import ASPECT_LABELS, ASPECTS
from marketplace.trust.services import TEXT_MAX

RATING_CHOICES = [
    ("", _("Choose…")),
    (5, _("5 — excellent")),
    (4, _("4 — good")),
    (3, _("3 — fair")),
    (2, _("2 — poor")),
    (1, _("1 — very poor")),
]


def _rating(name: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=ASPECT_LABELS[name], choices=RATING_CHOICES, coerce=int)


class ReviewForm(forms.Form):
    overall = _rating("overall")
    quality = _rating("quality")
    timeliness = _rating("timeliness")
    communication = _rating("communication")
    value = _rating("value")
    text = forms.CharField(
        label=_("Your review (English or Chinese)"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def ratings(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name in ("overall", *ASPECTS)}


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Your public answer"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Why hide it"), max_length=TEXT_MAX)
