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
    path("contracts/<int:pk>/changes/new/", views.change_order_new, name="change_order_new"),
    path(
        "contracts/<int:pk>/changes/<int:number>.pdf",
        views.change_order_download,
        name="change_order_document",
    ),
    path(
        "contracts/<int:pk>/changes/<int:number>/sign/",
        views.change_order_sign_view,
        name="change_order_sign",
    ),
    path(
        "contracts/<int:pk>/changes/<int:number>/withdraw/",
        views.change_order_withdraw_view,
        name="change_order_withdraw",
    ),
]
