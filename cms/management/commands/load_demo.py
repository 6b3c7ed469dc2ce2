from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cms.demo import load_demo_site

DEMO_ADMIN_USERNAME = "admin"
DEMO_ADMIN_PASSWORD = "admin"  # noqa: S105 - the local demo's documented login, DEBUG only


class Command(BaseCommand):
    help = "Load the local demo site (idempotent) and make sure a demo admin user exists."

    def handle(self, *args, **options):
        result = load_demo_site()
        self.stdout.write(f"Demo pages: {result['created']} created.")
        if not settings.DEBUG:
            raise CommandError("The demo admin user is only created with DEBUG on (local demo).")
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(
            username=DEMO_ADMIN_USERNAME,
            defaults={"email": "admin@example.com", "is_staff": True, "is_superuser": True},
        )
        if created:
            user.set_password(DEMO_ADMIN_PASSWORD)
            user.save(update_fields=["password"])
        password = (
            repr(DEMO_ADMIN_PASSWORD)
            if user.check_password(DEMO_ADMIN_PASSWORD)
            else "(changed since; reset with: manage.py changepassword admin)"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Admin: {settings.SITE_URL}/admin/  "
                f"user {DEMO_ADMIN_USERNAME!r}  password {password}"
            )
        )
