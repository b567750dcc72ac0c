import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

PASSWORD_FILE = Path(settings.BASE_DIR) / ".admin-password"


class Command(BaseCommand):
    help = (
        "Make sure an admin account exists and print how to log in. The password comes from "
        "DJANGO_SUPERUSER_PASSWORD, or is generated once and kept in .admin-password (git-ignored)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--username", default=os.environ.get("DJANGO_SUPERUSER_USERNAME", "admin")
        )

    def handle(self, *args, username, **options):
        User = get_user_model()
        given = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        user = User.objects.filter(username=username).first()

        if given:
            password = given
        elif user is None or not PASSWORD_FILE.exists():
            password = secrets.token_urlsafe(12)
        else:
            password = None

        if user is None:
            user = User(
                username=username, email=f"{username}@localhost", is_staff=True, is_superuser=True
            )
        if password:
            user.set_password(password)
            user.save()
            if not given:
                PASSWORD_FILE.write_text(password + "\n")
                PASSWORD_FILE.chmod(0o600)
        else:
            password = PASSWORD_FILE.read_text().strip()

        self.stdout.write(
            self.style.SUCCESS(
                f"Admin: {settings.SITE_URL}/admin/  username: {username}  password: {password}"
            )
        )
