"""What a number column holds, read from the model field itself: services refuse a number its
column cannot store with a message on the field (PostgreSQL would refuse it with a DataError, a
500), and forms and serializers bound their fields by the same numbers.

The integer bounds are Django's portable ones (a PositiveIntegerField holds 0 to 2,147,483,647),
not the backend's: the local SQLite site, which would store more, refuses what PostgreSQL would.
"""

from decimal import Decimal

from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def _field(model: type[models.Model], name: str) -> models.Field:
    return model._meta.get_field(name)


def column_range(model: type[models.Model], name: str) -> tuple[int, int] | tuple[Decimal, Decimal]:
    """The smallest and the largest value the column of ``model``'s field ``name`` holds:
    0 and 2147483647 for a PositiveIntegerField, ±999999999999.99 for a DecimalField(14, 2)."""
    field = _field(model, name)
    if isinstance(field, models.DecimalField):
        places = field.decimal_places
        largest = Decimal(10) ** (field.max_digits - places) - Decimal(1).scaleb(-places)
        return -largest, largest
    return BaseDatabaseOperations.integer_field_ranges[field.get_internal_type()]


def column_error(model: type[models.Model], name: str, value: int | Decimal) -> str | None:
    """Why ``value`` does not fit the column of ``model``'s field ``name`` (too large, too
    small, or more decimal places than it keeps), or None if it fits."""
    smallest, largest = column_range(model, name)
    if value > largest:
        return _("At most %(largest)s.") % {"largest": f"{largest:,}"}
    if value < smallest:
        return _("At least %(smallest)s.") % {"smallest": f"{smallest:,}"}
    field = _field(model, name)
    if isinstance(field, models.DecimalField):
        places = field.decimal_places
        # Safe to quantize: the value is within the column's digits, far below Decimal's 28.
        if value != Decimal(value).quantize(Decimal(1).scaleb(-places)):
            return ngettext(
                "At most %(places)d decimal place.", "At most %(places)d decimal places.", places
            ) % {"places": places}
    return None
