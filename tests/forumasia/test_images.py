import io
import re
import struct

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import ImageField
from PIL import Image, ImageCms, ImageSequence, PngImagePlugin

from forumasia.images import make_renditions, strip_metadata, validate_image_file
from members.models import MemberOrganisation
from publications.models import GalleryImage, Publication
from tests.factories import SuperUserFactory, country
from tests.publications.test_admin import form_data

GPS_IFD = 0x8825
# Planted in every kind of metadata block; none may survive the pipeline.
SECRETS = (b"PhoneMaker-Secret", b"xmp-secret", b"comment-secret", b"text-secret")
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>xmp-secret</rdf:RDF></x:xmpmeta>'


def jpeg_with_gps(size=(1200, 800)):
    image = Image.new("RGB", size, "#8a1c2b")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x0112] = 6  # orientation: rotate 90° when shown
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (13.0, 45.0, 0.0), 3: "E", 4: (100.0, 30.0, 0.0)})
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile("protest.jpg", buffer.getvalue(), content_type="image/jpeg")


def png_of(width, height):
    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, format="PNG")
    return SimpleUploadedFile("big.png", buffer.getvalue(), content_type="image/png")


def secret_exif():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker-Secret"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (13.0, 45.0, 0.0), 3: "E", 4: (100.0, 30.0, 0.0)})
    return exif


def secret_png_text():
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "text-secret")
    info.add_text("Comment", "text-secret", zip=True)
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    info.add(b"tIME", b"\x07\xea\x05\x01\x0c\x00\x00")
    return info


def with_metadata(kind):
    """Image bytes of `kind` carrying every metadata block its format can hold."""
    frames = [Image.new("RGB", (240, 160), colour) for colour in ("#8a1c2b", "#0b5d6b", "#eee")]
    image_format, options = {
        "JPEG": ("JPEG", {"exif": secret_exif(), "xmp": XMP, "comment": b"comment-secret"}),
        "PNG": ("PNG", {"exif": secret_exif(), "pnginfo": secret_png_text()}),
        "WebP": ("WEBP", {"exif": secret_exif(), "xmp": XMP}),
        "GIF": ("GIF", {"comment": b"comment-secret"}),
        "animated GIF": ("GIF", {"comment": b"comment-secret", "loop": 0}),
        "APNG": ("PNG", {"pnginfo": secret_png_text(), "exif": secret_exif()}),
        "animated WebP": ("WEBP", {"exif": secret_exif(), "xmp": XMP}),
        "MPO": ("MPO", {"exif": secret_exif(), "comment": b"comment-secret"}),
    }[kind]
    if kind.startswith("animated") or kind in ("APNG", "MPO"):
        options.update(save_all=True, append_images=frames[1:], duration=120)
    buffer = io.BytesIO()
    frames[0].save(buffer, format=image_format, **options)
    return buffer.getvalue()


def jpeg_segments(data):
    """Marker bytes of each segment before the image data."""
    markers, position = [], 2
    while position < len(data):
        marker = data[position + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: pixels follow
            break
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        position += 2 + length
    return markers


def png_chunks(data):
    chunks, position = [], 8
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        chunks.append(data[position + 4 : position + 8])
        position += 12 + length
    return chunks


def webp_chunks(data):
    chunks, position = [], 12
    while position < len(data):
        (length,) = struct.unpack("<I", data[position + 4 : position + 8])
        chunks.append(data[position : position + 4])
        position += 8 + length + (length & 1)
    return chunks


def assert_no_metadata(data):
    """Nothing but pixels (and a colour profile): checked in the bytes and as Pillow reads it."""
    assert not [secret for secret in SECRETS if secret in data]
    assert b"Exif\x00\x00" not in data and b"xmpmeta" not in data
    if data.startswith(b"\xff\xd8"):
        # No APP1 (EXIF, XMP), APP13 (IPTC) or COM (comment) segment.
        assert not {0xE1, 0xED, 0xFE} & set(jpeg_segments(data))
    elif data.startswith(b"\x89PNG"):
        picture = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"iCCP", b"sRGB", b"gAMA"}
        animation = {b"acTL", b"fcTL", b"fdAT"}
        assert set(png_chunks(data)) <= picture | animation
    elif data.startswith(b"RIFF"):
        allowed = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP"}
        assert set(webp_chunks(data)) <= allowed
    with Image.open(io.BytesIO(data)) as image:
        for frame in ImageSequence.Iterator(image):
            exif = frame.getexif()
            assert len(exif) == 0 and not exif.get_ifd(GPS_IFD)
            assert not {"exif", "xmp", "comment", "XML:com.adobe.xmp", "Author"} & set(frame.info)
            assert not getattr(frame, "text", None)


