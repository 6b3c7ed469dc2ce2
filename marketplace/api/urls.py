from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from marketplace.ops.views import HealthView

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("health/", HealthView.as_view(), name="health"),
]
