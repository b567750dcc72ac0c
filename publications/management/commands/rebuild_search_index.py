from django.core.management.base import BaseCommand
from django.db import connection

from publications.tasks import rebuild_search_index


class Command(BaseCommand):
    help = (
        "Rewrite the full-text search vector of every publication (PostgreSQL), in batches of "
        "--batch-size rows by primary key, as a task on the bulk queue (at once where tasks run "
        "in-process). Run it after loading rows in bulk (bulk_create and queryset.update() "
        "bypass save()) or after changing how the vector is built."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args, batch_size, **options):
        if connection.vendor != "postgresql":
            self.stdout.write("Nothing to do: full-text search needs PostgreSQL.")
            return
        result = rebuild_search_index.enqueue(batch_size=batch_size)
        if result.is_finished:
            self.stdout.write(
                self.style.SUCCESS(f"Search index rebuilt for {result.return_value} publications.")
            )
        else:
            self.stdout.write(
                f"Queued: a task worker rebuilds the search index (task {result.id})."
            )
