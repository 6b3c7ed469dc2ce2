import sys

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from cms.demo import load_demo_deal, load_demo_site
from cms.services import platform_moderator_add

DEMO_ADMIN_EMAIL = "admin@example.com"
DEMO_ADMIN_PASSWORD = "admin"  # noqa: S105 - the local demo's documented login, DEBUG only


class Command(BaseCommand):
    help = "Load the local demo site and its providers (idempotent) and a demo admin account."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("The demo is for the local site only (DEBUG on).")
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
                f" edits its provider's pages at {settings.SITE_URL}/admin/)"
            )
        )
