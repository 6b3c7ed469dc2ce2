from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from marketplace.catalog.services import FX_RATES_FILE, CatalogDataError, fx_rates_load


class Command(BaseCommand):
    help = (
        "Add exchange rates from a CSV or JSON file (base_currency, quote_currency, rate, source, "
        "as_of). Rows already loaded are skipped; a file with a bad row loads nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(FX_RATES_FILE), help="CSV or JSON file")

    def handle(self, *args, file: str, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            counts = fx_rates_load(path=path)
        except CatalogDataError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS("Rates: {created} added, {skipped} already there.".format(**counts))
        )
