from django.core.management.base import BaseCommand

from demo import data as demo
from measures.models import Measure


class Command(BaseCommand):
    help = "Fill the database with realistic demo measures, progress updates and reviews."

    def add_arguments(self, parser):
        parser.add_argument("--measures", type=int, default=40, help="How many measures.")
        parser.add_argument("--seed", type=int, default=2025, help="The same seed, the same data.")
        parser.add_argument(
            "--updates", type=int, default=None, help="Progress updates per measure (default 1–4)."
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if any measure exists."
        )

    def handle(self, *args, measures, seed: int, updates, if_empty, **options):
        if if_empty and Measure.objects.exists():
            self.stdout.write("Measures exist already; no demo data was added.")
            return
        count = demo.seed(measures=measures, updates_per_measure=updates, seed=seed)
        self.stdout.write(self.style.SUCCESS(f"Added {count} demo measures."))
