from django.core.management.base import BaseCommand, CommandError

from marketplace.catalog.services import CatalogDataError, catalog_load


class Command(BaseCommand):
    help = (
        "Load zones and the capability taxonomy from marketplace/catalog/data/*.yaml. "
        "Idempotent: creates what is missing; --overwrite also resets existing rows to the files."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--overwrite", action="store_true", help="replace staff edits with the files' values"
        )

    def handle(self, *args, overwrite: bool, **options):
        try:
            counts = catalog_load(overwrite=overwrite)
        except CatalogDataError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                "Zones: {zones_created} created, {zones_updated} updated. "
                "Taxonomy: {nodes_created} created, {nodes_updated} updated.".format(**counts)
            )
        )
