"""Fictional sample publications for `manage.py load_demo`. Every item is invented and marked.

Runs after members.demo (signatories are the demo members). Idempotent: an item whose slug
exists is left alone, so running it again creates nothing new.
"""

import io
import random
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageDraw, ImageFont

from forumasia import events
from members.models import Country, MemberOrganisation

from . import services
from .co_signers import move_co_signers_to_partners
from .models import Attachment, GalleryImage, PartnerOrganisation, Publication, Signature

SAMPLE_NOTE = (
    "<p><em>Sample content: this publication is fictional demo text, not a real "
    "statement of any organisation.</em></p>"
)
THEMES = [
    "Civic space",
    "Freedom of expression",
    "Human rights defenders",
    "Digital rights",
    "Gender justice",
    "Business and human rights",
    "Refugees and migrants",
    "Transitional justice",
    "Elections",
    "ASEAN",
]
SUBJECTS = [
    ("the arrest of peaceful protesters", "TH"),
    ("a draft law restricting civil society organisations", "KH"),
    ("the harassment of journalists", "PH"),
    ("internet shutdowns during elections", "MM"),
    ("the detention of a woman human rights defender", "VN"),
    ("attacks on land rights activists", "ID"),
    ("enforced disappearances", "LK"),
    ("the criminalisation of online speech", "MY"),
    ("the treatment of refugees at the border", "BD"),
    ("restrictions on assemblies in the capital", "NP"),
    ("surveillance of human rights groups", "IN"),
    ("the closure of independent media", "HK"),
    ("violence against student protesters", "MN"),
    ("the rights of migrant workers", "KR"),
    ("judicial harassment of lawyers", "PK"),
]
TYPE_TITLES = {
    "statement": "Joint statement on {subject}",
    "letter": "Open letter on {subject}",
    "report": "Sample report: {subject}",
    "story": "Voices from the ground: {subject}",
}
COLOURS = ["#8a1c2b", "#0b5d6b", "#3b4a8c", "#7a3e00", "#2f6b3b", "#5e111c"]
VIDEO_URL = "https://www.youtube.com/watch?v=aqz-KE-bpKQ"  # Big Buck Bunny, a free sample film


