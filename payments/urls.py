from django.urls import path

from payments import views

app_name = "payments"
urlpatterns = [
    path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
    path("milestones/<int:milestone_pk>/pay/", views.milestone_pay, name="milestone_pay"),
    path("payouts/", views.payouts, name="payouts"),
    path("<int:payment_pk>/", views.payment_page, name="payment"),
    path("<int:payment_pk>/test-pay/", views.local_test_pay, name="local_test_pay"),
    path("<int:payment_pk>/return/", views.payment_return, name="payment_return"),
]
