"""Wagtail admin views that Wagtail leaves open to every editor, narrowed to the pages the
editor may see (``cms.selectors.admin_pages_for``); served at Wagtail's own addresses
(marketplace/urls.py), and the bulk actions registered in Wagtail's place (cms/wagtail_hooks.py).

- The page chooser's browse step names the page it browses, found by id in the URL, and its
  "chosen" step answers any page id: neither goes through the chooser hook (cms/wagtail_hooks.py).
- The page-types usage report counts every page of each type and names the last edited one,
  draft titles included.
- The page bulk actions (delete, move, publish, unpublish) list, by title, the pages of the ids
  they are given that the editor may not act on.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.http import Http404
from wagtail.admin.views import chooser
from wagtail.admin.views.pages.bulk_actions import delete, move, publish, unpublish
from wagtail.admin.views.reports import page_types_usage
from wagtail.models import Page

from cms.selectors import admin_pages_for, admin_root_page_for


class PageChooserBrowseView(chooser.BrowseView):
    """Browses only pages the editor may see; a page above them opens their own pages instead."""

    def get_object_list(self):
        # Wagtail calls this once it has found the page to browse (from the URL, or the root or
        # common ancestor of the wanted page types) and before anything shows it.
        self.parent_page = self._visible_parent(self.parent_page)
        return super().get_object_list()

    def _visible_parent(self, page: Page) -> Page:
        user = self.request.user
        if admin_pages_for(user=user).filter(pk=page.pk).exists():
            return page
        root = admin_root_page_for(user=user)
        if root is not None and root.is_descendant_of(page):
            return root.specific
        raise Http404


class PageChooserChosenMultipleView(chooser.ChosenMultipleView):
    """Answers with the chosen pages the editor may see, and no others."""

    def get(self, request):
        wanted = [pk for pk in request.GET.getlist("id") if pk.isdigit()]
        visible = {
            str(pk)
            for pk in admin_pages_for(user=request.user)
            .filter(pk__in=wanted)
            .values_list("pk", flat=True)
        }
        query = request.GET.copy()
        query.setlist("id", [pk for pk in wanted if pk in visible])
        request.GET = query
        return super().get(request)


class PageTypesUsageReportView(page_types_usage.PageTypesUsageReportView):
    """Counts, and names the last edited of, only the pages the editor may see."""

    def get_queryset(self):
        pages = admin_pages_for(user=self.request.user)
        queryset = ContentType.objects.filter(model__in=self.page_models)
        page_type = ContentType.objects.get_for_model(Page)
        if not pages.filter(depth__gt=1, content_type=page_type).exists():
            queryset = queryset.exclude(pk=page_type.pk)  # no plain pages: no row for them
        self.queryset = queryset
        queryset = self.filter_queryset(queryset)

        cleaned_data = self.filters.form.cleaned_data
        counted, latest = Q(pages__in=pages.values("pk")), {}
        if language_code := cleaned_data.get("page_locale"):
            counted &= Q(pages__locale__language_code=language_code)
            latest["locale__language_code"] = language_code
        if site_root_path := cleaned_data.get("site"):
            counted &= Q(pages__path__startswith=site_root_path)
            latest["path__startswith"] = site_root_path
        last_edited = pages.filter(content_type=OuterRef("pk"), **latest).order_by(
            F("latest_revision_created_at").desc(nulls_last=True), "title", "-pk"
        )
        return queryset.annotate(
            count=Count("pages", filter=counted),
            last_edited_page_id=Subquery(last_edited.values("pk")[:1]),
        ).order_by("-count", "app_label", "model")


class VisiblePagesOnlyBulkAction:
    """Leaves out the pages the editor may not see, instead of listing them as "no permission"."""

    def get_actionable_objects(self):
        objects, context = super().get_actionable_objects()
        refused = context["items_with_no_access"]
        visible = set(
            admin_pages_for(user=self.request.user)
            .filter(pk__in=[page.pk for page in refused])
            .values_list("pk", flat=True)
        )
        context["items_with_no_access"] = [page for page in refused if page.pk in visible]
        return objects, context


class DeleteBulkAction(VisiblePagesOnlyBulkAction, delete.DeleteBulkAction):
    pass


class MoveBulkAction(VisiblePagesOnlyBulkAction, move.MoveBulkAction):
    pass


class PublishBulkAction(VisiblePagesOnlyBulkAction, publish.PublishBulkAction):
    pass


class UnpublishBulkAction(VisiblePagesOnlyBulkAction, unpublish.UnpublishBulkAction):
    pass


# Registered in place of Wagtail's own (cms/wagtail_hooks.py).
PAGE_BULK_ACTIONS = [DeleteBulkAction, MoveBulkAction, PublishBulkAction, UnpublishBulkAction]

# Wagtail admin routes (under /admin/) these views answer in place of Wagtail's own.
OVERRIDES = [
    ("choose-page/<int:parent_page_id>/", PageChooserBrowseView.as_view()),
    ("choose-page/", PageChooserBrowseView.as_view()),
    ("choose-page/chosen-multiple/", PageChooserChosenMultipleView.as_view()),
    ("reports/page-types-usage/", PageTypesUsageReportView.as_view()),
    ("reports/page-types-usage/results/", PageTypesUsageReportView.as_view(results_only=True)),
]
