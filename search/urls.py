"""The saved searches' pages, under /search/saved/ (the search page itself is /search/)."""

from django.urls import path

from search import views

urlpatterns = [
    path("", views.saved_searches_page, name="saved_searches"),
    path("<int:pk>/delete/", views.saved_search_delete, name="saved_search_delete"),
    path("<int:pk>/alerts/", views.saved_search_alerts, name="saved_search_alerts"),
    path(
        "unsubscribe/<str:token>/",
        views.saved_search_unsubscribe,
        name="saved_search_unsubscribe",
    ),
]
