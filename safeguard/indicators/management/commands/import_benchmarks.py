"""Import benchmarks from a DfE Explore Education Statistics data file (CSV) for a partnership.

    manage.py import_benchmarks FILE --partnership northdale

All or nothing: a file with any problem saves nothing and every problem is listed.
"""

from django.core.management.base import BaseCommand

from safeguard.indicators.services import benchmarks_import

from ._importing import partnership_by_slug, read, run


class Command(BaseCommand):
    help = "Import England, regional, own-authority and statistical-neighbour figures from a DfE table (CSV)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV data file in the Explore Education Statistics layout.")
        parser.add_argument("--partnership", required=True, help="The partnership's slug, for example northdale.")

    def handle(self, *args, file: str, partnership: str, **options):
        target = partnership_by_slug(partnership)
        content = read(file)
        run(self, lambda: benchmarks_import(partnership=target, by=None, content=content, filename=file))
