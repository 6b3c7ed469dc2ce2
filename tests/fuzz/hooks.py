"""Schemathesis hooks and the leak check, loaded by the fuzzing command (``SCHEMATHESIS_HOOKS``).

``FUZZ_TARGETS`` (JSON) names what the fuzz world seeded: ids by kind, provider and organisation
slugs, and the markers only the other buyer's and provider's data holds.

Every number the API reads (integers, and decimals written as text), in a body, a query string or
a path, is often one of the values past what a column holds: 0, -1, 2^31, 2^63, 1e20, 30 digits.
"""

import copy
import json
import os

import schemathesis
from hypothesis import strategies as st

TARGETS: dict = json.loads(os.environ.get("FUZZ_TARGETS", "{}"))
MARKERS: list[str] = TARGETS.get("markers", [])

PATH_KINDS = {"rfqs": "rfq", "quotes": "quote", "contracts": "contract"}
PARAMETER_KINDS = {"item_pk": "item", "milestone_pk": "milestone"}
CAPABILITIES = ["dmpk.in_vitro_adme", "dmpk", "safety.general_toxicology"]
# The numbers at and past the edges of what a column holds: as a JSON number (an integer field
# takes it so) and as text (a decimal field, a query string and a path take it so).
BOUNDARIES = [
    (0, "0"),
    (-1, "-1"),
    (2**31, "2147483648"),
    (2**63, "9223372036854775808"),
    (1e20, "1e20"),
    (int("9" * 30), "9" * 30),
]
EACH = "*"  # in a field's path: every item of a list


def _resolve(schema: dict, root: dict) -> dict:
    """``schema`` with its ``$ref`` followed (``#/components/schemas/...``)."""
    while isinstance(schema, dict) and "$ref" in schema:
        target = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        schema = target
    return schema


def _number_kind(schema: dict) -> str | None:
    """``integer`` for a JSON number, ``decimal`` for a decimal written as text, else None."""
    if schema.get("type") in ("integer", "number"):
        return "integer"
    if schema.get("type") == "string" and schema.get("format") == "decimal":
        return "decimal"
    return None


def _numbers(schema: dict, root: dict, path: tuple = (), depth: int = 0) -> list[tuple]:
    """The numbers an object schema holds, as (path, kind); ``EACH`` in a path for list items."""
    schema = _resolve(schema, root)
    if depth > 4 or not isinstance(schema, dict):
        return []
    if kind := _number_kind(schema):
        return [(path, kind)] if path else []
    if schema.get("type") == "array":
        return _numbers(schema.get("items", {}), root, (*path, EACH), depth + 1)
    return [
        number
        for name, field in (schema.get("properties") or {}).items()
        for number in _numbers(field, root, (*path, name), depth + 1)
    ]


def _operation(context) -> tuple[dict, dict]:
    operation = context.operation
    return operation.definition.raw, operation.schema.raw_schema


def _body_numbers(context) -> list[tuple]:
    definition, root = _operation(context)
    content = (definition.get("requestBody") or {}).get("content") or {}
    schema = (content.get("application/json") or {}).get("schema")
    return _numbers(schema, root) if schema else []


def _parameter_numbers(context, where: str) -> list[tuple]:
    definition, root = _operation(context)
    return [
        ((parameter["name"],), _number_kind(_resolve(parameter.get("schema", {}), root)))
        for parameter in definition.get("parameters", [])
        if parameter.get("in") == where
        and _number_kind(_resolve(parameter.get("schema", {}), root))
    ]


def _put(target, path: tuple, value) -> None:
    """Set ``value`` at ``path`` in ``target`` (in every item where the path says ``EACH``); a
    missing key is added, a list or object that is not there is left alone."""
    head, *rest = path
    if head == EACH and isinstance(target, list) and rest:
        for item in target:
            _put(item, tuple(rest), value)
    elif isinstance(target, dict) and not rest:
        target[head] = value
    elif isinstance(target, dict) and head in target:
        _put(target[head], tuple(rest), value)


def _with_boundaries(values: dict, numbers: list[tuple], *, as_text: bool = False, one_in: int = 2):
    """``values`` as generated or, about one time in ``one_in``, with some of its numbers at the
    boundaries (as text if ``as_text``; otherwise an integer as a JSON number)."""
    if not numbers:
        return st.just(values)
    picks = st.lists(
        st.tuples(st.sampled_from(numbers), st.sampled_from(BOUNDARIES)),
        min_size=1,
        max_size=len(numbers),
    )

    def substituted(chosen) -> dict:
        changed = copy.deepcopy(values)
        for (path, kind), (number, text) in chosen:
            _put(changed, path, text if as_text or kind == "decimal" else number)
        return changed

    return st.integers(1, one_in).flatmap(
        lambda draw: picks.map(substituted) if draw == 1 else st.just(values)
    )


@schemathesis.check
def no_other_organisations_data(ctx, response, case):
    """No answer to the fuzzing callers holds the other buyer's or provider's marker."""
    leaked = [marker for marker in MARKERS if marker in response.text]
    if leaked:
        raise AssertionError(f"The answer holds another organisation's data ({leaked[0]})")


def _sometimes(value, pool: list) -> st.SearchStrategy:
    """The generated value, or one the site really has."""
    return st.one_of(st.just(value), st.sampled_from(pool)) if pool else st.just(value)


@schemathesis.hook
def flatmap_path_parameters(context, path_parameters):
    """Often an id (of either side's deals) the site has, rather than a random one; now and
    then a number past what an id column holds."""
    if not TARGETS or not isinstance(path_parameters, dict) or not path_parameters:
        return st.just(path_parameters)
    top = context.operation.path.removeprefix("/api/v1/").split("/", 1)[0]
    strategies = {}
    for name, value in path_parameters.items():
        kind = PATH_KINDS.get(top) if name == "id" else PARAMETER_KINDS.get(name)
        strategies[name] = _sometimes(value, TARGETS.get(kind, []))
    numbers = _parameter_numbers(context, "path")
    # Seldom: an id past the column is a 404 like any other, and the seeded ids reach further.
    return st.fixed_dictionaries(strategies).flatmap(
        lambda values: _with_boundaries(values, numbers, as_text=True, one_in=5)
    )


@schemathesis.hook
def flatmap_query(context, query):
    """Often a number in the query string (a page, a price, a turnaround) at the boundaries."""
    if not isinstance(query, dict):
        return st.just(query)
    return _with_boundaries(query, _parameter_numbers(context, "query"), as_text=True)


@schemathesis.hook
def flatmap_body(context, body):
    """Now and then, provider slugs, the callers' own organisations' slugs and capability codes
    the site knows, in place of random text; often, numbers at the boundaries."""
    if not isinstance(body, dict):
        return st.just(body)
    numbers = _body_numbers(context)
    if not TARGETS:
        return _with_boundaries(body, numbers)
    providers, organisations = TARGETS["provider_slugs"], TARGETS["organisation_slugs"]
    pools = {
        "invite": [providers[:1], providers],
        "providers": [providers[:1], providers],
        "buyer": organisations,
        "provider": organisations,
        "capability_codes": [CAPABILITIES[:1], CAPABILITIES],
    }
    return st.fixed_dictionaries(
        {name: _sometimes(value, pools.get(name, [])) for name, value in body.items()}
    ).flatmap(lambda values: _with_boundaries(values, numbers))
