"""factory_boy factories for the project's models, shared by every test module."""

from tests.factories.accounts import UserFactory

__all__ = ["UserFactory"]
