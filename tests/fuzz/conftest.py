"""API fuzzing: schemathesis against the live site's own OpenAPI schema, as three callers.

The live site is the browser tests' (gunicorn on a copy of the test database, with its own
Celery worker). Into it go a buyer and a provider who trade with each other (the fuzzer signs
in as them) and another buyer and provider whose names and texts carry a marker that no answer
to the fuzzing callers may contain (``seeds.world``). Schemathesis runs once per caller, the
three at once, each in its own process; ``hooks`` steers some generated ids and slugs at the
seeded objects of both sides, puts numbers at and past the edges of their columns (0, -1, 2^31,
2^63, 1e20, 30 digits) and holds the leak check. The schema declares each integer's bounds, so
the coverage phase (``make fuzz``) tries them too.

``FUZZ_MAX_EXAMPLES`` (examples per operation) and ``FUZZ_PHASES`` size a run (``make fuzz``
raises both); ``FUZZ_SEED`` replays one. Each caller's output and JSON report are written to
``var/fuzz/<test database>/`` (``st replay <case id>`` there replays a failing case).
"""

import json
import os
import secrets
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import site_python

ROOT = Path(__file__).resolve().parent.parent.parent
REPORTS = ROOT / "var" / "fuzz"
ACTORS = ("anonymous", "buyer", "provider")
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "15"))
PHASES = os.environ.get("FUZZ_PHASES", "examples,fuzzing")
SEED = os.environ.get("FUZZ_SEED")
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "no_other_organisations_data",  # tests/fuzz/hooks.py
)
# Each caller's JSON report, once its run is over, for the summary at the end.
REPORTED: dict[str, dict] = {}


@pytest.fixture(scope="session")
def fuzz_world(live_site):
    world = json.loads(site_python("from tests.fuzz.seeds import world; world()"))
    # The leak check is worth something only if the marker reaches the other side's answers.
    request = urllib.request.Request(
        f"{live_site}/api/v1/rfqs/",
        headers={"Cookie": f"{world['session_cookie']}={world['other_buyer']['session']}"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert world["marker"] in answer.read().decode()
    return world


def _targets(world: dict) -> dict:
    """What ``hooks`` aims at: both sides' ids by kind, slugs, and the marker."""
    kinds = world["own"].keys()
    return {
        **{kind: world["own"][kind] + world["others"][kind] for kind in kinds},
        "provider_slugs": world["provider_slugs"],
        "organisation_slugs": [world["buyer"]["slug"], world["provider"]["slug"]],
        "markers": [world["marker"]],
    }


@dataclass
class FuzzRun:
    actor: str
    process: subprocess.Popen
    output: Path
    report: Path

    def finish(self) -> dict:
        """Wait for the run; its JSON report."""
        self.process.wait()
        if not self.report.exists() or not self.report.stat().st_size:
            raise AssertionError(f"schemathesis stopped early:\n{self.output.read_text()[-5000:]}")
        with self.report.open() as report:
            return json.load(report)

    def failures(self, limit: int = 20000) -> str:
        """The failures part of its output (where schemathesis says how to reproduce each)."""
        text = self.output.read_text()
        start = text.find(" FAILURES ")
        text = text[text.rfind("\n", 0, start) + 1 :] if start > -1 else text
        return text if len(text) <= limit else f"{text[:limit]}\n[... see {self.output}]"


def _command(base_url: str, actor: str, world: dict, report: Path) -> list[str]:
    """schemathesis run as ``actor``: signed in by its session cookie, with the CSRF cookie, the
    matching header and the Origin that Django asks of unsafe requests."""
    token = secrets.token_hex(16)
    cookies = [f"{world['csrf_cookie']}={token}"]
    if actor != "anonymous":
        cookies.append(f"{world['session_cookie']}={world[actor]['session']}")
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", f"{base_url}/api/v1/schema/",
        "--header", f"Cookie: {'; '.join(cookies)}",
        "--header", f"X-CSRFToken: {token}",
        "--header", f"Origin: {base_url}",
        # The callers sign in through the cookie above, not through generated ones.
        "--generation-with-security-parameters", "false",
        "--generation-database", "none",
        "--suppress-health-check", "all",
        "--max-examples", str(MAX_EXAMPLES),
        "--phases", PHASES,
        "--checks", ",".join(CHECKS),
        # One worker: Python 3.11's parser is not thread-safe enough for Hypothesis' threads.
        "--workers", "1",
        "--report", "json", "--report-json-path", str(report),
        "--no-color",
    ]  # fmt: skip
    if SEED is not None:
        command += ["--seed", SEED]
    return command


@pytest.fixture(scope="session")
def fuzz_runs(live_site, fuzz_world):
    """The three callers' runs, started together; by caller."""
    folder = REPORTS / connection.settings_dict["NAME"]
    folder.mkdir(parents=True, exist_ok=True)
    # Run from that folder, where schemathesis and Hypothesis keep their caches.
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "SCHEMATHESIS_HOOKS": "tests.fuzz.hooks",
        "FUZZ_TARGETS": json.dumps(_targets(fuzz_world)),
    }
    runs = {}
    for actor in ACTORS:
        output, report = folder / f"{actor}.txt", folder / f"{actor}.json"
        report.unlink(missing_ok=True)
        with output.open("wb") as log:
            process = subprocess.Popen(
                _command(live_site, actor, fuzz_world, report),
                cwd=folder, env=environment, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        runs[actor] = FuzzRun(actor, process, output, report)
    yield runs
    for run in runs.values():
        if run.process.poll() is None:
            run.process.kill()
            run.process.wait()


def pytest_terminal_summary(terminalreporter):
    if not REPORTED:
        return
    write = terminalreporter.write_line
    terminalreporter.section("API fuzzing")
    cases = sum(report["test_cases"]["generated"] for report in REPORTED.values())
    write(
        f"{cases} cases: {MAX_EXAMPLES} examples an operation (FUZZ_MAX_EXAMPLES), phases "
        f"{PHASES} (FUZZ_PHASES)"
    )
    write(f"output and JSON reports: {REPORTS.relative_to(ROOT)}/<test database>/<caller>.*")
    for actor, report in REPORTED.items():
        counts = report["test_cases"]
        failures = ", ".join(
            f"{failure['code']} {failure['title']} x{failure['count']}"
            for failure in report["failures"]
        )
        write(
            f"  {actor:<10} {counts['generated']:>6} cases on {report['operations']['tested']} "
            f"operations in {report['running_time']:.0f} s, {counts['with_failures']} failing"
            f"{': ' + failures if failures else ''}; seed {report['seed']} (FUZZ_SEED)"
        )
