"""What the HTML views share: a service's refusal as a page, and its errors on a form."""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from marketplace.transitions import InvalidTransition

# How a service names a field of one item of a list it was given: ``lines[2].quantity``.
ITEM_FIELD = re.compile(r"^(?P<items>\w+)\[(?P<index>\d+)\]\.(?P<field>\w+)$")


def form_errors_add(form, error: ValidationError, *, formsets: dict | None = None) -> None:
    """Put a service's ``ValidationError`` on the form: by field where the form has the field.

    ``formsets`` maps a list the service was given to its formset and, for each item, the index
    of the form it came from (blank extra forms are not given): ``{"lines": (formset, [0, 2])}``
    puts ``lines[1].quantity`` on the quantity field of the formset's third form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, messages in error.message_dict.items():
        target, field = form, key
        item = ITEM_FIELD.match(key)
        if item and item["items"] in (formsets or {}):
            formset, positions = formsets[item["items"]]
            index = int(item["index"])
            if index < len(positions):
                target, field = formset.forms[positions[index]], item["field"]
        target.add_error(field if field in target.fields else None, messages)


def refusal_page(request, message: str, back: str, status: int = 409):
    """The page that says why something could not be done (409 for a refused status change)."""
    return render(
        request, "contracting/refused.html", {"message": message, "back": back}, status=status
    )


def run_service(request, action, back: str):
    """Call a service for a POSTed action: ``(result, None)``, or ``(None, a page saying why)``
    when it refuses (409 status, 400 input, 403 permission), nothing written."""
    try:
        with transaction.atomic():
            result = action()
    except InvalidTransition as error:
        return None, refusal_page(request, error.message, back)
    except ValidationError as error:
        return None, refusal_page(request, " ".join(error.messages), back, status=400)
    except PermissionDenied as error:
        return None, refusal_page(
            request, str(error) or _("You may not do this."), back, status=403
        )
    return result, None


def next_or(request, default: str) -> str:
    """The ``next`` page (of the query, or of the form posted) if it is on this site (https kept
    over https), else ``default``."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
