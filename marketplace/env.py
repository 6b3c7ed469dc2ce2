"""The one place the environment is read.

Settings modules call these helpers; nothing else in the project touches ``os.environ``.
Every variable read is recorded in ``VARIABLES`` with its default and purpose, and a test
checks that the README lists each one.
"""

import os
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class Variable:
    name: str
    default: str
    help: str


VARIABLES: dict[str, Variable] = {}


def _read(name: str, default: str, help: str) -> str:
    VARIABLES.setdefault(name, Variable(name=name, default=default, help=help))
    return os.environ.get(name, default)


def string(name: str, *, default: str = "", help: str) -> str:
    """Return the variable as text, or ``default`` when it is unset."""
    return _read(name, default, help)


def boolean(name: str, *, default: bool, help: str) -> bool:
    """Return the variable as a boolean (1/0, true/false, yes/no, on/off)."""
    raw = _read(name, "true" if default else "false", help).strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def integer(name: str, *, default: int, help: str) -> int:
    """Return the variable as a whole number."""
    raw = _read(name, str(default), help).strip()
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def strings(name: str, *, default: str, help: str) -> list[str]:
    """Return a comma-separated variable as a list, without blanks."""
    return [item.strip() for item in _read(name, default, help).split(",") if item.strip()]


def is_set(name: str) -> bool:
    """Whether the variable is present in the environment at all."""
    return name in os.environ
