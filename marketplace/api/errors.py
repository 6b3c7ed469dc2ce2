"""One shape for API errors: 400 with messages by field, 403, 404, and 409 for a refused
status change (with the reason and what would have allowed it)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.urls import resolve
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from marketplace.transitions import InvalidTransition


def api_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, InvalidTransition):
        return Response({"detail": exc.message, **exc.details}, status=409)
    return exception_handler(exc, context)


@csrf_exempt
def not_found(request):
    """Any other path under the API: a JSON 404 like the API's own (not the site's HTML page),
    or, as ``APPEND_SLASH`` would, a redirect to the same path with a slash if that exists."""
    with_slash = f"{request.path_info}/"
    if settings.APPEND_SLASH and resolve(with_slash).func is not not_found:
        return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
    return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=404)