def gif_frames(size, count, first=None):
    """A GIF of `count` frames of `size` px: one frame encoded, its bytes repeated (a few KB).

    With `first`, the header and first frame are that size and only later frames are `size`:
    the canvas grows as they are read.
    """

    def parts(frame_size):
        buffer = io.BytesIO()
        Image.new("P", frame_size, 1).save(buffer, format="GIF")
        data = buffer.getvalue()
        table = 3 << ((data[10] & 7) + 1) if data[10] & 0x80 else 0
        return data[: 13 + table], data[13 + table : -1]

    header, frame = parts(size)
    if first is None:
        return header + frame * count + b";"
    small_header, small_frame = parts(first)
    return small_header + small_frame + frame * (count - 1) + b";"


# --- Validation ---------------------------------------------------------------------------------


def test_a_real_jpeg_passes_validation_and_the_same_jpeg_cut_short_does_not():
    data = jpeg_with_gps().read()

    assert validate_image_file(SimpleUploadedFile("whole.jpg", data)) is None
    with pytest.raises(ValidationError):
        validate_image_file(SimpleUploadedFile("cut.jpg", data[: len(data) // 3]))


def test_stripped_copy_has_no_gps_or_camera_data_and_is_upright():
    cleaned = strip_metadata(jpeg_with_gps())

    with Image.open(cleaned) as image:
        exif = image.getexif()
        assert GPS_IFD not in exif
        assert len(exif) == 0
        assert "xmp" not in image.info
        assert image.size == (800, 1200)


def test_svg_is_refused_with_a_clear_message():
    svg = SimpleUploadedFile(
        "logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    )

    with pytest.raises(ValidationError, match="SVG is not accepted"):
        validate_image_file(svg)


def test_text_file_named_jpg_is_refused():
    with pytest.raises(ValidationError, match="not an image"):
        validate_image_file(SimpleUploadedFile("photo.jpg", b"just some text, not pixels" * 10))


def test_bmp_is_refused_as_an_unsupported_format():
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="BMP")

    with pytest.raises(ValidationError, match="JPEG, PNG, WebP or GIF"):
        validate_image_file(SimpleUploadedFile("x.bmp", buffer.getvalue()))


def test_longer_side_over_8000_pixels_is_refused():
    with pytest.raises(ValidationError, match="8001×10"):
        validate_image_file(png_of(8001, 10))


def test_decompression_bomb_is_refused_not_crashed():
    # 7000×7000 = 49 megapixels in a few kilobytes.
    bomb = png_of(7000, 7000)
    assert bomb.size < 100_000

    with pytest.raises(ValidationError, match="megapixels"):
        validate_image_file(bomb)


# --- Animations: every frame counts -----------------------------------------------------------


def test_many_large_gif_frames_are_refused_from_the_header_before_decoding():
    # The review's file: 20 frames of 6000×6000 px (each frame alone is within the caps).
    data = gif_frames((6000, 6000), 20)
    assert len(data) < 600_000

    with pytest.raises(ValidationError, match="20 frames add up to 720 megapixels"):
        validate_image_file(SimpleUploadedFile("party.gif", data))


def test_gif_frames_that_grow_the_canvas_are_counted_as_they_are_read():
    # The header says 10×10; frames 2-4 enlarge the canvas to 4000×4000 px (Pillow follows).
    data = gif_frames((4000, 4000), 4, first=(10, 10))
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (10, 10) and image.n_frames == 4

    with pytest.raises(ValidationError, match="frames add up to 48 megapixels"):
        validate_image_file(SimpleUploadedFile("grows.gif", data))
    with pytest.raises(ValidationError, match="megapixels"):
        strip_metadata(SimpleUploadedFile("grows.gif", data))


def test_more_frames_than_the_cap_are_refused():
    with pytest.raises(ValidationError, match="301 frames; the limit is 300"):
        validate_image_file(SimpleUploadedFile("flicker.gif", gif_frames((2, 2), 301)))


def test_a_corrupt_later_frame_is_refused():
    data = gif_frames((64, 64), 3)
    # Cut into the last frame's pixel data: the first frame alone still decodes.
    cut = data[: len(data) - 12] + b";"
    with Image.open(io.BytesIO(cut)) as image:
        image.load()

    with pytest.raises(ValidationError, match="not an image we can read"):
        validate_image_file(SimpleUploadedFile("cut.gif", cut))


@pytest.mark.parametrize("kind", ["animated GIF", "APNG", "animated WebP"])
def test_animations_within_the_budget_keep_every_frame(kind):
    validate_image_file(SimpleUploadedFile("a", with_metadata(kind)))

    with Image.open(strip_metadata(SimpleUploadedFile("a", with_metadata(kind)))) as image:
        assert image.n_frames == 3


@pytest.mark.parametrize("loop", [None, 0, 3], ids=["plays once", "loops forever", "loops 3"])
def test_an_animation_keeps_its_timing_and_looping(loop):
    frames = [Image.new("RGB", (20, 20), colour) for colour in ("red", "blue")]
    buffer = io.BytesIO()
    looping = {} if loop is None else {"loop": loop}
    frames[0].save(
        buffer, format="GIF", save_all=True, append_images=frames[1:], duration=70, **looping
    )

    with Image.open(strip_metadata(SimpleUploadedFile("a.gif", buffer.getvalue()))) as image:
        assert image.info.get("loop") == loop
        assert [frame.info["duration"] for frame in ImageSequence.Iterator(image)] == [70, 70]


# --- Metadata: nothing but pixels leaves the pipeline -----------------------------------------


@pytest.mark.parametrize(
    "kind", ["JPEG", "PNG", "WebP", "GIF", "animated GIF", "APNG", "animated WebP", "MPO"]
)
def test_every_metadata_block_is_stripped(kind):
    original = with_metadata(kind)
    with pytest.raises(AssertionError):
        assert_no_metadata(original)

    clean = strip_metadata(SimpleUploadedFile("photo", original))

    assert_no_metadata(clean.read())


def test_a_phone_photo_stored_as_mpo_is_kept_as_a_plain_jpeg():
    clean = strip_metadata(SimpleUploadedFile("photo.jpg", with_metadata("MPO")))

    assert clean.name == "image.jpg"
    with Image.open(clean) as image:
        assert image.format == "JPEG"


def swapped_primaries_profile():
    """An RGB colour profile whose red and blue primaries are swapped (sRGB's otherwise): what
    it calls red is sRGB's blue, so a conversion that really happened is plain to see."""
    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    (count,) = struct.unpack(">I", data[128:132])
    entries = {}
    for index in range(count):
        signature, offset, size = struct.unpack(">4sII", data[132 + 12 * index : 144 + 12 * index])
        entries[signature] = (index, offset, size)
    (red, *red_data), (blue, *blue_data) = entries[b"rXYZ"], entries[b"bXYZ"]
    struct.pack_into(">4sII", data, 132 + 12 * red, b"rXYZ", *blue_data)
    struct.pack_into(">4sII", data, 132 + 12 * blue, b"bXYZ", *red_data)
    data[84:100] = bytes(16)  # the profile's checksum, no longer true
    return bytes(data)


RED, BLUE = (230, 20, 20), (20, 20, 230)


def image_with_profile(image_format, profile, colour=RED, mode="RGB"):
    buffer = io.BytesIO()
    Image.new(mode, (40, 30), colour).save(buffer, format=image_format, icc_profile=profile)
    return buffer.getvalue()


def close_to(pixel, expected, tolerance=12):
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, expected, strict=False))


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_a_colour_profile_is_applied_to_the_pixels_and_dropped(image_format):
    data = image_with_profile(image_format, swapped_primaries_profile())

    with Image.open(strip_metadata(SimpleUploadedFile("photo", data))) as image:
        assert "icc_profile" not in image.info
        assert close_to(image.convert("RGB").getpixel((5, 5)), BLUE)


def test_transparency_survives_the_colour_conversion():
    data = image_with_profile("PNG", swapped_primaries_profile(), (*RED, 90), mode="RGBA")

    with Image.open(strip_metadata(SimpleUploadedFile("logo.png", data))) as image:
        assert "icc_profile" not in image.info
        assert image.mode == "RGBA"
        assert close_to(image.getpixel((5, 5)), (*BLUE, 90))


@pytest.mark.parametrize("profile", [b"not a profile at all", b"\x00" * 200])
def test_an_unreadable_colour_profile_is_dropped_and_the_pixels_kept(profile):
    data = image_with_profile("PNG", profile)

    with Image.open(strip_metadata(SimpleUploadedFile("p.png", data))) as image:
        assert "icc_profile" not in image.info
        assert image.convert("RGB").getpixel((5, 5)) == RED


def opened(name):
    """The uploaded file `name` of the default storage, opened under its storage name."""
    file = default_storage.open(name)
    file.name = name
    return file


@pytest.mark.django_db
def test_renditions_of_an_original_with_a_profile_are_converted_too(media_root):
    data = image_with_profile("JPEG", swapped_primaries_profile())
    name = default_storage.save("photos/raw.jpg", io.BytesIO(data))

    for entry in make_renditions(opened(name), storage=default_storage):
        for key in ("jpeg", "webp"):
            with default_storage.open(entry[key]) as stored, Image.open(stored) as image:
                assert "icc_profile" not in image.info
                assert close_to(image.convert("RGB").getpixel((5, 5)), BLUE)


@pytest.mark.django_db
def test_renditions_are_written_once_per_width_in_jpeg_and_webp(media_root):
    name = default_storage.save("photos/wide.jpg", strip_metadata(jpeg_with_gps((2000, 1000))))

    renditions = make_renditions(opened(name), storage=default_storage)

    assert [r["width"] for r in renditions] == [400, 800, 1000]
    for entry in renditions:
        # Beside the source, under random names: nothing of "wide", nothing to collide with.
        assert re.fullmatch(r"photos/[0-9a-f]{32}\.jpg", entry["jpeg"])
        assert re.fullmatch(r"photos/[0-9a-f]{32}\.webp", entry["webp"])
        with default_storage.open(entry["webp"]) as stored, Image.open(stored) as image:
            assert image.format == "WEBP"
            assert image.width == entry["width"]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["JPEG", "PNG", "WebP", "animated GIF"])
