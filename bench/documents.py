"""Cleaning documents: `python -m bench.documents [--pages 300] [--photos 120]`.

Builds an NGO report of `--pages` pages (text on every page, `--photos` distinct phone
photos of 1600×1200 pixels carrying EXIF with a GPS position, a chart drawn as lossless
pixels on every tenth page), then a PDF of 20,000 short pages, and prints how long
`forumasia.documents.clean_document` takes on each: the whole path an upload takes (child
process, pikepdf, every photo re-encoded by the image pipeline) and the refusal of the
second at its page count.
"""

import argparse
import io
import random
import time

import pikepdf
from django.core.exceptions import ValidationError
from pikepdf import Dictionary, Name
from PIL import Image, ImageDraw

from forumasia.documents import clean_document

GPS_IFD = 0x8825


def photo(seed):
    rng = random.Random(seed)
    image = Image.new("RGB", (1600, 1200), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(400):  # texture, so the JPEG is as large as a real photo's
        x, y = rng.randrange(1600), rng.randrange(1200)
        colour = tuple(rng.randrange(256) for _ in range(3))
        draw.ellipse((x, y, x + rng.randrange(10, 200), y + rng.randrange(10, 200)), fill=colour)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (13.0, 45.0, 0.0), 3: "E", 4: (100.0, 30.0, 0.0)})
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85, exif=exif)
    return buffer.getvalue()


def image_xobject(pdf, data, size, encoding=Name.DCTDecode):
    """An image XObject of `size` in `pdf`: `data` is a JPEG, or raw RGB pixels when
    `encoding` is None."""
    width, height = size
    image = pdf.make_stream(
        data,
        Type=Name.XObject,
        Subtype=Name.Image,
        Width=width,
        Height=height,
        ColorSpace=Name.DeviceRGB,
        BitsPerComponent=8,
    )
    if encoding is not None:
        image.Filter = encoding
    return image


def add_page(pdf, content, **resources):
    """Append an A4 page drawing `content` with `resources` (Font=..., XObject=...)."""
    page = Dictionary(
        Type=Name.Page,
        MediaBox=[0, 0, 595, 842],
        Contents=pdf.make_stream(content),
        Resources=Dictionary({f"/{kind}": Dictionary(v) for kind, v in resources.items()}),
    )
    pdf.pages.append(pikepdf.Page(page))
    return page


def helvetica(pdf):
    return pdf.make_indirect(
        Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
    )


def saved(pdf):
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def report(pages, photos):
    pdf = pikepdf.new()
    font = helvetica(pdf)
    images = [image_xobject(pdf, photo(number), (1600, 1200)) for number in range(photos)]
    chart = Image.new("RGB", (800, 600), "white")
    ImageDraw.Draw(chart).rectangle((100, 100, 300, 500), fill="#8a1c2b")
    chart_stream = image_xobject(pdf, chart.tobytes(), chart.size, encoding=None)
    text = b" ".join(
        b"(Line %d of the report on civic space in the region.) Tj T*" % n for n in range(40)
    )
    every = max(1, pages // max(1, photos))
    for number in range(pages):
        xobjects, drawing = {}, b""
        if number % every == 0 and number // every < photos:
            xobjects["/Im0"] = images[number // every]
            drawing += b"q 400 0 0 300 100 420 cm /Im0 Do Q "
        if number % 10 == 5:
            xobjects["/Ch0"] = chart_stream
            drawing += b"q 400 0 0 300 100 100 cm /Ch0 Do Q "
        content = drawing + b"BT /F1 10 Tf 12 TL 72 800 Td " + text + b" ET"
        add_page(pdf, content, Font={"/F1": font}, XObject=xobjects)
    return saved(pdf)


def short_pages(pages):
    pdf = pikepdf.new()
    font = helvetica(pdf)
    for number in range(pages):
        add_page(pdf, b"BT /F1 12 Tf 72 720 Td (Page %d) Tj ET" % number, Font={"/F1": font})
    return saved(pdf)


def timed(data, name):
    started = time.perf_counter()
    try:
        cleaned = clean_document(io.BytesIO(data), name=name)
        outcome = f"cleaned, {len(cleaned) / 2**20:.1f} MB"
    except ValidationError as exc:
        outcome = "refused: " + " ".join(exc.messages)
    return time.perf_counter() - started, outcome


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--photos", type=int, default=120)
    parser.add_argument("--long", type=int, default=20_000, help="pages of the long PDF")
    options = parser.parse_args()
    for label, data in (
        (
            f"report, {options.pages} pages, {options.photos} photos",
            report(options.pages, options.photos),
        ),
        (f"{options.long:,} short pages", short_pages(options.long)),
    ):
        seconds, outcome = timed(data, "report.pdf")
        print(f"{label} ({len(data) / 2**20:.1f} MB): {seconds:.2f} s, {outcome}")


if __name__ == "__main__":
    main()
