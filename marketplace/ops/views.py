from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.ops.selectors import SERVICE_STATES, service_health


class HealthView(APIView):
    """Liveness for load balancers: 200 while the database answers, 503 when it does not."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        responses={
            200: inline_serializer(
                "Health",
                {
                    "database": serializers.ChoiceField(SERVICE_STATES),
                    "search": serializers.ChoiceField(SERVICE_STATES),
                    "broker": serializers.ChoiceField(["ok", "inline", "unavailable"]),
                },
            ),
            503: None,
        }
    )
    def get(self, request: Request) -> Response:
        health = service_health()
        return Response(health, status=200 if health["database"] == "ok" else 503)
