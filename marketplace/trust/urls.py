from django.urls import path

from marketplace.trust import views

app_name = "trust"

urlpatterns = [
    path("contracts/<int:contract_pk>/", views.review_create, name="review_create"),
    path("<int:pk>/reply/", views.review_reply, name="review_reply"),
    path("<int:pk>/hide/", views.review_hide, name="review_hide"),
]