def test_renditions_carry_no_metadata_even_from_an_unstripped_original(media_root, kind):
    name = default_storage.save("photos/raw", io.BytesIO(with_metadata(kind)))

    for entry in make_renditions(opened(name), storage=default_storage):
        for key in ("jpeg", "webp"):
            with default_storage.open(entry[key]) as stored:
                assert_no_metadata(stored.read())


# --- Every route an image can come in by -------------------------------------------------------


def post_featured_image(client, upload):
    response = client.post(
        "/admin/publications/publication/add/",
        form_data(featured_image=upload, featured_image_alt="Marchers"),
    )
    publication = Publication.objects.first()
    return response, publication.featured_image.name if publication else None


def post_gallery_image(client, upload):
    data = form_data(
        type="story",
        **{
            "gallery_images-TOTAL_FORMS": "1",
            "gallery_images-0-image": upload,
            "gallery_images-0-alt_text": "A crowd at dusk",
            "gallery_images-0-order": "0",
        },
    )
    response = client.post("/admin/publications/publication/add/", data)
    image = GalleryImage.objects.first()
    return response, image.image.name if image else None


def post_member_logo(client, upload):
    response = client.post(
        "/admin/members/memberorganisation/add/",
        {
            "name": "Dili Justice Network",
            "slug": "dili-justice-network",
            "is_active": "on",
            "country": country("TL").pk,
            "logo": upload,
        },
    )
    member = MemberOrganisation.objects.filter(slug="dili-justice-network").first()
    return response, member.logo.name if member else None


