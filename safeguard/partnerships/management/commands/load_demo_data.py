import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from safeguard.partnerships.demo import DEMO_PASSWORD, demo_logins, load_demo_data


class Command(BaseCommand):
    help = (
        "Load synthetic demo partnerships, agencies, groups, people, one user per role, and statutory data "
        "(CIN census extracts, indicators, an Annex A workbook) (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo logins.")
        parser.add_argument(
            "--census-scale",
            type=float,
            help="Size of the demo CIN census files relative to the usual, for example 0.02 in tests (default: the "
            "setting SAFEGUARD_DEMO_CENSUS_SCALE if there is one, else 1).",
        )

    def handle(self, *args, quiet_logins=False, census_scale=None, **options):
        if census_scale is None:
            census_scale = getattr(settings, "SAFEGUARD_DEMO_CENSUS_SCALE", 1.0)
        if not 0 < census_scale <= 10:
            raise CommandError("--census-scale must be above 0 and at most 10, for example 0.5 for half-size files.")
        created = load_demo_data()
        from safeguard.documents.demo import load_demo_documents
        from safeguard.partnerships.models import Partnership
        from safeguard.procedures.demo import load_procedures_demo

        load_demo_documents()  # before the manual, whose chapters link to library documents

        owner = Partnership.objects.filter(slug="northdale").first()
        if owner is not None:
            load_procedures_demo(owner=owner, adopters=list(Partnership.objects.exclude(pk=owner.pk)))
        from safeguard.subscriptions.demo import load_demo_subscriptions

        load_demo_subscriptions()  # after the manual: its subscribers received the published release
        self.stdout.write(
            f"Demo data: {'loaded ' + ', '.join(created) if created else 'already present, nothing added'}."
        )
        self._statutory_data(census_scale)
        if quiet_logins:
            return
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        for email, role, partnership in demo_logins():
            self.stdout.write(f"  {email:38} {role:34} {partnership}")

    def _statutory_data(self, census_scale: float) -> None:
        """Localities, populations and benchmarks first (the census lookups name the localities), then
        the census extracts, their figures, and the Annex A workbook."""
        from safeguard.annexa.demo import load_demo_annex_a
        from safeguard.extracts.demo import load_demo_extracts
        from safeguard.indicators.demo import compute_demo_indicators, load_demo_reference_data
        from safeguard.indicators.services import indicators_recomputation_held

        started = time.perf_counter()
        # The figures are computed once below, not once per file by the worker after `make run` starts.
        with indicators_recomputation_held():
            reference = load_demo_reference_data()
            self._line("Demo localities, populations and benchmarks", ", ".join(reference))
            census = load_demo_extracts(scale=census_scale)
            self._line("Demo CIN census files", "; ".join(loaded.describe() for loaded in census), "imported")
            computed = compute_demo_indicators()
        self._line(
            "Demo indicators", ", ".join(f"{slug} ({years} census years)" for slug, years in computed), "computed for"
        )
        annex_a = load_demo_annex_a()
        if annex_a is not None:
            outcome = f"{annex_a.children_count:,} children" if annex_a.is_current else annex_a.get_status_display()
            self._line("Demo Annex A workbook", f"{annex_a.partnership.slug} ({outcome})")
        else:
            self._line("Demo Annex A workbook", "")
        if reference or census or computed or annex_a:
            self.stdout.write(f"Demo statutory data loaded in {time.perf_counter() - started:.1f} s.")

    def _line(self, what: str, added: str, verb: str = "loaded") -> None:
        self.stdout.write(f"{what}: {f'{verb} {added}' if added else 'already present, nothing added'}.")
