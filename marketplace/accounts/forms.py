from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.accounts.models import PROVIDER_KINDS, OrganisationKind, Role
from marketplace.catalog.models import Zone


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class ForeignInvestmentField(forms.TypedChoiceField):
    """Whether an organisation established in China is foreign-held or controlled: yes, no, or
    not stated (the compliance screening then asks)."""

    def __init__(self, **kwargs):
        super().__init__(
            label=_(
                "Established in China but at least half foreign-held, or foreign-controlled? "
                "(Human genetic resource rules treat such a company as a foreign party.)"
            ),
            choices=[("", _("Not stated")), ("no", _("No")), ("yes", _("Yes"))],
            coerce=_yes_no,
            empty_value=None,
            required=False,
            **kwargs,
        )

    def prepare_value(self, value):
        return {True: "yes", False: "no"}.get(value, value if isinstance(value, str) else "")


class OwnershipForm(forms.Form):
    is_foreign_invested = ForeignInvestmentField()


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
    is_foreign_invested = ForeignInvestmentField()

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
