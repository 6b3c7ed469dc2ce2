"""What the HTML views share: a service's refusal as a page, and its errors on a form."""

from django.core.exceptions import ValidationError
from django.shortcuts import render


def form_errors_add(form, error: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the form: by field where the form has the field."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def refusal_page(request, message: str, back: str, status: int = 409):
    """The page that says why something could not be done (409 for a refused status change)."""
    return render(
        request, "contracting/refused.html", {"message": message, "back": back}, status=status
    )
