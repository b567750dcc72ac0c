"""Rebuild a PDF keeping only what a reader needs; run as a child process by documents.py.

Reads a PDF on standard input and writes the rebuilt PDF on standard output (exit 0), or a
refusal as JSON `{"message": ...}` (exit 3). Any other ending (a crash, the memory limit, the
time limit) is the parent's to report.

What is kept, by allow-list: the pages (their size, boxes, rotation and content streams),
the resources they draw with (fonts, images, forms, colour spaces, patterns, shadings,
graphics states), the visible appearance of annotations and form fields (drawn into the page:
qpdf's flattening), links to http(s)/mailto addresses and links to pages of the document, and
the document's language. A new document is made and only these are copied into it, so
everything else is left behind by construction: the document information (/Info), XMP on the
catalogue and on every object, embedded and associated files, JavaScript and every action
but the links above (OpenAction, /AA of document, pages, annotations and fields, Launch,
URI to files, forms' submit), annotations themselves with their authors and popups, form
fields and XFA, bookmarks, tagged structure, page thumbnails, page-piece data (/PieceInfo),
optional-content definitions, and every object of earlier revisions (only what the new
document reaches is written).

Photos: a JPEG inside a PDF keeps its EXIF (camera, GPS position) unless it is re-encoded.
Every JPEG (DCT) image that carries anything but its pixels goes through the site's image
pipeline (`forumasia.images.strip_metadata`) and stays a JPEG; a JPEG 2000 image, which
can carry XMP boxes, is decoded and stored as lossless (Flate) pixels through the same
pipeline. Other image encodings (Flate, LZW, run-length, CCITT, JBIG2) hold nothing but
pixels: their streams are kept and only their dictionaries are cut to the allow-list. ICC
colour profiles are replaced by the device colour space of the same number of components. A
JPEG drawn inline in a page's instructions (BI … ID … EI, rare and small) refuses the PDF. An
image the pipeline cannot read or refuses (too large, damaged) refuses the whole PDF:
publishing the document without it would show readers something else than the author made,
and keeping it would keep whatever it hides.
"""

import io
import json
import math
import re
import resource
import sys
import zlib

import pikepdf
from django.core.exceptions import ValidationError
from pikepdf import Array, Dictionary, Name, Stream, String

from forumasia.images import strip_metadata

REFUSED_EXIT = 3

PAGE_KEYS = {
    "/Type",
    "/Parent",
    "/Resources",
    "/MediaBox",
    "/CropBox",
    "/BleedBox",
    "/TrimBox",
    "/ArtBox",
    "/Contents",
    "/Rotate",
    "/Group",
    "/UserUnit",
    "/Annots",
}
LINK_KEYS = {"/Type", "/Subtype", "/Rect", "/Border", "/BS", "/C", "/H", "/QuadPoints", "/F"}
LINK_SCHEMES = ("http://", "https://", "mailto:")
IMAGE_KEYS = {
    "/Type",
    "/Subtype",
    "/Width",
    "/Height",
    "/ColorSpace",
    "/BitsPerComponent",
    "/Filter",
    "/DecodeParms",
    "/Decode",
    "/Interpolate",
    "/ImageMask",
    "/Mask",
    "/SMask",
    "/SMaskInData",
    "/Intent",
    "/Length",
}
FORM_KEYS = {
    "/Type",
    "/Subtype",
    "/FormType",
    "/BBox",
    "/Matrix",
    "/Resources",
    "/Group",
    "/Filter",
    "/DecodeParms",
    "/Length",
}
# Anywhere else (fonts, graphics states, patterns, shadings, their descriptors): keys that
# hold data about the document or its authors, or things to run, never something drawn.
UNDRAWN_KEYS = (
    "/Metadata",
    "/PieceInfo",
    "/LastModified",
    "/AF",
    "/OPI",
    "/ID",
    "/StructParent",
    "/StructParents",
    "/OC",
    "/AA",
    "/A",
    "/JS",
)
# An inline image's dictionary (between BI and ID) naming a JPEG or JPEG 2000 filter.
INLINE_PHOTO = re.compile(
    rb"(?:^|\s)BI\s(?:(?!\sID\s).){0,2000}?/(?:DCT|DCTDecode|JPX|JPXDecode)\b", re.DOTALL
)
DEVICE_SPACES = {1: Name.DeviceGray, 3: Name.DeviceRGB, 4: Name.DeviceCMYK}
# JPEG markers: APP1 holds EXIF (with the orientation tag) and XMP.
SOS, APP0, APP1, APP14 = 0xDA, 0xE0, 0xE1, 0xEE
# Segments a JPEG written by the pipeline has: JFIF (APP0), Adobe (APP14, colour transform),
# tables and frame headers. Anything else (EXIF, XMP, IPTC, ICC, comments) sends it through.
DHT, DAC, DQT, DRI = 0xC4, 0xCC, 0xDB, 0xDD
FRAME_HEADERS = set(range(0xC0, 0xD0)) - {DHT, 0xC8, DAC}
BARE_JPEG_MARKERS = {APP0, APP14, DHT, DAC, DQT, DRI, *FRAME_HEADERS}
JFIF_WITHOUT_THUMBNAIL = 16  # APP0 length: the JFIF header with a 0×0 thumbnail
ADOBE_LENGTH = 14  # APP14 length: version, two flag words and the colour transform


