"""Schemathesis hooks and the leak check, loaded by the fuzzing command (``SCHEMATHESIS_HOOKS``).

``FUZZ_TARGETS`` (JSON) names what the fuzz world seeded: ids by kind, provider and organisation
slugs, and the markers only the other buyer's and provider's data holds.
"""

import json
import os

import schemathesis
from hypothesis import strategies as st

TARGETS: dict = json.loads(os.environ.get("FUZZ_TARGETS", "{}"))
MARKERS: list[str] = TARGETS.get("markers", [])

PATH_KINDS = {"rfqs": "rfq", "quotes": "quote", "contracts": "contract"}
PARAMETER_KINDS = {"item_pk": "item", "milestone_pk": "milestone"}
CAPABILITIES = ["dmpk.in_vitro_adme", "dmpk", "safety.general_toxicology"]


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
    """Often an id (of either side's deals) the site has, rather than a random one."""
    if not TARGETS or not isinstance(path_parameters, dict) or not path_parameters:
        return st.just(path_parameters)
    top = context.operation.path.removeprefix("/api/v1/").split("/", 1)[0]
    strategies = {}
    for name, value in path_parameters.items():
        kind = PATH_KINDS.get(top) if name == "id" else PARAMETER_KINDS.get(name)
        strategies[name] = _sometimes(value, TARGETS.get(kind, []))
    return st.fixed_dictionaries(strategies)


@schemathesis.hook
def flatmap_body(context, body):
    """Now and then, provider slugs, the callers' own organisations' slugs and capability codes
    the site knows, in place of random text."""
    if not TARGETS or not isinstance(body, dict):
        return st.just(body)
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
    )
