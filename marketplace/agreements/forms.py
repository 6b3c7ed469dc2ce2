"""The change order form: what changes and why, the scope, the milestones still to fall due and
the deal's facts, each shown as the contract stands now."""

import copy

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.contracting.forms import RfqForm
from marketplace.contracting.services.screening import CHANGEABLE_FACTS


class ChangeOrderForm(forms.Form):
    reason = forms.CharField(
        label=_("What changes and why"), max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    scope = forms.CharField(
        label=_("Scope of work"), max_length=20000, widget=forms.Textarea(attrs={"rows": 6})
    )
    change_milestones = forms.BooleanField(
        label=_("Replace the milestones not yet due with those below"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in CHANGEABLE_FACTS:  # the RFQ's questions, answered as the contract stands
            self.fields[name] = copy.deepcopy(RfqForm.base_fields[name])

    def fact_fields(self):
        return [self[name] for name in CHANGEABLE_FACTS]


class ChangeMilestoneForm(forms.Form):
    name = forms.CharField(label=_("Milestone"), max_length=200)
    amount = forms.DecimalField(label=_("Amount (CNY)"), max_digits=14, decimal_places=2)
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    trigger = forms.CharField(label=_("or trigger"), max_length=200, required=False)


ChangeMilestoneFormSet = forms.formset_factory(
    ChangeMilestoneForm, extra=2, max_num=50, validate_max=True
)
