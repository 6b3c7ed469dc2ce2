from django.urls import path

from marketplace.billing import views

app_name = "billing"

urlpatterns = [
    path(
        "contracts/<int:pk>/billing/<int:document_pk>.pdf",
        views.billing_download,
        name="document",
    ),
]
