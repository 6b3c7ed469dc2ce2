from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.accounts.models import PROVIDER_KINDS, Organisation


class PayoutForm(forms.Form):
    provider = forms.ModelChoiceField(
        label=_("Provider"),
        queryset=Organisation.objects.filter(kind__in=PROVIDER_KINDS),
        to_field_name="slug",
    )
    amount = forms.DecimalField(
        label=_("Amount (CNY)"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    reference = forms.CharField(label=_("Bank reference"), max_length=100)
    paid_on = forms.DateField(
        label=_("Paid on"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
