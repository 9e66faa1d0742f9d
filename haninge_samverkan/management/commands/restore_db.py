from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from haninge_samverkan import backups


class Command(BaseCommand):
    help = "Restore a backup made by backup_db, replacing the database's contents."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup file.")
        parser.add_argument(
            "--database-url",
            help="Restore into this database instead of the configured one.",
        )
        parser.add_argument("--no-input", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, file, database_url, no_input, **options):
        config = (
            backups.config_from_url(database_url) if database_url else settings.DATABASES["default"]
        )
        if not no_input:
            answer = input(f"This replaces everything in {config['NAME']}. Type 'yes': ")
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        connections.close_all()
        try:
            backups.restore(config, file)
        except Exception as exc:
            raise CommandError(f"Restore failed: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"Restored {file} into {config['NAME']}"))
