"""The OpenAPI schema: which endpoints it documents, and the error answers
(``marketplace.api.errors``) every operation documents beside its own. The view serving it is in
``marketplace.api.views`` (this module is DRF's default schema class: it must not import views)."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from marketplace.ratelimit import rules


def public_endpoints_only(endpoints, **kwargs):
    """drf-spectacular preprocessing hook: document /api/v1/ only, not Wagtail's admin API."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ConflictSerializer(serializers.Serializer):
    """A refused status change: why, and (when it is the status) which ones would allow it."""

    detail = serializers.CharField()
    status = serializers.CharField(required=False, help_text="the status that refused it")
    allowed_from = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="statuses that would allow it"
    )
    findings = serializers.ListField(
        child=serializers.DictField(), required=False, help_text="compliance findings blocking it"
    )


INVALID = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="Messages by field (a list each; nested for lists of objects); `detail` for the "
    "request as a whole",
)
FORBIDDEN = OpenApiResponse(
    ErrorSerializer, description="Not signed in, or not allowed to do this for your organisation"
)
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such object among those you may see")
CONFLICT = OpenApiResponse(ConflictSerializer, description="Its status does not allow this")
URI_TOO_LONG = OpenApiResponse(description="The query string is longer than the server takes")
TOO_MANY = OpenApiResponse(
    ErrorSerializer, description="Over the rate limit: wait the seconds in `Retry-After`"
)


class ApiSchema(AutoSchema):
    """Adds the error answers an operation can give to those its view declares: 400 where it
    reads input, 403 where one must sign in, 404 where the path names an object, 414 where a
    query string can outgrow the server's request line, 429 where a rate limit applies."""

    def _get_response_bodies(self, direction="response"):
        # Where drf-spectacular assembles the answers: @extend_schema(responses=...) replaces
        # get_response_serializers, so additions made there would be lost.
        responses = super()._get_response_bodies(direction)
        for code, response in self.error_responses().items():
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    response, str(code), direction=direction
                )
        return dict(sorted(responses.items()))

    def error_responses(self) -> dict[int, OpenApiResponse]:
        errors = {}
        reads_query = self.method == "GET" and bool(self.get_override_parameters())
        if self.method in ("POST", "PUT", "PATCH") or reads_query:
            errors[400] = INVALID
        # The view's permissions for this operation's method (a view may open reading to anyone).
        if not all(isinstance(permission, AllowAny) for permission in self.view.get_permissions()):
            errors[403] = FORBIDDEN
        if "{" in self.path:
            errors[404] = NOT_FOUND
        if reads_query:
            errors[414] = URI_TOO_LONG
        if any(rule.methods & {self.method} and rule.path.match(self.path) for rule in rules()):
            errors[429] = TOO_MANY
        return errors
