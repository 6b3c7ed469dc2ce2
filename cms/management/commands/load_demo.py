import logging
import sys

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from tqdm import tqdm

from cms.demo import (
    DEMO_BUYER,
    DEMO_CRO,
    DEMO_GRADUATE,
    load_demo_deal,
    load_demo_site,
    load_demo_verifications,
)
from cms.services import platform_moderator_add

DEMO_ADMIN_EMAIL = "admin@example.com"
DEMO_ADMIN_PASSWORD = "admin"  # noqa: S105 - the local demo's documented login, DEBUG only
# Loading the demo runs its deal's notifications inline: their emails and the task log lines are
# not for the newcomer's terminal.
# (kombu warns that the empty broker URL means localhost, though tasks run inline here; without
# Elasticsearch each page's index update waits in the outbox, and search_reindex says so once.)
QUIET_LOGGERS = {
    "celery": logging.WARNING,
    "stripe": logging.WARNING,
    "kombu": logging.ERROR,
    "marketplace.ops": logging.ERROR,
}


class Command(BaseCommand):
    help = "Load the local demo site and its providers (idempotent) and a demo admin account."

    def add_arguments(self, parser):
        parser.add_argument(
            "--logins",
            action="store_true",
            help="Only print where the site is and the demo logins (loads nothing).",
        )

    def handle(self, *args, logins: bool = False, **options):
        if not settings.DEBUG:
            raise CommandError("The demo is for the local site only (DEBUG on).")
        if logins:
            return self._logins_print()
        for name, level in QUIET_LOGGERS.items():
            logging.getLogger(name).setLevel(level)
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            self._load()

    def _logins_print(self) -> None:
        site = settings.SITE_URL
        self.stdout.write(self.style.SUCCESS(f"The demo site: {site}/"))
        self.stdout.write(f"  admin  {DEMO_ADMIN_EMAIL} / {DEMO_ADMIN_PASSWORD}  ({site}/admin/)")
        self.stdout.write(f"  buyer  {DEMO_BUYER[0]} / {DEMO_BUYER[1]}  ({site}/deals/)")
        self.stdout.write(
            f"  CRO    {DEMO_CRO[0]} / {DEMO_CRO[1]}  ({site}/deals/, its pages at {site}/admin/)"
        )
        self.stdout.write(
            f"  graduate  {DEMO_GRADUATE[0]} / {DEMO_GRADUATE[1]}  ({site}/applications/, jobs at "
            f"{site}/jobs/)"
        )

    def _load(self) -> None:
        report = load_demo_site(
            progress=lambda records: tqdm(records, desc="demo providers", file=sys.stderr)
        )
        for problem in report.problems:
            self.stderr.write(self.style.ERROR(f"rejected {problem}"))
        self.stdout.write(
            f"Demo providers: {report.created} created, {report.updated} updated, "
            f"{report.rejected} rejected; {len(report.drafts)} listing(s) kept as drafts."
        )
        user_model = get_user_model()
        user = user_model.objects.filter(email=DEMO_ADMIN_EMAIL).first()
        if user is None:
            user = user_model.objects.create_superuser(
                email=DEMO_ADMIN_EMAIL, password=DEMO_ADMIN_PASSWORD
            )
            platform_moderator_add(user=user)
            EmailAddress.objects.get_or_create(
                user=user, email=DEMO_ADMIN_EMAIL, defaults={"verified": True, "primary": True}
            )
        checked = load_demo_verifications(by=user)
        if checked:
            self.stdout.write(f"Certifications verified by the platform: {checked}.")
        password = (
            repr(DEMO_ADMIN_PASSWORD)
            if user.check_password(DEMO_ADMIN_PASSWORD)
            else "(changed since; reset with: manage.py changepassword admin@example.com)"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Admin: {settings.SITE_URL}/admin/  email {DEMO_ADMIN_EMAIL}  password {password}"
            )
        )
        logins = load_demo_deal()
        self.stdout.write(
            self.style.SUCCESS(
                "Demo deal: "
                + "; ".join(f"{email} / {password!r}" for email, password in logins.items())
                + f" (sign in at {settings.SITE_URL}/accounts/login/, then Deals; the CRO also"
                f" edits its provider's pages at {settings.SITE_URL}/admin/; the graduate finds"
                f" jobs at {settings.SITE_URL}/jobs/)"
            )
        )
