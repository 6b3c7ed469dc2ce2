from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from marketplace.ops.backups import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into the configured database and the media "
        "folders, then check the row and file counts against its manifest. Stop the web and "
        "worker processes first."
    )
    # A backup or restore must not wait on the rest of the site being sound (URLs, templates).
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the backup's folder, manifest.json or dump")
        parser.add_argument(
            "--clean",
            action="store_true",
            help="replace what the dump contains in a database that already has tables "
            "(pg_restore --clean --if-exists); without it, only an empty database is accepted",
        )
        parser.add_argument(
            "--reindex",
            action="store_true",
            help="then rebuild every Elasticsearch index from the restored database",
        )

    def handle(self, *args, path: Path, clean: bool, reindex: bool, **options):
        try:
            backup_restore(path=path, clean=clean, report=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS("Restored."))
        if not reindex:
            self.stdout.write(
                "The search indexes still hold what they held before: rebuild them from the "
                "database with `manage.py search_reindex` (or restore with --reindex)."
            )
            return
        self.stdout.write("Rebuilding the search indexes from the database ...")
        try:
            call_command("search_reindex", stdout=self.stdout, stderr=self.stderr)
        except Exception as error:  # noqa: BLE001 - the restore itself is done: say so
            raise CommandError(
                f"The database and files are restored, but rebuilding the search indexes failed "
                f"({type(error).__name__}: {error}). Run `manage.py search_reindex` once "
                "Elasticsearch answers."
            ) from error
