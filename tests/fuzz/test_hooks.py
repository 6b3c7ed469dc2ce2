"""The fuzzer's hooks find every number the API reads in its own schema (no live site needed)."""

from types import SimpleNamespace

from drf_spectacular.generators import SchemaGenerator

from tests.fuzz.hooks import EACH, _body_numbers, _parameter_numbers, _put

FACTS = [
    (("personal_info_subjects_ytd",), "integer"),
    (("sensitive_personal_info_subjects_ytd",), "integer"),
]
BUDGETS = [(("budget_min_amount",), "decimal"), (("budget_max_amount",), "decimal")]


def _numbers_by_operation(where: str) -> dict:
    """The numbers the hooks find in each operation of the schema, in the body or parameters."""
    root = SchemaGenerator().get_schema(request=None, public=True)
    found = {}
    for path, operations in root["paths"].items():
        for method, operation in operations.items():
            context = SimpleNamespace(
                operation=SimpleNamespace(
                    definition=SimpleNamespace(raw=operation),
                    schema=SimpleNamespace(raw_schema=root),
                )
            )
            if where == "body":
                numbers = _body_numbers(context)
            else:
                numbers = _parameter_numbers(context, where)
            if numbers:
                found[f"{method.upper()} {path}"] = sorted(numbers)
    return found


def test_the_fuzzer_finds_every_number_in_the_request_bodies():
    assert _numbers_by_operation("body") == {
        "POST /api/v1/rfqs/": sorted(FACTS + BUDGETS),
        "PATCH /api/v1/rfqs/{id}/": sorted(FACTS + BUDGETS),
        "POST /api/v1/rfqs/{id}/quotes/": sorted([
            (("lines", EACH, "quantity"), "decimal"),
            (("lines", EACH, "unit_price"), "decimal"),
            (("lines", EACH, "vat_rate"), "decimal"),
            (("milestones", EACH, "share"), "decimal"),
            (("milestones", EACH, "amount"), "decimal"),
            (("turnaround_days",), "integer"),
        ]),
        "POST /api/v1/screening": sorted(
            [*FACTS, (("single_payment_usd_equivalent",), "decimal")]
        ),
        "POST /api/v1/contracts/{id}/change-orders": [(("milestones", EACH, "amount"), "decimal")],
        "POST /api/v1/reviews": sorted(
            ((name,), "integer")
            for name in ("contract", "overall", "quality", "timeliness", "communication", "value")
        ),
    }  # fmt: skip


def test_the_fuzzer_finds_every_number_in_the_query_strings():
    page = (("page",), "integer")
    rating = (("rating_min",), "decimal")

    assert _numbers_by_operation("query") == {
        "GET /api/v1/search/services": sorted(
            [page, (("price_max",), "decimal"), (("turnaround_max",), "integer"), rating]
        ),
        "GET /api/v1/search/jobs": sorted([page, (("salary_at_least",), "decimal")]),
        "GET /api/v1/search/providers": sorted([page, rating]),
    }


def test_the_fuzzer_finds_every_id_in_the_paths():
    found = _numbers_by_operation("path")

    assert {name for numbers in found.values() for (name,), _kind in numbers} == {
        "id", "item_pk", "milestone_pk", "number", "posting_id",
    }  # fmt: skip
    assert found["POST /api/v1/contracts/{id}/milestones/{milestone_pk}/{action}"] == [
        (("id",), "integer"), (("milestone_pk",), "integer"),
    ]  # fmt: skip


def test_a_boundary_goes_into_every_line_and_a_missing_field_is_added():
    body = {"lines": [{"quantity": "1"}, {"quantity": "2"}], "milestones": []}

    _put(body, ("lines", EACH, "quantity"), "9" * 30)
    _put(body, ("milestones", EACH, "share"), "0")
    _put(body, ("turnaround_days",), 2**63)

    assert body == {
        "lines": [{"quantity": "9" * 30}, {"quantity": "9" * 30}],
        "milestones": [],
        "turnaround_days": 2**63,
    }