class Refused(Exception):
    """The PDF cannot be published cleaned; the message says why, for the editor."""


def rebuild(data, *, max_pages):
    """The bytes of a PDF holding only what `data`'s pages show (see the module docstring)."""
    try:
        source = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError as exc:
        raise Refused(
            "This PDF is protected with a password. Save a copy without the password and "
            "upload that."
        ) from exc
    pages = len(source.pages)
    if pages > max_pages:
        raise Refused(f"This PDF has {pages:,} pages; the limit is {max_pages:,}.")
    if not pages:
        raise Refused("This PDF has no pages.")
    # Form fields and annotations become part of the page as they are seen; the
    # annotations themselves (authors, comments, scripts, attached files) are not copied.
    source.flatten_annotations(mode="all")
    destinations = _named_destinations(source)
    for page in source.pages:
        _keep_page(page.obj, destinations)
    rebuilt = pikepdf.new()
    rebuilt.pages.extend(source.pages)
    if isinstance(source.Root.get(Name.Lang), String):
        rebuilt.Root.Lang = String(str(source.Root.Lang))
    pages_kept = {page.obj.objgen for page in rebuilt.pages}
    for page in rebuilt.pages:
        _keep_links_to(page.obj, pages_kept)
        contents = page.obj.get(Name.Contents)
        for stream in contents if isinstance(contents, Array) else [contents]:
            if isinstance(stream, Stream):
                _refuse_inline_photos(stream.read_bytes())
    for obj in list(rebuilt.objects):
        _clean(obj)
    output = io.BytesIO()
    rebuilt.save(
        output,
        deterministic_id=True,
        fix_metadata_version=False,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
    )
    return output.getvalue()


def _named_destinations(source):
    """Name -> destination, from the catalogue's name tree and its PDF 1.1 dictionary."""
    found = {}
    names = source.Root.get(Name.Names)
    if isinstance(names, Dictionary) and isinstance(names.get(Name.Dests), Dictionary):
        for key, value in pikepdf.NameTree(names.Dests).items():
            found[str(key)] = value
    old = source.Root.get(Name.Dests)
    if isinstance(old, Dictionary):
        for key, value in old.items():
            found[key.lstrip("/")] = value
    return {
        name: value.get(Name.D) if isinstance(value, Dictionary) else value
        for name, value in found.items()
    }


def _keep_page(page, destinations):
    """Cut a page of the source to PAGE_KEYS and its annotations to safe links, before it is
    copied: what is cut here is never copied into the rebuilt document."""
    for key in set(page.keys()) - PAGE_KEYS:
        del page[key]
    annotations = page.get(Name.Annots)
    links = []
    if isinstance(annotations, Array):
        links = [_link(annotation, destinations) for annotation in annotations]
    _set_links(page, [link for link in links if link is not None])


def _set_links(page, links):
    if links:
        page.Annots = Array(links)
    elif Name.Annots in page:
        del page[Name.Annots]


def _link(annotation, destinations):
    """A new link annotation with the allowed keys of `annotation` and a safe target, or None
    (every other annotation, and a link that goes elsewhere)."""
    if not isinstance(annotation, Dictionary) or annotation.get(Name.Subtype) != Name.Link:
        return None
    target = _link_target(annotation, destinations)
    if target is None:
        return None
    link = Dictionary({key: annotation[key] for key in LINK_KEYS if key in annotation})
    link.Type = Name.Annot
    for key, value in target.items():
        link[key] = value
    return link


def _link_target(annotation, destinations):
    action = annotation.get(Name.A)
    destination = annotation.get(Name.Dest)
    if isinstance(action, Dictionary):
        if action.get(Name.S) == Name.URI and isinstance(action.get(Name.URI), String):
            uri = bytes(action.URI).decode("latin-1").strip()
            if uri.lower().startswith(LINK_SCHEMES):
                return {"/A": Dictionary(S=Name.URI, URI=String(uri))}
            return None
        if action.get(Name.S) != Name.GoTo:
            return None
        destination = action.get(Name.D)
    if isinstance(destination, (String, Name)):
        destination = destinations.get(str(destination).lstrip("/"))
    if isinstance(destination, Array) and len(destination) > 0 and _is_page(destination[0]):
        return {"/Dest": Array([destination[0], *_numbers_and_names(destination[1:])])}
    return None


