import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_models_round_trip_through_postgresql():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        assert cursor.fetchone()[0].startswith("PostgreSQL ")

    created = UserFactory(email="round-trip@example.com", first_name="Round")

    fetched = get_user_model().objects.get(pk=created.pk)
    assert (fetched.email, fetched.first_name) == ("round-trip@example.com", "Round")
    assert fetched.check_password("password")
