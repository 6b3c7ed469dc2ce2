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
    } <= set(paths)
    parameters = {p["name"] for p in paths["/api/v1/search/services"]["get"]["parameters"]}
    assert {"q", "capability", "zone", "standard", "page"} <= parameters
