import yaml
from django.core.management import call_command


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
    } <= set(paths)
    parameters = {p["name"] for p in paths["/api/v1/search/services"]["get"]["parameters"]}
    assert {"q", "capability", "zone", "standard", "page"} <= parameters
