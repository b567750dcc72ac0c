from django.shortcuts import get_object_or_404, render

from .models import Issue


def issue(request, slug):
    """A sent issue's web version (the archive): nothing about who received it."""
    found = get_object_or_404(Issue.objects.sent(), slug=slug)
    return render(request, "mailings/issue.html", {"issue": found})
