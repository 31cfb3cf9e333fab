"""Demo newsroom: one user per role, printed credentials. Safe to run again."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from foia import roles

DEMO_PASSWORD = "workbench-demo"  # noqa: S105 - printed to the person running the demo
DEMO_USERS = [
    ("rita", "Rita", "Reyes", roles.REPORTER),
    ("ed", "Ed", "Okafor", roles.EDITOR),
    ("rosa", "Rosa", "Lind", roles.RESEARCHER),
    ("admin", "Ada", "Admin", roles.ADMIN),
]


class Command(BaseCommand):
    help = "Load the demo newsroom (idempotent) and print its logins."

    def handle(self, *args, **options) -> None:
        user_model = get_user_model()
        created = 0
        with transaction.atomic():
            for username, first, last, role in DEMO_USERS:
                group, _ = Group.objects.get_or_create(name=role)
                user, was_created = user_model.objects.get_or_create(
                    username=username,
                    defaults={
                        "first_name": first,
                        "last_name": last,
                        "email": f"{username}@newsroom.example",
                        "is_staff": role == roles.ADMIN,
                        "is_superuser": role == roles.ADMIN,
                    },
                )
                if was_created:
                    user.set_password(DEMO_PASSWORD)
                    user.save(update_fields=["password"])
                    created += 1
                user.groups.add(group)
        self.stdout.write(
            f"Demo data ready ({created} new users). Demo logins (password "
            f"{DEMO_PASSWORD}):"
        )
        for username, _first, _last, role in DEMO_USERS:
            self.stdout.write(f"  {username:<6} {role}")
