from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import RedirectView
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.admin.auth import require_admin_access
from wagtail.documents import urls as wagtaildocs_urls

from cms import admin_views
from marketplace.todo.views import todo
from search.views import search_page

sign_in_redirect = RedirectView.as_view(pattern_name="account_login", query_string=True)
password_reset_redirect = RedirectView.as_view(pattern_name="account_reset_password")

urlpatterns = [
    # Everyone signs in, and resets a password, through allauth: it refuses unverified email
    # addresses and throttles failed attempts; Django's, Wagtail's admin and Wagtail's front-end
    # sign-in forms do neither. These come before the admins' own URLs, which would answer first.
    path("django-admin/login/", sign_in_redirect),
    path("admin/login/", sign_in_redirect),
    path("_util/login/", sign_in_redirect),
    re_path(r"^admin/password_reset/", password_reset_redirect),
    path("django-admin/", admin.site.urls),
    # Wagtail's page chooser and page-types report at Wagtail's own addresses, showing an editor
    # only the pages they may see (cms/admin_views.py); before Wagtail's admin URLs, which would
    # answer first.
    *[path(f"admin/{route}", require_admin_access(view)) for route, view in admin_views.OVERRIDES],
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", include("marketplace.api.urls")),
    # Choosing a language changes nothing an attacker could gain from, and a form without a CSRF
    # token keeps an anonymous page the same for every reader (marketplace/page_cache.py).
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("account/", include("marketplace.accounts.urls")),
    # Signing and the documents first: the contract pages' own actions share their prefix.
    path("deals/", include("marketplace.agreements.urls")),
    path("deals/", include("marketplace.billing.urls")),
    path("deals/", include("marketplace.contracting.urls")),
    path("payments/", include("payments.urls")),
    path("notifications/", include("marketplace.notifications.urls")),
    path("applications/", include("marketplace.jobs.urls")),
    path("reviews/", include("marketplace.trust.urls")),
    path("search/", search_page, name="search"),
    path("search/saved/", include("search.urls")),
    path("todo/", todo, name="todo"),
    # TCM "Internet plus" services' landing: the search, limited to TCM and introduced.
    path("tcm/", RedirectView.as_view(url="/search/?capability=tcm"), name="tcm"),
    path("staff/trade-report/", include("marketplace.reports.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's page serving comes last: it matches every remaining path.
urlpatterns += [path("", include(wagtail_urls))]
