"""Import a CIN census file from the command line, synchronously.

    manage.py import_cin_census FILE --partnership SLUG [--localities CSV] [--user EMAIL]

Progress goes to stderr. The last line of stdout is a JSON summary::

    {"extract_id": 12, "status": "loaded", "children": 50000, "errors": 0, "queries": 31,
     "findings_by_rule": {"8670Q": 31}, "timings": {"parse": ..., "validate": ..., "load": ..., "total": ...}}

The exit code is 0 when the file was loaded, 1 when it was rejected (it has errors) or failed (it
could not be read, or is for another authority). Without ``--user`` the import is recorded as made
by the system; with it, the user must be one of the partnership's analysts.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from safeguard.accounts.models import User
from safeguard.extracts import services
from safeguard.extracts.choices import ExtractStatus
from safeguard.partnerships.models import Partnership


class Command(BaseCommand):
    help = "Import a CIN census XML file for a partnership (checked first; loaded only if it has no errors)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CIN census XML file.")
        parser.add_argument("--partnership", required=True, help="The partnership's slug, for example northdale.")
        parser.add_argument("--localities", help="Optional CSV placing children in localities (LAchildID,locality).")
        parser.add_argument("--user", help="E-mail address of the analyst the import is recorded against.")

    def handle(self, *args, file, partnership, localities=None, user=None, **options):
        owner = Partnership.objects.filter(slug=partnership).first()
        if owner is None:
            raise CommandError(f"There is no partnership with the slug '{partnership}'. Check the address it uses.")
        by = None
        if user:
            by = User.objects.filter(email__iexact=user, is_active=True).first()
            if by is None:
                raise CommandError(f"There is no active user with the e-mail address {user}.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file} is not a file. Give the path of the census XML file.")
        lookup_path = Path(localities) if localities else None
        if lookup_path is not None and not lookup_path.is_file():
            raise CommandError(f"{localities} is not a file. Give the path of the locality lookup CSV.")
        try:
            extract = self._create(owner, path, lookup_path, by)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        progress = _Progress(self.stderr)
        extract = services.extract_import(extract=extract, on_progress=progress)
        progress.done()
        if extract.failure_message:
            self.stderr.write(extract.failure_message)
        summary = {
            "extract_id": extract.pk,
            "status": extract.status,
            "children": extract.children_count,
            "errors": extract.error_count,
            "queries": extract.query_count,
            "findings_by_rule": extract.finding_counts,
            "timings": extract.timings,
        }
        self.stdout.write(json.dumps(summary))
        if extract.status != ExtractStatus.LOADED:
            sys.exit(1)

    @staticmethod
    def _create(owner, path: Path, lookup_path: Path | None, by):
        with path.open("rb") as census:
            if lookup_path is None:
                return services.extract_create(partnership=owner, file=File(census, name=path.name), by=by)
            with lookup_path.open("rb") as lookup:
                return services.extract_create(
                    partnership=owner,
                    file=File(census, name=path.name),
                    locality_lookup=File(lookup, name=lookup_path.name),
                    by=by,
                )


class _Progress:
    """One line on stderr at most every half second: what is being done, how far it has got."""

    def __init__(self, stream):
        self.stream = stream
        self.last = 0.0
        self.phase = ""
        self.children = -1

    def __call__(self, phase: str, children: int, fraction: float) -> None:
        now = time.monotonic()
        if (phase, children) == (self.phase, self.children):
            return
        if phase == self.phase and now - self.last < 0.5 and fraction < 1:
            return
        self.phase, self.children, self.last = phase, children, now
        what = "Checked" if phase == "check" else "Saved"
        self.stream.write(f"{what} {children:,} children ({fraction:.0%})")
        self.stream.flush()

    def done(self) -> None:
        self.stream.flush()
