"""The suppression list: addresses the newsletter is never sent to (models.Suppression).

Bounces and complaints put addresses on it (mailings/bounces.py), staff add them by hand (the
admin) and an erasure leaves its address's digest there alone (data_protection.erase); a new
confirmed sign-up, the owner's explicit new consent, takes its address off again (lift)."""

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


def suppress_erased(*, email: str) -> Suppression:
    """Keep an erased subscriber's address suppressed by its digest alone: the address itself,
    and what a mail server said about it, go (an earlier bounce or complaint row included)."""
    with transaction.atomic():
        suppression, _ = Suppression.objects.update_or_create(
            digest=address_digest(email),
            defaults={"email": "", "reason": Suppression.Reason.ERASURE, "detail": ""},
        )
    return suppression


def lift(*, email: str) -> int:
    """Take `email` off the suppression list, whatever put it there; how many rows went (0 or
    1)."""
    deleted, _ = Suppression.objects.filter(digest=address_digest(email)).delete()
    return deleted


def is_suppressed(email: str) -> bool:
    return Suppression.objects.filter(digest=address_digest(email)).exists()