def post_editor_image(client, upload):
    response = client.post("/ckeditor/upload/", {"upload": upload})
    body = response.json()
    return response, body["url"].removeprefix("/media/") if body["uploaded"] else None


ROUTES = {
    "featured image": (post_featured_image, Publication.featured_image.field),
    "gallery image": (post_gallery_image, GalleryImage.image.field),
    "member logo": (post_member_logo, MemberOrganisation.logo.field),
    "editor upload (paste, drop, Image dialog)": (post_editor_image, None),
}


def test_every_image_field_in_the_project_is_covered_by_the_route_tests():
    project_models = [
        model
        for model in apps.get_models()
        if model._meta.app_label in {"forumasia", "members", "publications", "newsletter"}
    ]
    image_fields = {
        field
        for model in project_models
        for field in model._meta.get_fields()
        if isinstance(field, ImageField)
    }

    assert image_fields == {field for _, field in ROUTES.values() if field is not None}
    for field in image_fields:
        assert validate_image_file in field.validators


@pytest.fixture
def superuser_client(client, db):
    client.force_login(SuperUserFactory())
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES)
def test_every_image_route_stores_only_pixels_under_the_real_format_name(superuser_client, route):
    post, field = ROUTES[route]
    # A PNG full of metadata, sent under a JPEG name.
    upload = SimpleUploadedFile("protest.jpg", with_metadata("PNG"), content_type="image/jpeg")

    response, stored = post(superuser_client, upload)

    assert response.status_code in (200, 302)
    assert stored and stored.endswith(".png")
    storage = field.storage if field is not None else default_storage
    with storage.open(stored) as handle:
        assert_no_metadata(handle.read())


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda: gif_frames((6000, 6000), 20), "720 megapixels"),
        (lambda: b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image"),
        (lambda: b"<html><script>alert(1)</script></html>", "image"),
    ],
    ids=["many-frame GIF", "SVG", "HTML"],
)
def test_every_image_route_refuses_bad_images_with_a_message(
    superuser_client, route, upload, message
):
    post, _ = ROUTES[route]

    response, stored = post(superuser_client, SimpleUploadedFile("photo.gif", upload()))

    assert stored is None
    assert message in response.content.decode()
    assert response.status_code == 200
