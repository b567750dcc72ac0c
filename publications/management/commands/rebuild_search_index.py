from django.core.management.base import BaseCommand
from django.db import connection

from publications.models import Publication
from publications.search import refresh_search_vectors


class Command(BaseCommand):
    help = (
        "Rewrite the full-text search vector of every publication (PostgreSQL), in batches of "
        "--batch-size rows by primary key. Run it after loading rows in bulk (bulk_create and "
        "queryset.update() bypass save()) or after changing how the vector is built."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args, batch_size, **options):
        if connection.vendor != "postgresql":
            self.stdout.write("Nothing to do: full-text search needs PostgreSQL.")
            return
        if batch_size < 1:
            batch_size = 5000
        ids = Publication.objects.order_by("pk").values_list("pk", flat=True)
        total = 0
        last = 0
        while True:
            batch = list(ids.filter(pk__gt=last)[:batch_size])
            if not batch:
                break
            total += refresh_search_vectors(
                Publication.objects.filter(pk__gte=batch[0], pk__lte=batch[-1])
            )
            last = batch[-1]
        self.stdout.write(self.style.SUCCESS(f"Search index rebuilt for {total} publications."))
