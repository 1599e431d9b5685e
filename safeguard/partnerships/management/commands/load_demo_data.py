from django.core.management.base import BaseCommand

from safeguard.partnerships.demo import DEMO_PASSWORD, demo_logins, load_demo_data


class Command(BaseCommand):
    help = "Load synthetic demo partnerships, agencies, groups, people and one user per role (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo logins.")

    def handle(self, *args, quiet_logins=False, **options):
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
        if quiet_logins:
            return
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        for email, role, partnership in demo_logins():
            self.stdout.write(f"  {email:38} {role:34} {partnership}")
