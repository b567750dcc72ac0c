"""Uploads served by the app itself, for a small install on one box (DJANGO_SERVE_MEDIA=1).

With debug off Django serves no /media/: a web server in front (deploy/nginx/) or object
storage (DJANGO_MEDIA_STORAGE=s3) does it better, and then this stays off. Turned on, it serves
what a web server would, no more:

- only files of the kinds the site stores (images, renditions, documents), by extension, with
  the matching content type; `X-Content-Type-Options: nosniff` comes from SecurityMiddleware,
  so a browser never guesses another type;
- never a folder listing, a hidden file, a path outside the storage, or anything under
  `private/` (private files live in their own storage anyway: this is a second lock);
- GET and HEAD only; `Last-Modified` and `If-Modified-Since` so browsers revalidate cheaply;
- the headers of every file (forumasia/security_headers.py: nothing runs, nothing frames it),
  and documents as downloads, never shown inside the site's origin.

What is here is public by nature: member logos, images of editorial text (the editor's
uploads, the WordPress import's body images). Files of publications are not: they live in the
private storage and are served by forumasia/files.py while their publication is public.

Files are read through the storage API (`default_storage`), like every other use of uploads.
It sits above GZipMiddleware: images and PDFs are compressed already.
"""

import mimetypes
import posixpath

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponseNotAllowed, HttpResponseNotModified
from django.utils.http import http_date
from django.views.static import was_modified_since

from .security_headers import FILE_HEADERS

# The image pipeline's formats (forumasia/images.py), shown in pages; apps add their own kinds
# of upload with serve_extensions() from their ready() (publications: documents), downloaded.
IMAGE_EXTENSIONS = {"jpg", "jpeg", "png", "gif", "webp"}
SERVED_EXTENSIONS = set(IMAGE_EXTENSIONS)
# Browsers revalidate after an hour: a file deleted from the site (a takedown) leaves their
# caches soon.
MAX_AGE = 3600


def serve_extensions(*extensions):
    SERVED_EXTENSIONS.update(extension.lower() for extension in extensions)


def media_name(path):
    """The storage name for a path under MEDIA_URL, or None when it must not be served."""
    if "\\" in path or "\x00" in path:
        return None
    segments = path.split("/")
    if any(segment in ("", ".", "..") or segment.startswith(".") for segment in segments):
        return None
    if segments[0] == "private":
        return None
    extension = posixpath.splitext(segments[-1])[1].lower().lstrip(".")
    if extension not in SERVED_EXTENSIONS:
        return None
    return "/".join(segments)


def serve_media(request, name):
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    try:
        mtime = int(default_storage.get_modified_time(name).timestamp())
        if not was_modified_since(request.META.get("HTTP_IF_MODIFIED_SINCE"), mtime):
            return HttpResponseNotModified()
        file = default_storage.open(name, "rb")
    except OSError as exc:  # missing, a folder, or a path through a file
        raise Http404 from exc
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    is_image = posixpath.splitext(name)[1].lower().lstrip(".") in IMAGE_EXTENSIONS
    response = FileResponse(file, content_type=content_type, as_attachment=not is_image)
    for header, value in FILE_HEADERS.items():
        response[header] = value
    response["Last-Modified"] = http_date(mtime)
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return response


class MediaFilesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        prefix = settings.MEDIA_URL
        if settings.SERVE_MEDIA and prefix.startswith("/") and request.path_info.startswith(prefix):
            name = media_name(request.path_info[len(prefix) :])
            if name is None:
                raise Http404
            return serve_media(request, name)
        return self.get_response(request)
