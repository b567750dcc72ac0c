"""Fictional sample editorial pages for `manage.py load_demo`, marked as sample: one published
under About us with an image (through the image pipeline), one waiting in review, to show the
pages' workflow. Runs after publications.demo. Idempotent: a page whose address exists is left
alone."""

from django.core.files.base import ContentFile
from django.utils import timezone

from publications.demo import sample_image

from . import services
from .models import Page

SAMPLE_NOTE = (
    "<p><em>Sample content: this page is fictional demo text, not a real account of any "
    "organisation.</em></p>"
)
DEMO_PAGES = [
    {
        "path": "/about/our-history/",
        "title": "Our history",
        "introduction": "From a meeting of a few organisations in 1991 to a network across Asia.",
        "body": "<p>The network began when human rights organisations from several countries met "
        "to speak together. This history is a fictional sample.</p>"
        "<h2>Milestones</h2><ul><li>1991: the network is founded.</li>"
        "<li>Later: a Secretariat in Bangkok supports its members.</li></ul>",
        "status": Page.Status.PUBLISHED,
        "image": ("SAMPLE · Our history", "#0b5d6b"),
    },
    {
        "path": "/about/annual-report-2025/",
        "title": "Annual report 2025",
        "introduction": "What the network did this year: waiting for a publisher's review.",
        "body": "<p>A fictional sample report on the year, submitted for review.</p>",
        "status": Page.Status.REVIEW,
        "image": None,
    },
]


def load(stdout):
    about = Page.objects.filter(path="/about/").first()
    created = 0
    for sample in DEMO_PAGES:
        if Page.objects.filter(path=sample["path"]).exists():
            continue
        page = Page(
            path=sample["path"],
            title=sample["title"],
            parent=about,
            introduction=sample["introduction"],
            body=sample["body"] + SAMPLE_NOTE,
            status=sample["status"],
            publish_at=timezone.now(),
        )
        if sample["image"]:
            text, colour = sample["image"]
            page.hero_image.save(
                "sample-page.jpg", ContentFile(sample_image(text, colour)), save=False
            )
            page.hero_image_alt = "A sample picture with the words “Sample” and the page's title."
        page.save()
        if page.hero_image:
            services.refresh_hero_renditions(page)
        created += 1
    stdout.write(f"Editorial pages: {created} created.")
