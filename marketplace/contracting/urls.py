from django.urls import path

from marketplace.contracting import views

app_name = "deals"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("rfqs/new/", views.rfq_create, name="rfq_create"),
    path("rfqs/<int:pk>/", views.rfq_detail, name="rfq"),
    path("rfqs/<int:pk>/quote/", views.quote_form, name="quote_form"),
    path("rfqs/<int:pk>/compare/", views.quote_compare, name="compare"),
    path("rfqs/<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path(
        "rfqs/<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment",
    ),
    path("rfqs/<int:pk>/messages/<slug:provider_slug>/", views.thread, name="thread"),
    path(
        "rfqs/<int:pk>/messages/<slug:provider_slug>/<int:message_pk>/file/",
        views.message_file,
        name="message_file",
    ),
    path("rfqs/<int:pk>/<slug:action>/", views.rfq_action, name="rfq_action"),
    path("quotes/<int:pk>/", views.quote_detail, name="quote"),
    path("quotes/<int:pk>/<slug:action>/", views.quote_action, name="quote_action"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract"),
    path("contracts/<int:pk>/<slug:action>/", views.contract_action, name="contract_action"),
    path(
        "contracts/<int:pk>/checklist/<int:item_pk>/",
        views.checklist_complete,
        name="checklist_complete",
    ),
    path(
        "contracts/<int:pk>/milestones/<int:milestone_pk>/<slug:action>/",
        views.milestone_action,
        name="milestone_action",
    ),
]
