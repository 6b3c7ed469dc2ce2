import pytest

pytestmark = pytest.mark.django_db


def test_health_reports_database_and_search_up_with_the_services_running(client):
    response = client.get("/api/v1/health/")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "search": "ok", "broker": "inline"}


def test_health_stays_200_and_says_search_is_unavailable_when_elasticsearch_is_down(
    client, elasticsearch_unreachable
):
    response = client.get("/api/v1/health/")

    assert response.status_code == 200
    assert response.json()["search"] == "unavailable"