def _sample_pdf():
    """A minimal valid one-page PDF saying it is a sample, with its cross-reference table
    (attachments are rebuilt with pikepdf on save, which needs one)."""
    text = b"BT /F1 18 Tf 72 770 Td (Sample report - fictional demo content) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >> stream\n%s\nendstream" % (len(text), text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj %s endobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer << /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return pdf


SAMPLE_PDF = _sample_pdf()


def sample_image(text, colour, size=(1200, 675)):
    """A JPEG that says it is a sample (demo images of publications and editorial pages)."""
    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    width, height = size
    for step in range(0, width, 80):
        draw.line((step, height, step + height // 2, 0), fill="#ffffff22", width=2)
    draw.rectangle((0, height - 140, width, height), fill="#00000066")
    font = ImageFont.load_default(size=max(24, width // 28))
    draw.text((48, height - 70), text[:60], fill="white", font=font, anchor="lm")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def _body(kind, subject, country):
    paragraphs = [
        f"<p>We, the undersigned organisations, are deeply concerned about {subject} in "
        f"{country}. This text is a fictional sample written for the demonstration site.</p>",
        "<h2>Background</h2>",
        "<p>Over recent months, sample monitoring by member organisations recorded a pattern "
        "of incidents. The figures and names in this demonstration are invented.</p>",
        "<blockquote><p>“Everyone has the right to freedom of opinion and expression.” — "
        "Universal Declaration of Human Rights, Article 19</p></blockquote>",
        "<h2>Our calls</h2>",
        "<ul><li>Release everyone detained for the peaceful exercise of their rights.</li>"
        "<li>Repeal or amend laws that restrict civic space.</li>"
        "<li>Guarantee a safe environment for human rights defenders.</li></ul>",
    ]
    if kind == "report":
        paragraphs.append(
            "<table><thead><tr><th>Sample indicator</th><th>2023</th><th>2024</th></tr></thead>"
            "<tbody><tr><td>Recorded incidents</td><td>41</td><td>57</td></tr>"
            "<tr><td>Organisations affected</td><td>12</td><td>19</td></tr></tbody></table>"
        )
    return "".join(paragraphs) + SAMPLE_NOTE


def load(stdout):
    rng = random.Random(1991)  # noqa: S311 - deterministic sample data, not security
    now = timezone.now()
    members = list(MemberOrganisation.objects.active().order_by("pk"))
    countries = {country.code: country for country in Country.objects.all()}
    kinds = ["statement"] * 22 + ["letter"] * 14 + ["report"] * 12 + ["story"] * 12
    rng.shuffle(kinds)
    created = 0
    for index, kind in enumerate(kinds):
        subject, code = SUBJECTS[index % len(SUBJECTS)]
        country = countries.get(code)
        title = TYPE_TITLES[kind].format(subject=subject)
        if index >= len(SUBJECTS):
            title += f" ({index // len(SUBJECTS) + 1})"
        slug = slugify(f"sample-{title}")[:200]
        if Publication.objects.filter(slug=slug).exists():
            continue
        # Spread over the last three years; the last few are drafts and scheduled items.
        publish_at = now - timedelta(days=int(index * 1095 / len(kinds)) + 1, hours=index % 9)
        status = Publication.Status.PUBLISHED
        if index in (3, 17):
            status = Publication.Status.DRAFT
        if index in (5, 29):
            publish_at = now + timedelta(days=7 + index)
        country_name = country.name if country else "the region"
        publication = Publication(
            type=kind,
            title=title,
            slug=slug,
            standfirst=(
                f"Sample {Publication.Type(kind).label.lower()}: the network calls for action on "
                f"{subject} in {country_name}. Fictional demo content."
            ),
            body=_body(kind, subject, country_name),
            status=status,
            publish_at=publish_at,
            is_featured=index in (0, 1, 2, 7),
            media_contact=(
                "Sample Press Officer\nmedia@example.org\n+66 0 0000 0000"
                if kind in ("statement", "letter")
                else ""
            ),
            co_signers=(
                "CIVICUS\nSample Solidarity Network (outside the network)\n"
                "Example Lawyers Collective"
                if kind == "statement" and index % 2 == 0
                else ""
            ),
            video_url=VIDEO_URL if kind == "story" else "",
        )
        if index % 3 != 2:
            publication.featured_image = ContentFile(
                sample_image(f"SAMPLE · {country_name}", COLOURS[index % len(COLOURS)]),
                name=f"{slug[:60]}.jpg",
            )
            publication.featured_image_alt = f"Sample illustration for {country_name}"
            publication.featured_image_caption = "Sample image generated for the demo site."
            publication.featured_image_credit = "Demo"
        publication.save()
        if country:
            publication.countries.add(country)
        if index % 4 == 0:
            extra = countries.get(SUBJECTS[(index + 3) % len(SUBJECTS)][1])
            if extra:
                publication.countries.add(extra)
        publication.tags.add(*rng.sample(THEMES, 2))
        if kind in ("statement", "letter") and members:
            for order, member in enumerate(rng.sample(members, min(len(members), 3 + index % 9))):
                Signature.objects.create(publication=publication, member=member, order=order)
        if publication.featured_image:
            services.refresh_featured_renditions(publication)
        if kind == "report":
            Attachment.objects.create(
                publication=publication,
                title=f"{title} (PDF, sample)",
                file=ContentFile(SAMPLE_PDF, name=f"{slug[:60]}.pdf"),
            )
        if kind == "story":
            for number in range(3):
                image = GalleryImage(
                    publication=publication,
                    image=ContentFile(
                        sample_image(
                            f"Sample photo {number + 1}", COLOURS[number], size=(1200, 900)
                        ),
                        name=f"{slug[:50]}-{number + 1}.jpg",
                    ),
                    alt_text=f"Sample photo {number + 1}: a generated placeholder image",
                    caption="Sample gallery image for the demo site.",
                    order=number,
                )
                image.save()
                services.refresh_gallery_renditions(image)
        created += 1
    # Two translations, so the language links show both ways.
    originals = (
        Publication.objects.published()
        .of_type("statement")
        .filter(translation_of__isnull=True, slug__startswith="sample-")[:2]
    )
    languages = [("th", "Thai"), ("km", "Khmer")]
    for original, (language, label) in zip(originals, languages, strict=False):
        slug = f"{original.slug[:180]}-{language}"
        if Publication.objects.filter(slug=slug).exists():
            continue
        translation = Publication.objects.create(
            type=original.type,
            title=f"[{label} sample] {original.title}",
            slug=slug,
            standfirst=f"Sample {label} translation (fictional demo content).",
            body=original.body,
            status=Publication.Status.PUBLISHED,
            publish_at=original.publish_at,
            language=language,
            translation_of=original,
        )
        translation.countries.set(original.countries.all())
        created += 1
    # A real partner outside the network: the "CIVICUS" lines above become partner signatures
    # (the rule the partners' data migration applies); the sample names stay free text.
    civicus, _ = PartnerOrganisation.objects.get_or_create(
        name="CIVICUS", defaults={"website": "https://www.civicus.org/"}
    )
    move_co_signers_to_partners(
        partners=[civicus], publications=Publication.objects.all(), signature_model=Signature
    )
    # The samples are written row by row: one change event for all of them (their search
    # vectors, cached pages).
    events.changed(*Publication.objects.only("pk"))
    stdout.write(f"Publications: {created} sample publications created.")
