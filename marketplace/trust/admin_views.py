"""The Wagtail admin screens where platform staff keep the company-of-concern lists: every list
with the providers it flags, a form per list (its facts, and its companies one per line), and
withdrawing one. Each save goes through ``trust.services`` (staff only, audited, providers
screened again). Registered in trust/wagtail_hooks.py."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from marketplace.accounts.permissions import PlatformStaffRequiredMixin
from marketplace.pages import form_errors_add
from marketplace.trust import selectors, services
from marketplace.trust.models import ConcernEntry, ConcernList

INDEX = reverse_lazy("trust_concern_lists")
BREADCRUMBS = [
    *WagtailAdminTemplateMixin.breadcrumbs_items,
    {"url": INDEX, "label": _("Company-of-concern lists")},
]
SEPARATOR = "|"


def entries_text(concern_list: ConcernList) -> str:
    """A list's companies as the form shows them: one per line, name | other names | ids."""
    lines = []
    for entry in concern_list.entries.all():
        parts = [
            entry.name,
            "; ".join(entry.aliases.split("\n")) if entry.aliases else "",
            "; ".join(entry.identifiers.split("\n")) if entry.identifiers else "",
        ]
        lines.append(f" {SEPARATOR} ".join(parts).rstrip(f" {SEPARATOR}"))
    return "\n".join(lines)


def _values(text: str) -> str:
    return "\n".join(value.strip() for value in text.split(";") if value.strip())


class ConcernListForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    source = forms.CharField(label=_("Source"), max_length=300, help_text=_("Who publishes it."))
    url = forms.URLField(label=_("Address"), required=False, assume_scheme="https")
    published_on = forms.DateField(
        label=_("Published on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    entries = forms.CharField(
        label=_("Listed companies"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "One company per line: name | other names, separated by ; | identifiers (registration "
            "numbers), separated by ;"
        ),
    )

    def clean_entries(self) -> list[dict]:
        entries, problems = [], []
        name_max = ConcernEntry._meta.get_field("name").max_length
        for number, line in enumerate(self.cleaned_data["entries"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split(SEPARATOR)]
            if len(parts) > 3 or not parts[0]:
                problems.append(
                    _("Line %(number)d: give a name, then at most other names and identifiers.")
                    % {"number": number}
                )
                continue
            if len(parts[0]) > name_max:
                problems.append(
                    _("Line %(number)d: a name is at most %(max)d characters.")
                    % {"number": number, "max": name_max}
                )
                continue
            parts += [""] * (3 - len(parts))
            entries.append(
                {"name": parts[0], "aliases": _values(parts[1]), "identifiers": _values(parts[2])}
            )
        if problems:
            raise ValidationError(problems)
        return entries


class ConcernListIndexView(PlatformStaffRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "trust/admin/concern_list_index.html"
    page_title = _("Company-of-concern lists")
    header_icon = "warning"
    breadcrumbs_items = [
        *WagtailAdminTemplateMixin.breadcrumbs_items,
        {"url": "", "label": _("Company-of-concern lists")},
    ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(concern_lists=selectors.concern_lists(), **kwargs)


class ConcernListFormView(PlatformStaffRequiredMixin, WagtailAdminTemplateMixin, FormView):
    """Add a list (no ``pk``) or replace one's facts and companies."""

    template_name = "trust/admin/concern_list_form.html"
    form_class = ConcernListForm
    header_icon = "warning"

    def dispatch(self, request, *args, **kwargs):
        self.concern_list = (
            get_object_or_404(ConcernList, pk=kwargs["pk"]) if "pk" in kwargs else None
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.concern_list.name if self.concern_list else _("Add a list")

    def get_breadcrumbs_items(self):
        return [*BREADCRUMBS, {"url": "", "label": self.get_page_title()}]

    def get_initial(self):
        if self.concern_list is None:
            return {}
        values = {name: getattr(self.concern_list, name) for name in ("name", "source", "url")}
        return {
            **values,
            "published_on": self.concern_list.published_on,
            "entries": entries_text(self.concern_list),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(concern_list=self.concern_list, **kwargs)

    def form_valid(self, form):
        values = dict(form.cleaned_data)
        entries = values.pop("entries")
        try:
            saved = services.concern_list_save(
                by=self.request.user, entries=entries, concern_list=self.concern_list, **values
            )
        except ValidationError as error:
            form_errors_add(form, error)
            return self.form_invalid(form)
        flagged = selectors.flagged_by(concern_list=saved)
        message = ngettext(
            "“%(name)s” is saved; it flags %(count)d provider.",
            "“%(name)s” is saved; it flags %(count)d providers.",
            len(flagged),
        )
        messages.success(self.request, message % {"name": saved.name, "count": len(flagged)})
        return redirect(INDEX)


class ConcernListDeleteView(PlatformStaffRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "trust/admin/concern_list_delete.html"
    header_icon = "warning"

    def dispatch(self, request, *args, **kwargs):
        self.concern_list = get_object_or_404(ConcernList, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Withdraw “%(name)s”") % {"name": self.concern_list.name}

    def get_breadcrumbs_items(self):
        return [*BREADCRUMBS, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            concern_list=self.concern_list,
            flagged=selectors.flagged_by(concern_list=self.concern_list),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        name = self.concern_list.name
        services.concern_list_delete(concern_list=self.concern_list, by=request.user)
        messages.success(request, _("“%(name)s” is withdrawn.") % {"name": name})
        return redirect(reverse("trust_concern_lists"))
