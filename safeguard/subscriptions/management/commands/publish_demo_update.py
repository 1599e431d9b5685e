"""Publish a small update of the demo procedures manual today, so subscribers get a release e-mail.

For demonstrations and the browser test; refused outside demo mode (it changes live procedures).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from safeguard.procedures import services
from safeguard.procedures.choices import ChangeKind, ChapterStatus
from safeguard.procedures.models import Manual, Release


class Command(BaseCommand):
    help = "Demo only: publish an update of the Northdale demo manual today (subscribers get the e-mail)."

    def add_arguments(self, parser):
        parser.add_argument("--partnership", default="northdale", help="Slug of the partnership owning the manual.")
        parser.add_argument("--manual", default="child-protection-procedures", help="Slug of the manual.")

    def handle(self, *args, partnership, manual, **options):
        if not settings.DEMO_MODE:
            raise CommandError("This command changes live procedures: it runs only in demo mode (SAFEGUARD_DEMO_MODE).")
        item = Manual.objects.filter(partnership__slug=partnership, slug=manual).first()
        if item is None:
            raise CommandError(f"No manual {manual!r} of partnership {partnership!r}: load the demo data first.")
        today = timezone.localdate()
        with transaction.atomic():
            chapter = item.chapters.filter(status=ChapterStatus.LIVE).order_by("title").first()
            if chapter is None:
                raise CommandError("The manual has no live chapter to update.")
            count = Release.objects.filter(manual=item).count()
            title = f"{today:%B %Y} update {count}" if count > 3 else f"{today:%B %Y}"
            release = services.release_create(manual=item, by=None, title=title, go_live_on=today)
            version = services.chapter_version_create(
                chapter=chapter,
                by=None,
                body_markdown=f"{chapter.live_version.body_markdown}\n\n## Contacts\n\nUpdated contact details.\n",
                change_note="Updated contact details",
            )
            services.release_add_change(
                release=release,
                by=None,
                chapter=chapter,
                kind=ChangeKind.UPDATED,
                version=version,
                summary="Updated contact details for the multi-agency safeguarding hub.",
            )
        services.release_publish(release=release, by=None)
        self.stdout.write(f"Published release {release.pk} ({release.title}) of {item.title}.")
