"""Every uploaded image goes through here: verified, capped, stripped of metadata, rendered.

- `validate_image_file` is the validator for image fields (forms and the admin run it), so a
  fake, oversized, SVG, decompression-bomb or many-frame upload becomes a form error, never a
  500 or a request that eats the server.
- `strip_uploaded_image` replaces a new upload with a re-encoded copy named after its real
  format: orientation applied, and nothing but pixels kept — no EXIF/GPS, XMP, comments or
  text chunks (people photographed at a protest must not be located). It runs the same
  checks, so rows saved by commands and imports are covered too.
- `make_renditions` writes the responsive sizes once, in the upload path, explicitly called;
  they carry no metadata either. Their names are new random ones beside the source, and a
  file is never deleted or replaced to make room: each upload's renditions are its own.

Metadata is removed by copying pixels into images whose `info` holds only what draws the
picture (an allow-list), then saving with explicit options: Pillow's encoders write back
whatever `info` still holds (a JPEG's comment, a GIF's comment), so a deny-list of known keys
would let the next unknown one through. An ICC colour profile is applied, not passed on: the
pixels are converted to sRGB (what browsers assume without a profile) and the profile is
dropped, since a profile can name the device, the software and whoever made it.
"""

import io
import posixpath
import warnings
from contextlib import contextmanager
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageCms, ImageOps, ImageSequence, UnidentifiedImageError

from .files import random_name

EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
MAX_SIDE = 8000
# One budget for the pixels a file may decode to: a still image's size, and an animation's
# frames added together (20 frames of 6000×6000 px fit in a 552 KB GIF).
MAX_PIXELS = 40_000_000
MAX_FRAMES = 300
MAX_BYTES = 20 * 1024 * 1024
RENDITION_WIDTHS = (400, 800, 1600)
# `info` keys that are part of the picture itself; every other key is metadata and dropped.
PICTURE_INFO = {"transparency"}
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
# A profile's colour space, and the image modes whose pixels it describes (Pillow's mode for
# them without alpha). A profile that does not fit the pixels is dropped, as browsers ignore it.
PROFILE_SPACES = {
    "RGB": ("RGB", {"RGB", "RGBA", "RGBX", "P", "PA"}),
    "GRAY": ("L", {"L", "LA", "1", "I", "I;16"}),
    "CMYK": ("CMYK", {"CMYK"}),
}

# Pillow's own bomb guard warns at MAX_IMAGE_PIXELS and raises at twice that. We refuse at our
# cap ourselves right after opening (and per frame), so the warning says nothing we do not act
# on; Pillow's error stays the backstop. (A filter set once here: catch_warnings() around each
# upload would not be thread-safe in threaded workers.)
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)

TOO_LARGE = (
    "This image is too large: at most %(side)s pixels on the longer side and %(mp)s megapixels."
)
UNREADABLE = (
    "This file is not an image we can read. Upload a JPEG, PNG, WebP or GIF image "
    "(SVG is not accepted)."
)


def _rewind(file):
    if hasattr(file, "seek"):
        file.seek(0)