def _is_page(obj):
    return isinstance(obj, Dictionary) and obj.get(Name.Type) == Name.Page


def _numbers_and_names(items):
    return [item for item in items if not isinstance(item, (Dictionary, Array, Stream, String))]


def _keep_links_to(page, pages_kept):
    """Drop links of the rebuilt `page` to a page that is not in the rebuilt document."""
    annotations = page.get(Name.Annots)
    if isinstance(annotations, Array):
        _set_links(
            page,
            [
                link
                for link in annotations
                if Name.Dest not in link or link.Dest[0].objgen in pages_kept
            ],
        )


def _clean(obj):
    """Cut `obj`, an object of the rebuilt document, and the direct objects inside it."""
    if isinstance(obj, Stream) and Name.Filter not in obj:
        # Compressed here rather than by save(), which would write its keys in another order
        # than a second cleaning of the result does: cleaning a cleaned PDF changes nothing.
        obj.write(zlib.compress(obj.read_bytes()), filter=Name.FlateDecode)
    if isinstance(obj, Stream) and obj.get(Name.Subtype) == Name.Image:
        _keep_only(obj, IMAGE_KEYS)
        _reencode_image(obj)
    elif isinstance(obj, Stream) and _photo_filter(obj):
        # Photo data in a stream that does not say it is an image (a damaged dictionary): it
        # could carry EXIF, and only images are re-encoded.
        raise Refused(
            "An image in this PDF could not be cleaned (its description is damaged), so its "
            "hidden data (such as a photo's location) cannot be removed. Export the PDF again "
            "from the program it was made with and upload that copy."
        )
    elif isinstance(obj, Stream) and obj.get(Name.Subtype) == Name.Form:
        _keep_only(obj, FORM_KEYS)
        _refuse_inline_photos(obj.read_bytes())
    elif isinstance(obj, (Dictionary, Stream)) and not _is_page(obj):
        _drop_undrawn(obj)
    if isinstance(obj, (Dictionary, Stream, Array)):
        _clean_inside(obj)


def _photo_filter(stream):
    filters = stream.get(Name.Filter)
    filters = list(filters) if isinstance(filters, Array) else [filters]
    return any(name in (Name.DCTDecode, Name.JPXDecode) for name in filters)


def _refuse_inline_photos(content):
    """A JPEG drawn inline in a content stream (BI … ID … EI) could carry EXIF like any
    photo; such images are rare and small, so the PDF is refused rather than parsed apart."""
    if INLINE_PHOTO.search(content):
        raise Refused(
            "This PDF has a photo stored inside a page's drawing instructions (an inline "
            "image), which the site cannot clean. Export the PDF again from the program it was "
            "made with and upload that copy."
        )


def _keep_only(obj, keys):
    for key in set(obj.keys()) - keys:
        del obj[key]


def _drop_undrawn(obj):
    for key in UNDRAWN_KEYS:
        if key in obj:
            del obj[key]


def _is_icc_space(value):
    return (
        isinstance(value, Array)
        and len(value) == 2
        and value[0] == Name.ICCBased
        and isinstance(value[1], Stream)
    )


def _clean_inside(obj):
    """In the direct objects inside `obj`: ICC-based colour spaces (profiles carry names,
    dates, their maker's text) become the device space of as many components, and undrawn
    keys go (links, already cut to their allow-list, keep their target)."""
    items = obj.items() if isinstance(obj, (Dictionary, Stream)) else enumerate(obj)
    for key, value in list(items):
        if _is_icc_space(value):
            obj[key] = DEVICE_SPACES.get(int(value[1].get(Name.N, 3)), Name.DeviceRGB)
        elif isinstance(value, (Dictionary, Array)) and not value.is_indirect:
            if isinstance(value, Dictionary) and value.get(Name.Type) != Name.Annot:
                _drop_undrawn(value)
            _clean_inside(value)


def _reencode_image(image):
    filters = image.get(Name.Filter)
    filters = list(filters) if isinstance(filters, Array) else [filters] if filters else []
    if not filters or filters[-1] not in (Name.DCTDecode, Name.JPXDecode):
        return
    try:
        if filters[-1] == Name.DCTDecode:
            jpeg = _encoded_jpeg(image, filters)
            if _is_bare_jpeg(jpeg):
                return
            clean = strip_metadata(io.BytesIO(_without_segment(jpeg, APP1)))
            _write_jpeg(image, clean.read())
        else:
            _write_pixels(image, pikepdf.PdfImage(image).as_pil_image())
    except (ValidationError, pikepdf.PdfError, ValueError, OSError, NotImplementedError) as exc:
        detail = " ".join(exc.messages) if isinstance(exc, ValidationError) else ""
        raise Refused(
            "An image in this PDF could not be cleaned "
            f"({detail or 'its data cannot be read'}), so its hidden data (such as a "
            "photo's location) cannot be removed. Export the PDF again from the program it "
            "was made with and upload that copy."
        ) from exc


