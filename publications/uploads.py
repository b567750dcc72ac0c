"""Inline images in the rich-text body, uploaded from CKEditor.

Replaces ckeditor_uploader's upload view at the same URL. That view is CSRF-exempt, stores
any file as sent and answers with inline script; this one keeps CSRF (the editor sends the
token in an X-CSRFToken header, see publications/static/publications/ckeditor-csrf.js), runs
the shared image pipeline (verify, cap, strip EXIF/GPS) and answers in CKEditor's JSON
protocol, which needs no inline script under the admin's Content-Security-Policy.
"""

import posixpath

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import JsonResponse
from django.utils import timezone
from django.utils.text import get_valid_filename, slugify
from django.views.decorators.http import require_POST
from PIL import Image

from forumasia.images import strip_metadata, validate_image_file

EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}


def _error(message, status=200):
    # CKEditor shows `error.message` only for a 2xx answer; any other status becomes a
    # generic "HTTP error". Refusals of the user (403) keep their status.
    return JsonResponse({"uploaded": 0, "error": {"message": message}}, status=status)


@require_POST
@staff_member_required
def ckeditor_upload(request):
    user = request.user
    if not (
        user.has_perm("publications.add_publication")
        or user.has_perm("publications.change_publication")
    ):
        return _error("You do not have permission to upload images.", status=403)
    upload = request.FILES.get("upload")
    if upload is None:
        return _error("Choose an image to upload.")
    try:
        validate_image_file(upload)
    except ValidationError as exc:
        return _error(" ".join(exc.messages))

    upload.seek(0)
    with Image.open(upload) as image:
        extension = EXTENSIONS[image.format]
    clean = strip_metadata(upload)
    stem = slugify(posixpath.splitext(upload.name)[0])[:80] or "image"
    name = posixpath.join(
        settings.CKEDITOR_UPLOAD_PATH,
        f"{timezone.now():%Y/%m}",
        get_valid_filename(f"{stem}.{extension}"),
    )
    saved = default_storage.save(name, clean)
    return JsonResponse(
        {"uploaded": 1, "fileName": posixpath.basename(saved), "url": default_storage.url(saved)}
    )
