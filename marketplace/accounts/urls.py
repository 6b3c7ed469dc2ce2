from django.urls import path

from marketplace.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation"),
    path(
        "organisations/<slug:slug>/ownership/",
        views.organisation_ownership,
        name="organisation_ownership",
    ),
    path(
        "organisations/<slug:slug>/members/<int:membership_id>/remove/",
        views.membership_remove,
        name="membership_remove",
    ),
    path(
        "organisations/<slug:slug>/members/<int:membership_id>/role/",
        views.membership_role_change,
        name="membership_role",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation"),
]
