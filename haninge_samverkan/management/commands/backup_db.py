import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from haninge_samverkan import backups


class Command(BaseCommand):
    help = "Back up the database (pg_dump custom format, or SQLite's online backup)."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="The file to write; default backups/<time>.<ext>.")

    def handle(self, *args, output, **options):
        config = settings.DATABASES["default"]
        if output is None:
            extension = "sqlite3" if config["ENGINE"].endswith("sqlite3") else "dump"
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            output = Path(settings.BASE_DIR) / "backups" / f"samverkan-{stamp}.{extension}"
        try:
            target = backups.backup(config, output)
        except (OSError, ValueError, subprocess.CalledProcessError) as exc:
            raise CommandError(f"Backup failed: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"Backup written to {target}"))
