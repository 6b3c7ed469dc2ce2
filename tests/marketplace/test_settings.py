import os
import re
import subprocess
import sys
from pathlib import Path

from marketplace import env

ROOT = Path(__file__).resolve().parent.parent.parent
PRODUCTION_ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "marketplace.settings.production",
    "SECRET_KEY": "p" * 30 + "roduction-secret-key-for-the-settings-test-only-0123456789",
    "DATABASE_URL": "postgres://marketplace:marketplace@127.0.0.1:5432/marketplace",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/2",
    "CACHE_URL": "redis://127.0.0.1:6379/3",
    "ALLOWED_HOSTS": "marketplace.example.com",
    "SITE_URL": "https://marketplace.example.com",
    "EMAIL_HOST": "smtp.example.com",
    "STRIPE_SECRET_KEY": "sk_test_settings_test_only",
    "STRIPE_PUBLISHABLE_KEY": "pk_test_settings_test_only",
    "STRIPE_WEBHOOK_SECRET": "whsec_settings_test_only",
    "DEBUG": "false",
}


def run_manage(*args: str, environment: dict[str, str]) -> subprocess.CompletedProcess:
    # Only what a deployment would have: none of the project's variables, no test-only switches.
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in env.VARIABLES and key != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_real_secret_key():
    environment = {**PRODUCTION_ENVIRONMENT}
    del environment["SECRET_KEY"]

    result = run_manage("check", environment=environment)

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_stripe_keys_rather_than_offer_test_payments():
    environment = {**PRODUCTION_ENVIRONMENT}
    del environment["STRIPE_SECRET_KEY"], environment["STRIPE_WEBHOOK_SECRET"]

    result = run_manage("check", environment=environment)

    assert result.returncode != 0
    assert "STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET must be set in production" in result.stderr


def test_production_never_offers_the_local_test_payment_page():
    environment = {**PRODUCTION_ENVIRONMENT, "STRIPE_API_BASE": "http://127.0.0.1:8420"}
    code = (
        "import django; django.setup(); from payments.stripe_client import is_local_test_mode; "
        "print(is_local_test_mode())"
    )

    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**{k: v for k, v in os.environ.items() if k not in env.VARIABLES}, **environment},
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_production_refuses_sqlite():
    result = run_manage(
        "check", environment={**PRODUCTION_ENVIRONMENT, "DATABASE_URL": "sqlite:///x.sqlite3"}
    )

    assert result.returncode != 0
    assert "Production runs on PostgreSQL" in result.stderr


def test_production_refuses_to_start_without_a_mail_server():
    environment = {**PRODUCTION_ENVIRONMENT}
    del environment["EMAIL_HOST"]

    result = run_manage("check", environment=environment)

    assert result.returncode != 0
    assert "EMAIL_HOST must name an SMTP server" in result.stderr


def test_production_refuses_a_cache_of_its_own_per_process():
    environment = {**PRODUCTION_ENVIRONMENT}
    del environment["CACHE_URL"]

    result = run_manage("check", environment=environment)

    assert result.returncode != 0
    assert "CACHE_URL must point at Redis" in result.stderr


def test_production_settings_pass_the_deployment_checklist():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", environment=PRODUCTION_ENVIRONMENT
    )

    assert result.returncode == 0, result.stderr


def test_readme_documents_every_environment_variable_the_settings_read():
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", readme, flags=re.MULTILINE))

    assert set(env.VARIABLES) <= documented
    assert {"DATABASE_URL", "ELASTICSEARCH_URL", "CELERY_BROKER_URL", "SECRET_KEY"} <= documented
