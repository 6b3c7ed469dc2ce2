import sys

from django.core.management.base import BaseCommand
from tqdm import tqdm

from search.indexing import SERVICES, index_rebuild


class Command(BaseCommand):
    help = (
        "Build a fresh versioned index from the database with bulk requests, then swap the alias "
        "to it atomically and delete the old index. Searches keep answering throughout."
    )

    def add_arguments(self, parser):
        parser.add_argument("--index", choices=[SERVICES], default=SERVICES, help="which index")
        parser.add_argument("--quiet-progress", action="store_true", help="no progress bar")

    def handle(self, *args, index: str, quiet_progress: bool, **options):
        def progress(documents):
            return tqdm(documents, desc=index, unit="doc", file=sys.stderr, disable=quiet_progress)

        result = index_rebuild(name=index, progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"{result['alias']} -> {result['index']}: {result['documents']} documents"
                + (f"; removed {', '.join(result['removed'])}" if result["removed"] else "")
            )
        )
