import threading
import time
from concurrent.futures import ThreadPoolExecutor

import yaml
from django.core.management import call_command
from django.test import Client
from drf_spectacular.generators import SchemaGenerator


def test_the_openapi_schema_is_valid_and_documents_the_search_endpoints(tmp_path):
    schema_file = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(schema_file))

    paths = yaml.safe_load(schema_file.read_text())["paths"]
    assert {
        "/api/v1/search/services",
        "/api/v1/search/jobs",
        "/api/v1/search/providers",
        "/api/v1/health/",
        "/api/v1/rfqs/",
        "/api/v1/rfqs/{id}/quotes/",
        "/api/v1/quotes/{id}/accept",
        "/api/v1/contracts/{id}/",
        "/api/v1/screening",
        "/api/v1/providers/{slug}/reviews",
        "/api/v1/providers/{slug}/track-record",
        "/api/v1/reviews",
        "/api/v1/reviews/{id}/reply",
        "/api/v1/reviews/{id}/hide",
        "/api/v1/providers/{slug}/certifications",
        "/api/v1/certifications/{id}/verifications",
        "/api/v1/concern-lists",
        "/api/v1/concern-lists/{id}",
        "/api/v1/contracts/{id}/documents",
        "/api/v1/contracts/{id}/billing",
        "/api/v1/contracts/{id}/sign",
        "/api/v1/contracts/{id}/sign/code",
        "/api/v1/notifications",
        "/api/v1/notifications/{id}/read",
        "/api/v1/notification-preferences",
    } <= set(paths)
    parameters = {p["name"] for p in paths["/api/v1/search/services"]["get"]["parameters"]}
    assert {"q", "capability", "zone", "standard", "page"} <= parameters


def test_every_operation_documents_the_error_answers_it_can_give():
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]

    for path, operations in paths.items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            signed_in_only = {} not in operation["security"]
            reads_query = any(p["in"] == "query" for p in operation.get("parameters", []))
            assert ("403" in codes) == signed_in_only, (method, path)
            assert ("404" in codes) == ("{" in path), (method, path)
            takes_no_input = method in ("get", "delete") and not reads_query
            assert "400" in codes or takes_no_input, (method, path)
            assert ("414" in codes) == (method == "get" and reads_query), (method, path)


def test_the_milestone_action_is_due_or_accept_on_integer_ids():
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]

    operation = paths["/api/v1/contracts/{id}/milestones/{milestone_pk}/{action}"]["post"]

    assert {p["name"]: p["schema"] for p in operation["parameters"]} == {
        "id": {"type": "integer"},
        "milestone_pk": {"type": "integer"},
        "action": {"type": "string", "enum": ["accept", "due"]},
    }


def test_the_schema_is_generated_for_one_request_at_a_time(monkeypatch):
    # drf-spectacular loads its extensions lazily, sharing them between threads: concurrent
    # first requests to a fresh server process answered 500.
    generate = SchemaGenerator.get_schema
    running, most = [], []
    counter = threading.Lock()

    def generate_slowly(self, *args, **kwargs):
        with counter:
            running.append(1)
            most.append(len(running))
        time.sleep(0.05)
        try:
            return generate(self, *args, **kwargs)
        finally:
            with counter:
                running.pop()

    monkeypatch.setattr(SchemaGenerator, "get_schema", generate_slowly)
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda _: Client().get("/api/v1/schema/"), range(4)))

    assert [answer.status_code for answer in answers] == [200] * 4
    assert max(most) == 1
