import sys

from django.core.management.base import BaseCommand
from tqdm import tqdm

from search.client import search_is_available
from search.indexing import INDEXES, index_rebuild


class Command(BaseCommand):
    help = (
        "Build a fresh versioned index from the database with bulk requests, then swap the alias "
        "to it atomically and delete the old index. Searches keep answering throughout."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--index", choices=[*INDEXES, "all"], default="all", help="which index (default: all)"
        )
        parser.add_argument("--quiet-progress", action="store_true", help="no progress bar")
        parser.add_argument(
            "--if-available",
            action="store_true",
            help="say so and succeed when Elasticsearch is not running (the local demo)",
        )

    def handle(self, *args, index: str, quiet_progress: bool, if_available: bool, **options):
        if if_available and not search_is_available():
            self.stdout.write(
                "Elasticsearch is not running: search answers from the database "
                "(start it with `make services`, then run search_reindex)."
            )
            return

        def progress(documents):
            return tqdm(documents, unit="doc", file=sys.stderr, disable=quiet_progress)

        for name in INDEXES if index == "all" else [index]:
            result = index_rebuild(name=name, progress=progress)
            self.stdout.write(
                self.style.SUCCESS(
                    f"{result['alias']} -> {result['index']}: {result['documents']} documents"
                    + (f"; removed {', '.join(result['removed'])}" if result["removed"] else "")
                )
            )
