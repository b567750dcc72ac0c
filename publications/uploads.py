"""Images in the rich-text body, uploaded from CKEditor: pasted, dropped or sent from the Image
dialog's Upload tab.

The only upload route of the editor (django-ckeditor's own views are not routed at all:
they skip CSRF, store any file as sent and answer with inline script). This one keeps
CSRF (the editor sends the token in an X-CSRFToken header, see
forumasia/static/forumasia/ckeditor-csrf.js), runs the shared image pipeline
(forumasia/images.py: verify every frame, cap, strip all metadata, name the file after its
real format) and always answers in CKEditor's JSON protocol, which needs no inline script
under the admin's Content-Security-Policy.
"""

import posixpath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import JsonResponse
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from forumasia.files import random_upload_name
from forumasia.images import strip_metadata, validate_image_file

# Where the rich-text editor (forumasia/widgets.py) sends the images it uploads: this view.
UPLOAD_URL = reverse_lazy("publications:ckeditor-upload")


def _error(message, status=200):
    # CKEditor shows `error.message` only for a 2xx answer; any other status becomes a
    # generic "HTTP error". Refusals of the user (403) keep their status.
    return JsonResponse({"uploaded": 0, "error": {"message": message}}, status=status)


@require_POST
def ckeditor_upload(request):
    user = request.user
    if not (user.is_active and user.is_staff):
        return _error("Your session has ended: log in again to upload images.", status=403)
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
        clean = strip_metadata(upload)
    except ValidationError as exc:
        return _error(" ".join(exc.messages))

    # Public media (the body that shows it may be public already), under a random name: the
    # file's own name and the upload's date are not published.
    name = random_upload_name(settings.CKEDITOR_UPLOAD_PATH, clean.name)
    saved = default_storage.save(name, clean)
    return JsonResponse(
        {"uploaded": 1, "fileName": posixpath.basename(saved), "url": default_storage.url(saved)}
    )
