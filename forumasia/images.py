"""Every uploaded image goes through here: verified, capped, stripped of metadata, rendered.

- `validate_image_file` is the validator for image fields (forms and the admin run it), so a
  fake, oversized, SVG or decompression-bomb upload becomes a form error, never a 500.
- `strip_uploaded_image` replaces a new upload with a re-encoded copy: orientation applied,
  EXIF/XMP/GPS and comments gone (people photographed at a protest must not be located).
- `make_renditions` writes the responsive sizes once, in the upload path, explicitly called.
"""

import io
import warnings
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
MAX_SIDE = 8000
MAX_PIXELS = 40_000_000
MAX_BYTES = 20 * 1024 * 1024
RENDITION_WIDTHS = (400, 800, 1600)

# Pillow's own bomb guard warns at MAX_IMAGE_PIXELS and raises at twice that; we refuse at
# our cap ourselves, and keep Pillow's error as the backstop for anything that slips past.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def _rewind(file):
    if hasattr(file, "seek"):
        file.seek(0)


def validate_image_file(file):
    """Raise ValidationError unless `file` is a real JPEG/PNG/WebP/GIF within our caps."""
    size = getattr(file, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError(
            "This image is %(mb)s MB; the limit is 20 MB.", params={"mb": round(size / 2**20, 1)}
        )
    _rewind(file)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                image_format = image.format
                width, height = image.size
                if image_format not in ALLOWED_FORMATS:
                    raise ValidationError(
                        "Upload a JPEG, PNG, WebP or GIF image (this file is %(format)s).",
                        params={"format": image_format or "unknown"},
                    )
                _check_dimensions(width, height)
                image.verify()
            # verify() checks structure only; decoding catches truncated or corrupt pixel data.
            _rewind(file)
            with Image.open(file) as image:
                image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(
            "This image is too large: at most %(side)s pixels on the longer side and "
            "%(mp)s megapixels.",
            params={"side": MAX_SIDE, "mp": MAX_PIXELS // 1_000_000},
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            "This file is not an image we can read. Upload a JPEG, PNG, WebP or GIF image "
            "(SVG is not accepted)."
        ) from exc
    finally:
        _rewind(file)


def _check_dimensions(width, height):
    if max(width, height) > MAX_SIDE or width * height > MAX_PIXELS:
        raise ValidationError(
            "This image is %(w)s×%(h)s pixels; the limit is %(side)s pixels on the longer side "
            "and %(mp)s megapixels.",
            params={"w": width, "h": height, "side": MAX_SIDE, "mp": MAX_PIXELS // 1_000_000},
        )


def strip_metadata(file):
    """A re-encoded copy of `file` in its own format with orientation applied and no metadata."""
    _rewind(file)
    with Image.open(file) as image:
        image_format = image.format
        if image_format == "GIF":
            # Animated GIFs keep their frames; GIF carries no EXIF/GPS, only comments we drop.
            output = io.BytesIO()
            image.info.pop("comment", None)
            image.save(output, format="GIF", save_all=getattr(image, "is_animated", False))
            return ContentFile(output.getvalue())
        upright = ImageOps.exif_transpose(image)
        if image_format == "JPEG" and upright.mode not in ("RGB", "L", "CMYK"):
            upright = upright.convert("RGB")
        output = io.BytesIO()
        options = {"format": image_format}
        if image_format == "JPEG":
            options.update(quality=90, optimize=True)
        elif image_format == "WEBP":
            options.update(quality=90)
        # A fresh save without exif=/xmp= arguments writes no EXIF, XMP or GPS block.
        upright.save(output, **options)
    _rewind(file)
    return ContentFile(output.getvalue())


def strip_uploaded_image(field_file):
    """If `field_file` holds a new, not yet stored upload, swap in a metadata-free copy."""
    if field_file and not getattr(field_file, "_committed", True):
        field_file.file = strip_metadata(field_file.file)


def make_renditions(field_file, widths=RENDITION_WIDTHS, storage=None):
    """Write JPEG and WebP copies at each width (never upscaled); return their descriptions.

    Returns a list of {"width", "height", "jpeg", "webp"} with storage names, smallest first,
    ready to be kept in a JSONField and turned into a `srcset`.
    """
    storage = storage or default_storage
    stem = PurePosixPath(field_file.name).with_suffix("")
    field_file.open("rb")
    try:
        with Image.open(field_file) as image:
            image = ImageOps.exif_transpose(image).convert("RGB")
            original_width, original_height = image.size
            targets = sorted({min(width, original_width) for width in widths})
            renditions = []
            for width in targets:
                height = max(1, round(original_height * width / original_width))
                resized = image.resize((width, height), Image.Resampling.LANCZOS)
                entry = {"width": width, "height": height}
                for key, fmt, ext in (("jpeg", "JPEG", "jpg"), ("webp", "WEBP", "webp")):
                    buffer = io.BytesIO()
                    resized.save(buffer, format=fmt, quality=82, optimize=fmt == "JPEG")
                    name = f"renditions/{stem}-{width}.{ext}"
                    if storage.exists(name):
                        storage.delete(name)
                    entry[key] = storage.save(name, ContentFile(buffer.getvalue()))
                renditions.append(entry)
    finally:
        field_file.close()
    return renditions
