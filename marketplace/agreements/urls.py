from django.urls import path

from marketplace.agreements import views

app_name = "agreements"

urlpatterns = [
    path(
        "contracts/<int:pk>/documents/<slug:kind>.pdf",
        views.document_download,
        name="document",
    ),
    path("contracts/<int:pk>/sign/", views.contract_sign, name="sign"),
    path("contracts/<int:pk>/sign/code/", views.signing_code, name="signing_code"),
]
