"""Import ONS mid-year population estimates (CSV) for a partnership and its localities.

    manage.py import_population FILE --partnership northdale [--year 2024]

All or nothing: a file with any problem saves nothing and every problem is listed.
"""

from django.core.management.base import BaseCommand

from safeguard.indicators.services import population_import

from ._importing import partnership_by_slug, read, run


class Command(BaseCommand):
    help = "Import ONS mid-year estimates of children aged 0 to 17 for a partnership and its localities."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file: area_code,area_name,year,age_0_17 or single-year-of-age columns.")
        parser.add_argument("--partnership", required=True, help="The partnership's slug, for example northdale.")
        parser.add_argument("--year", type=int, help="The mid-year, when the file has no year column.")

    def handle(self, *args, file: str, partnership: str, year: int | None, **options):
        target = partnership_by_slug(partnership)
        content = read(file)
        run(
            self,
            lambda: population_import(partnership=target, by=None, content=content, filename=file, year=year),
        )
