import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from measures.roles import MUNICIPAL_STAFF, POLICE_LIAISON

# (username, first name, last name, group or None for an administrator)
ACCOUNTS = [
    ("handlaggare", "Maria", "Lindqvist", MUNICIPAL_STAFF),
    ("kontaktperson", "Johan", "Berg", POLICE_LIAISON),
    ("admin", "Sara", "Nyström", None),
]


class Command(BaseCommand):
    help = "Create one demo account per role, only where no user exists yet."

    def handle(self, *args, **options):
        User = get_user_model()
        if User.objects.exists():
            self.stdout.write("Users exist already; no demo accounts were created.")
            return
        rows = []
        with transaction.atomic():
            for username, first, last, group in ACCOUNTS:
                password = secrets.token_urlsafe(12)
                user = User.objects.create_user(
                    username=username,
                    password=password,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@example.invalid",
                    is_staff=group is None,
                    is_superuser=group is None,
                )
                if group:
                    user.groups.add(Group.objects.get(name=group))
                rows.append((username, password, group or "Administratör"))
        self.stdout.write(self.style.SUCCESS("Demo accounts (the passwords are shown only now):"))
        for username, password, role in rows:
            self.stdout.write(f"  {username:<15} {password:<20} {role}")
