from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from marketplace.ops.backups import BackupError, backup_create, default_backup_root


class Command(BaseCommand):
    help = (
        "Back up the PostgreSQL database (pg_dump, custom format) and the uploaded files "
        "(MEDIA_ROOT and PRIVATE_MEDIA_ROOT) into one timestamped folder with a manifest of "
        "row and file counts. Restore it with `manage.py restore`."
    )
    # A backup or restore must not wait on the rest of the site being sound (URLs, templates).
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--to",
            type=Path,
            default=None,
            help="the folder the backup folder is written into (default: var/backups/)",
        )

    def handle(self, *args, to: Path | None, **options):
        try:
            manifest = backup_create(
                destination=to or default_backup_root(), report=self.stdout.write
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Backup written to {manifest.parent}"))
