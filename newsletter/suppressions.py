"""The suppression list: addresses the newsletter is never sent to (models.Suppression)."""

from django.db import transaction

from .models import Suppression, address_digest


def suppress(*, email: str, reason: str, detail: str = "") -> Suppression:
    """Put `email` on the suppression list (once; a later reason replaces an earlier one)."""
    email = email.strip().lower()
    with transaction.atomic():
        suppression, _ = Suppression.objects.update_or_create(
            digest=address_digest(email),
            defaults={"email": email, "reason": reason, "detail": detail[:300]},
        )
    return suppression


def is_suppressed(email: str) -> bool:
    return Suppression.objects.filter(digest=address_digest(email)).exists()
