"""Saved searches, written directly (the service's checks are the tests' subject elsewhere)."""

import factory
from django.utils import timezone

from search.models import SavedSearch
from tests.factories.accounts import UserFactory


class SavedSearchFactory(factory.django.DjangoModelFactory):
    """A services search for its own name's words, its alerts on from now."""

    class Meta:
        model = SavedSearch

    owner = factory.SubFactory(UserFactory)
    kind = SavedSearch.Kind.SERVICES
    name = factory.Sequence(lambda n: f"Saved search {n}")
    params = factory.LazyAttribute(lambda saved: {"q": saved.name})
    created_at = factory.LazyFunction(timezone.now)
    alerted_through = factory.LazyAttribute(lambda saved: saved.created_at)
