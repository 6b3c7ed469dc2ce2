"""The Wagtail admin screen where platform staff verify providers' certifications with their
issuers: a list by state (declared, not confirmed, checked, expired), and a form per certification
that records the verification (cms.services.certification_verify). Registered in
cms/wagtail_hooks.py; shown to platform staff only."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cms import selectors, services
from cms.models import Certification, VerificationOutcome
from marketplace.accounts.permissions import PlatformStaffRequiredMixin
from marketplace.pages import form_errors_add
from marketplace.transitions import InvalidTransition

STATE_LABELS = {
    "declared": _("To verify"),
    "not_confirmed": _("Not confirmed"),
    "checked": _("Checked"),
    "expired": _("Expired"),
}
PER_PAGE = 50


class CertificationListView(PlatformStaffRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "cms/admin/certification_list.html"
    page_title = _("Certifications")
    header_icon = "tick-inverse"
    breadcrumbs_items = [
        *WagtailAdminTemplateMixin.breadcrumbs_items,
        {"url": "", "label": _("Certifications")},
    ]

    def get_context_data(self, **kwargs):
        state = self.request.GET.get("state", "declared")
        if state not in STATE_LABELS and state != "all":
            state = "declared"
        certifications = selectors.certifications_to_verify(state=None if state == "all" else state)
        page = Paginator(certifications, PER_PAGE).get_page(self.request.GET.get("p"))
        return super().get_context_data(
            state=state,
            states=[*STATE_LABELS.items(), ("all", _("All"))],
            state_labels=STATE_LABELS,
            page_obj=page,
            **kwargs,
        )


class VerificationForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("What the issuer's registry says"),
        choices=VerificationOutcome.choices,
        widget=forms.RadioSelect,
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=services.SOURCE_MAX,
        help_text=_("The registry or issuer consulted, e.g. the NMPA GLP register."),
    )
    source_url = forms.CharField(label=_("Source address"), required=False, max_length=500)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when not confirmed: what did not match, for the provider."),
    )


class CertificationVerifyView(PlatformStaffRequiredMixin, WagtailAdminTemplateMixin, FormView):
    template_name = "cms/admin/certification_verify.html"
    form_class = VerificationForm
    page_title = _("Verify a certification")
    header_icon = "tick-inverse"
    breadcrumbs_items = [
        *WagtailAdminTemplateMixin.breadcrumbs_items,
        {"url": reverse_lazy("cms_certifications"), "label": _("Certifications")},
        {"url": "", "label": _("Verify a certification")},
    ]

    def dispatch(self, request, *args, **kwargs):
        self.certification = get_object_or_404(
            Certification.objects.select_related("page__organisation", "document"),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            certification=self.certification,
            verifications=selectors.certification_verifications(certification=self.certification),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            services.certification_verify(
                certification=self.certification, by=self.request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form_errors_add(form, error)
            return self.form_invalid(form)
        except InvalidTransition as refusal:
            form.add_error(None, refusal.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("The verification of %(certification)s for %(provider)s is recorded.")
            % {"certification": self.certification, "provider": self.certification.page.title},
        )
        return redirect(reverse("cms_certifications"))
