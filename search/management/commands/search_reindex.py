import sys

from django.core.management.base import BaseCommand
from tqdm import tqdm

from search.client import search_is_available
from search.entries import entries_rebuild
from search.indexing import INDEXES, index_rebuild


class Command(BaseCommand):
    help = (
        "Build the search indexes afresh from the database: the database's own search index (in "
        "one transaction), then Elasticsearch's (a fresh versioned index filled with bulk "
        "requests, the alias swapped to it atomically, the old one deleted). Searches keep "
        "answering throughout."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--index", choices=[*INDEXES, "all"], default="all", help="which index (default: all)"
        )
        parser.add_argument("--quiet-progress", action="store_true", help="no progress bar")
        parser.add_argument(
            "--if-available",
            action="store_true",
            help="build the database's index and succeed when Elasticsearch is not running "
            "(the local demo)",
        )

    def handle(self, *args, index: str, quiet_progress: bool, if_available: bool, **options):
        names = list(INDEXES) if index == "all" else [index]

        def progress(documents):
            return tqdm(documents, unit="doc", file=sys.stderr, disable=quiet_progress)

        built = {name: entries_rebuild(name=name, progress=progress)["documents"] for name in names}
        self.stdout.write(
            "database search index: "
            + ", ".join(f"{count} {name}" for name, count in built.items())
        )
        if if_available and not search_is_available():
            self.stdout.write(
                "Elasticsearch is not running: search answers from the database's index "
                "(start Elasticsearch with `make services`, then run search_reindex)."
            )
            return
        for name in names:
            result = index_rebuild(name=name, progress=progress)
            self.stdout.write(
                self.style.SUCCESS(
                    f"{result['alias']} -> {result['index']}: {result['documents']} documents"
                    + (f"; removed {', '.join(result['removed'])}" if result["removed"] else "")
                )
            )