def validate_image_file(file):
    """Raise ValidationError unless `file` is a real JPEG/PNG/WebP/GIF within our caps.

    Every frame of an animation is decoded, within the pixel budget.
    """
    size = getattr(file, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError(
            "This image is %(mb)s MB; the limit is 20 MB.", params={"mb": round(size / 2**20, 1)}
        )
    with _checked_image(file) as image:
        image.verify()
    # verify() checks structure only; decoding catches truncated or corrupt pixel data.
    with _checked_image(file) as image:
        for _frame in _frames(image):
            pass


@contextmanager
def _checked_image(file):
    """`file` opened with Pillow, its format, size and frames × area checked before any pixel
    is decoded. Pillow's errors, within the block too, become clear ValidationErrors."""
    _rewind(file)
    try:
        with Image.open(file) as image:
            if _format(image) not in EXTENSIONS:
                raise ValidationError(
                    "Upload a JPEG, PNG, WebP or GIF image (this file is %(format)s).",
                    params={"format": image.format or "unknown"},
                )
            _check_dimensions(*image.size)
            width, height = image.size
            frames = image.n_frames if _is_animation(image) else 1
            _check_frames(frames, frames * width * height)
            yield image
    except ValidationError:
        raise
    except Image.DecompressionBombError as exc:
        raise ValidationError(
            TOO_LARGE, params={"side": MAX_SIDE, "mp": MAX_PIXELS // 1_000_000}
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ValidationError(UNREADABLE) from exc
    finally:
        _rewind(file)


def _format(image):
    # Phones store photos with a depth map or HDR gain map as MPO: a JPEG followed by more
    # JPEGs. Its first image is the photo; we keep that, as a plain JPEG.
    return "JPEG" if image.format == "MPO" else image.format


def _is_animation(image):
    return _format(image) != "JPEG" and getattr(image, "is_animated", False)


def _check_dimensions(width, height):
    if max(width, height) > MAX_SIDE or width * height > MAX_PIXELS:
        raise ValidationError(
            "This image is %(w)s×%(h)s pixels; the limit is %(side)s pixels on the longer side "
            "and %(mp)s megapixels.",
            params={"w": width, "h": height, "side": MAX_SIDE, "mp": MAX_PIXELS // 1_000_000},
        )


def _check_frames(frames, pixels):
    """Refuse more than MAX_FRAMES frames, or frames whose pixels add up to over MAX_PIXELS."""
    if frames > MAX_FRAMES:
        raise ValidationError(
            "This animation has %(frames)s frames; the limit is %(max)s.",
            params={"frames": frames, "max": MAX_FRAMES},
        )
    if pixels > MAX_PIXELS:
        raise ValidationError(
            "This animation is too large: its %(frames)s frames add up to %(total)s megapixels; "
            "the limit is %(mp)s megapixels for all frames together. Use fewer or smaller "
            "frames, or link a video instead.",
            params={
                "frames": frames,
                "total": round(pixels / 1_000_000),
                "mp": MAX_PIXELS // 1_000_000,
            },
        )


def _frames(image):
    """Yield each frame of `image` decoded (just the one of a still image), refusing as soon as
    the frames so far exceed the budget: a GIF frame may enlarge the canvas its header gave."""
    if not _is_animation(image):
        image.load()
        yield image
        return
    pixels = 0
    for count, frame in enumerate(ImageSequence.Iterator(image), start=1):
        _check_dimensions(*frame.size)
        pixels += frame.width * frame.height
        _check_frames(count, pixels)
        frame.load()
        yield frame


def _bare(image):
    """A copy of `image`'s pixels whose `info` holds nothing but what draws the picture."""
    copy = image.copy()
    copy.info = {key: value for key, value in image.info.items() if key in PICTURE_INFO}
    return copy


def strip_metadata(file):
    """A re-encoded copy of `file` in its own format, orientation applied, no metadata.

    The copy is named `image.<extension of its real format>`. Raises ValidationError for
    anything `validate_image_file` refuses.
    """
    with _checked_image(file) as image:
        image_format = _format(image)
        to_srgb = srgb_converter(image.info.get("icc_profile"))
        if _is_animation(image):
            frames, durations = [], []
            for frame in _frames(image):
                durations.append(frame.info.get("duration", 100))
                frames.append(to_srgb(_bare(frame.convert("RGBA"))))
            options = {"save_all": True, "append_images": frames[1:], "duration": durations}
            if "loop" in image.info:  # without it a GIF plays once
                options["loop"] = image.info["loop"]
            if image_format == "GIF":
                # Frames were composited when read: each one replaces the last whole.
                options["disposal"] = 2
        else:
            frames = [to_srgb(_bare(ImageOps.exif_transpose(next(_frames(image)))))]
            options = {}
    first = frames[0]
    if image_format == "JPEG":
        if first.mode not in ("RGB", "L", "CMYK"):
            first = first.convert("RGB")
        options.update(quality=90, optimize=True)
    elif image_format == "WEBP":
        options.update(quality=90)
    output = io.BytesIO()
    # A bare `info` and no exif=/xmp=/comment=/pnginfo=/icc_profile= option: only pixels are
    # written.
    first.save(output, format=image_format, **options)
    return ContentFile(output.getvalue(), name=f"image.{EXTENSIONS[image_format]}")


def strip_uploaded_image(field_file):
    """If `field_file` holds a new, not yet stored upload, swap in a metadata-free copy, named
    with the extension of its real format (a PNG sent as `photo.jpg` is kept as `photo.png`).
    """
    if field_file and not getattr(field_file, "_committed", True):
        clean = strip_metadata(field_file.file)
        field_file.file = clean
        suffix = PurePosixPath(clean.name).suffix
        field_file.name = str(PurePosixPath(field_file.name).with_suffix(suffix))


def make_renditions(field_file, widths=RENDITION_WIDTHS, storage=None):
    """Write JPEG and WebP copies at each width (never upscaled); return their descriptions.

    Returns a list of {"width", "height", "jpeg", "webp"} with storage names, smallest first,
    ready to be kept in a JSONField and turned into a `srcset`. They are stored beside the
    source (in its owner's folder), in the source's storage unless `storage` is given, under
    new random names: nothing of the source's name, and never a file another upload uses.
    """
    storage = storage or field_file.storage
    folder = posixpath.dirname(field_file.name)
    field_file.open("rb")
    try:
        with Image.open(field_file) as image:
            to_srgb = srgb_converter(image.info.get("icc_profile"))
            image = to_srgb(_bare(ImageOps.exif_transpose(image).convert("RGB")))
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
                    name = posixpath.join(folder, random_name(ext))
                    # save() never replaces a file: on a clash it picks another free name.
                    entry[key] = storage.save(name, ContentFile(buffer.getvalue()))
                renditions.append(entry)
    finally:
        field_file.close()
    return renditions


def rendition_names(renditions):
    """The storage names in a list of renditions (make_renditions' descriptions)."""
    return {item[key] for item in renditions or () for key in ("jpeg", "webp") if item.get(key)}


def srgb_converter(icc_profile):
    """A function returning a frame's pixels in sRGB, carrying no profile.

    Without a profile the pixels are taken to be sRGB already. A profile that cannot be read,
    or that describes another colour space than the frame's, is dropped and the pixels kept
    (a browser would ignore it too).
    """
    if not icc_profile:
        return _unchanged
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        base_mode, fitting_modes = PROFILE_SPACES[source.profile.xcolor_space.strip()]
        transform = ImageCms.buildTransform(source, SRGB, base_mode, "RGB")
    except (KeyError, OSError, ValueError, ImageCms.PyCMSError):
        return _unchanged

    def to_srgb(frame):
        if frame.mode not in fitting_modes:
            return frame
        alpha = None
        if frame.mode in ("RGBA", "LA", "PA") or "transparency" in frame.info:
            alpha = frame.convert("RGBA").getchannel("A")
        converted = ImageCms.applyTransform(frame.convert(base_mode), transform)
        if alpha is not None:
            converted.putalpha(alpha)
        converted.info = {}
        return converted

    return to_srgb


def _unchanged(frame):
    return frame