def _encoded_jpeg(image, filters):
    """The JPEG file inside `image`, whose last filter is DCTDecode."""
    if len(filters) == 1:
        return image.read_raw_bytes()
    # Rare: the JPEG compressed again (e.g. Flate then DCT); undo the filters before DCT.
    parameters = image.get(Name.DecodeParms)
    outer = pikepdf.Stream(image.owner, image.read_raw_bytes())
    outer.Filter = Array(filters[:-1])
    if isinstance(parameters, Array):
        outer.DecodeParms = Array(list(parameters)[:-1])
    return outer.read_bytes()


def _jpeg_segments(data):
    """(marker, start, end) of each segment before the scan; ValueError if malformed."""
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG")
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            raise ValueError("bad marker")
        marker = data[position + 1]
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        yield marker, position, position + 2 + length
        if marker == SOS:
            return
        position += 2 + length
    raise ValueError("no scan")


def _is_bare_jpeg(data):
    """True if the JPEG holds nothing but its pixels: only the segments the pipeline writes,
    no marker of metadata between its scans and nothing after its end. Such a JPEG is kept as
    it is, so cleaning a cleaned PDF again changes nothing (a second lossy encoding would
    only lose quality)."""
    try:
        segments = list(_jpeg_segments(data))
    except ValueError:
        return False
    for marker, start, end in segments[:-1]:
        if marker not in BARE_JPEG_MARKERS:
            return False
        if marker == APP0 and (
            end - start - 2 != JFIF_WITHOUT_THUMBNAIL or data[start + 4 : start + 9] != b"JFIF\0"
        ):
            return False
        if marker == APP14 and (
            end - start - 2 != ADOBE_LENGTH or data[start + 4 : start + 9] != b"Adobe"
        ):
            return False
    scans = data[segments[-1][1] :].rstrip(b"\0\r\n ")
    # In entropy-coded data a 0xFF byte is followed by 0x00 or a restart marker: any other
    # marker there is a real one.
    if re.search(rb"\xff[\xe0-\xef\xfe]", scans):
        return False
    return scans.find(b"\xff\xd9") == len(scans) - 2


def _without_segment(data, marker):
    """`data` without its `marker` segments: a PDF viewer never applies a JPEG's EXIF
    orientation (the page places the image), so the pipeline must not turn it either."""
    kept, position = [data[:2]], 2
    for found, start, end in _jpeg_segments(data):
        if found != marker:
            kept.append(data[start:end])
        position = end
    kept.append(data[position:])
    return b"".join(kept)


def _write_jpeg(image, jpeg):
    from PIL import Image

    with Image.open(io.BytesIO(jpeg)) as decoded:
        mode, size = decoded.mode, decoded.size
    image.write(jpeg, filter=Name.DCTDecode)
    image.Width, image.Height = size
    image.BitsPerComponent = 8
    image.ColorSpace = {"L": Name.DeviceGray, "CMYK": Name.DeviceCMYK}.get(mode, Name.DeviceRGB)
    if mode == "CMYK":
        # Pillow writes CMYK JPEGs the Adobe way, with inverted components.
        image.Decode = Array([1, 0] * 4)


def _write_pixels(image, picture):
    buffer = io.BytesIO()
    picture.convert("L" if picture.mode in ("1", "L", "LA") else "RGB").save(buffer, "PNG")
    clean = strip_metadata(io.BytesIO(buffer.getvalue()))
    from PIL import Image

    with Image.open(clean) as decoded:
        pixels = decoded.convert("L" if decoded.mode == "L" else "RGB")
        image.write(zlib.compress(pixels.tobytes()), filter=Name.FlateDecode)
        image.Width, image.Height = pixels.size
        image.ColorSpace = Name.DeviceGray if pixels.mode == "L" else Name.DeviceRGB
    image.BitsPerComponent = 8
    for key in ("/Decode", "/DecodeParms", "/SMaskInData"):
        if key in image:
            del image[key]


def main():
    max_pages, max_memory = int(sys.argv[1]), int(sys.argv[3])
    # The parent stops us after max_seconds of wall time; these hold even if it could not.
    cpu_seconds = math.ceil(float(sys.argv[2])) + 5
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    resource.setrlimit(resource.RLIMIT_AS, (max_memory, max_memory))
    data = sys.stdin.buffer.read()
    try:
        rebuilt = rebuild(data, max_pages=max_pages)
    except Refused as refusal:
        sys.stdout.write(json.dumps({"message": str(refusal)}))
        sys.exit(REFUSED_EXIT)
    sys.stdout.buffer.write(rebuilt)


if __name__ == "__main__":
    main()
