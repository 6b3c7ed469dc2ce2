from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from search.views import search_page

sign_in_redirect = RedirectView.as_view(pattern_name="account_login", query_string=True)

urlpatterns = [
    path("django-admin/", admin.site.urls),
    # Everyone signs in through allauth, which refuses unverified email addresses; Wagtail's own
    # sign-in form would not.
    path("admin/login/", sign_in_redirect),
    path("django-admin/login/", sign_in_redirect),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", include("marketplace.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("account/", include("marketplace.accounts.urls")),
    path("deals/", include("marketplace.contracting.urls")),
    path("payments/", include("payments.urls")),
    path("applications/", include("marketplace.jobs.urls")),
    path("search/", search_page, name="search"),
    path("staff/trade-report/", include("marketplace.compliance.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's page serving comes last: it matches every remaining path.
urlpatterns += [path("", include(wagtail_urls))]
