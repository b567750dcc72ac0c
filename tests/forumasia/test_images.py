import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from forumasia.images import make_renditions, strip_metadata, validate_image_file

GPS_IFD = 0x8825


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


def test_real_jpeg_passes_validation():
    validate_image_file(jpeg_with_gps())


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


def test_truncated_jpeg_is_refused():
    data = jpeg_with_gps().read()
    with pytest.raises(ValidationError):
        validate_image_file(SimpleUploadedFile("cut.jpg", data[: len(data) // 3]))


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


@pytest.mark.django_db
def test_renditions_are_written_once_per_width_in_jpeg_and_webp(media_root):
    from django.core.files.storage import default_storage

    name = default_storage.save("photos/wide.jpg", strip_metadata(jpeg_with_gps((2000, 1000))))
    field_file = default_storage.open(name)
    field_file.name = name

    renditions = make_renditions(field_file)

    assert [r["width"] for r in renditions] == [400, 800, 1000]
    for entry in renditions:
        with default_storage.open(entry["webp"]) as stored, Image.open(stored) as image:
            assert image.format == "WEBP"
            assert image.width == entry["width"]
