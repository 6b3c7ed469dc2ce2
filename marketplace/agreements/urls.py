from django.urls import path

from marketplace.agreements import views

app_name = "agreements"

urlpatterns = [
    path(
        "contracts/<int:pk>/documents/<slug:kind>.pdf",
        views.document_download,
        name="document",
    ),
]
