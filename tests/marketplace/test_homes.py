"""One home per rule (issue 16): who may act, what happened, and refused transitions are each
defined once and imported from there by every app, never written again."""

import ast
import importlib
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from marketplace.accounts import permissions
from marketplace.accounts.models import Membership, Role
from marketplace.jobs.services import InvalidMove, application_create, application_move
from marketplace.transitions import DealBlocked, InvalidTransition
from tests.factories import UserFactory
from tests.jobs.test_applications import candidate, posting_with_employer

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_each_shared_rule_has_one_importable_home():
    homes = {
        "marketplace.accounts.permissions": (
            "require_member", "require_owner", "ACTING_ROLES", "is_platform_staff",
            "PLATFORM_MODERATORS",
        ),
        "marketplace.contracting.audit": ("audit", "export_audit", "transition"),
        "marketplace.jobs.services": ("application_event",),
        "marketplace.transitions": ("InvalidTransition", "DealBlocked", "refusal"),
    }  # fmt: skip
    for module_name, names in homes.items():
        module = importlib.import_module(module_name)
        assert [name for name in names if not hasattr(module, name)] == []
    assert issubclass(DealBlocked, InvalidTransition)
    assert permissions.ACTING_ROLES == (Role.OWNER, Role.EDITOR)


def test_payments_and_jobs_import_the_homes():
    payments = imported_modules(ROOT / "payments" / "services.py")
    jobs = imported_modules(ROOT / "marketplace" / "jobs" / "services.py")
    assert {"marketplace.accounts.permissions", "marketplace.contracting.audit"} <= payments
    assert {"marketplace.accounts.permissions", "marketplace.transitions"} <= jobs


def test_rules_are_not_defined_again_outside_their_home():
    home_of = {
        "InvalidTransition": "marketplace/transitions.py",
        "DealBlocked": "marketplace/transitions.py",
        "require_member": "marketplace/accounts/permissions.py",
        "require_owner": "marketplace/accounts/permissions.py",
        "_require_owner": None,
        "is_platform_staff": "marketplace/accounts/permissions.py",
        "audit": "marketplace/contracting/audit.py",
        "export_audit": "marketplace/contracting/audit.py",
        "transition": "marketplace/contracting/audit.py",
        "application_event": "marketplace/jobs/services.py",
    }
    defined_elsewhere, moderators_named_in = [], []
    for top in ("marketplace", "cms", "payments", "search"):
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            relative = str(path.relative_to(ROOT))
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name in home_of:
                    if relative != home_of[node.name]:
                        defined_elsewhere.append(f"{relative}: {node.name}")
                elif isinstance(node, ast.Assign) and any(
                    isinstance(target, ast.Name) and target.id == "PLATFORM_MODERATORS"
                    for target in node.targets
                ):
                    moderators_named_in.append(relative)
    assert defined_elsewhere == []
    assert moderators_named_in == ["marketplace/accounts/permissions.py"]


@pytest.mark.django_db
def test_a_refused_job_move_is_an_invalid_transition_and_goes_through_the_homes():
    posting, employer_user = posting_with_employer()
    application = application_create(posting=posting, candidate=candidate(), cover_note="Hello")

    with pytest.raises(InvalidTransition, match="cannot move to interview") as refused:
        application_move(application=application, to="interview", by=employer_user)
    assert isinstance(refused.value, InvalidMove)
    assert (refused.value.message, refused.value.details) == (str(refused.value), {})
    viewer = UserFactory(email_verified=True)
    Membership.objects.create(user=viewer, organisation=application.employer, role=Role.VIEWER)
    with pytest.raises(PermissionDenied, match="Only the employer's owners and editors"):
        application_move(application=application, to="screening", by=viewer)
    application_move(application=application, to="screening", by=employer_user, note="Good CV")
    assert list(application.events.values_list("from_status", "to_status", "note")) == [
        ("", "new", ""),
        ("new", "screening", "Good CV"),
    ]
