from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page
from wagtail.search import index


class HomePage(Page):
    """The site's front door: what the marketplace offers and where to start."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["cms.ProviderIndexPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        providers_index = ProviderIndexPage.objects.child_of(self).live().first()
        context["providers_index"] = providers_index
        context["providers"] = (
            ProviderPage.objects.child_of(providers_index).live().order_by("title")[:12]
            if providers_index
            else []
        )
        return context


class ProviderIndexPage(Page):
    """Lists the provider organisations (CROs, TCM providers) on the marketplace."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ProviderPage"]

    class Meta:
        verbose_name = _("provider index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["providers"] = ProviderPage.objects.child_of(self).live().order_by("title")
        return context


class ProviderPage(Page):
    """One provider organisation's public profile: who they are, where, and what they do."""

    summary = models.TextField(_("summary"), blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("city")]
    search_fields = [*Page.search_fields, index.SearchField("summary")]
    parent_page_types = ["cms.ProviderIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("provider page")
