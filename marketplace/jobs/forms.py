from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.catalog.forms import TaxonomyMultipleChoice
from marketplace.catalog.models import Language, TaxonomyNode
from marketplace.jobs.models import ApplicationStatus
from marketplace.widgets import ChipsSelectMultiple

DEGREES = [
    ("bachelor", _("Bachelor's")),
    ("master", _("Master's")),
    ("phd", _("PhD")),
    ("md", _("MD")),
]


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    degree = forms.ChoiceField(label=_("Degree"), choices=DEGREES)
    school = forms.CharField(label=_("School or university"), max_length=200)
    graduation_year = forms.IntegerField(
        label=_("Graduation year"), min_value=1950, initial=timezone.localdate().year
    )
    disciplines = TaxonomyMultipleChoice(
        label=_("Disciplines"),
        queryset=TaxonomyNode.objects.all(),
        to_field_name="code",
        required=False,
        widget=ChipsSelectMultiple(),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=Language.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    cv = forms.FileField(
        label=_("CV (PDF, up to 5 MB)"), required=False, widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,application/pdf"})
    )  # fmt: skip


class ApplyForm(forms.Form):
    cover_note = forms.CharField(
        label=_("Cover note"), max_length=3000, widget=forms.Textarea(attrs={"rows": 6})
    )


class MoveForm(forms.Form):
    to = forms.ChoiceField(choices=ApplicationStatus.choices)
    note = forms.CharField(required=False, max_length=2000)
    share_note = forms.BooleanField(required=False)
