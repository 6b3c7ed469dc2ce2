from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from marketplace.ops.views import HealthView
from search.api import JobSearchView, ProviderSearchView, ServiceSearchView, SuggestView

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("health/", HealthView.as_view(), name="health"),
    path("search/services", ServiceSearchView.as_view(), name="search-services"),
    path("search/jobs", JobSearchView.as_view(), name="search-jobs"),
    path("search/providers", ProviderSearchView.as_view(), name="search-providers"),
    path("search/suggest", SuggestView.as_view(), name="search-suggest"),
]
