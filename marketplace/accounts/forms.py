from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.accounts.models import PROVIDER_KINDS, OrganisationKind, Role
from marketplace.catalog.models import Zone


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    name_zh = forms.CharField(label=_("Name in Chinese"), max_length=200, required=False)
    kind = forms.ChoiceField(
        label=_("We are"),
        choices=[
            (value, label) for value, label in OrganisationKind.choices if value != "platform"
        ],
    )
    country = forms.RegexField(
        label=_("Country (ISO code, e.g. CN, US, DE)"), regex=r"^[A-Za-z]{2}$", max_length=2
    )
    zone = forms.ModelChoiceField(
        label=_("Zone in China (providers)"), queryset=Zone.objects.all(), required=False,
        to_field_name="code",
    )  # fmt: skip
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("kind") in PROVIDER_KINDS:
            if not cleaned_data.get("zone"):
                self.add_error("zone", _("Providers say which zone in China they work in."))
            if not cleaned_data.get("city"):
                self.add_error("city", _("Providers say which city they work in."))
        return cleaned_data


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.EDITOR)
