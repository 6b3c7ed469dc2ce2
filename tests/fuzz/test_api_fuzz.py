"""Every operation of /api/v1/, fuzzed from its own OpenAPI schema on the live site, as an
anonymous caller, a buyer and a provider: no server error, every answer documented (status,
content type, body), and nothing of another organisation's in any answer."""

import pytest

from tests.fuzz.conftest import ACTORS, REPORTED

# The database marker makes pytest-django create the test database the live site copies.
pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]


@pytest.mark.parametrize("actor", ACTORS)
def test_the_api_answers_each_caller_as_documented_and_with_its_own_data_only(fuzz_runs, actor):
    run = fuzz_runs[actor]
    report = run.finish()
    REPORTED[actor] = report

    rate_limited = report["warnings"]["rate_limited"]
    assert not rate_limited, f"The live site answered 429 to the fuzzer: {rate_limited}"
    assert report["exit_code"] == 0, run.failures()
