"""Files that belong to a row which may not be public, and the one view that serves them.

A publication's images and documents must not be fetchable before the publication is public,
nor after it is taken down. So they are not uploads under MEDIA_URL (served to anyone by the web
server or the bucket) but live in the private storage (PRIVATE_ROOT, or the bucket's
`private/` prefix), each owner in a folder of its own:

    <owner folder>/<owner's files key>/<random>.<extension>     e.g. publications/3f0c…/9ab1….jpg

and are fetched at FILES_URL + that name. The view asks the app that owns the folder
(`register_owner()`, from the app's `ready()`: this package imports no app) whether the file is
one the owner uses and whether the owner is public; it answers 404 otherwise, the same 404 as
for a file that does not exist, so a name says nothing about an unpublished item. Staff the
owner allows see the files of items that are not public, privately (never kept by a cache).

Every name is random: no original file name, camera timestamp or upload month reaches a URL,
and no two uploads share a name, so no upload can replace another row's file
(`Storage.save()` never overwrites; a clash gets another free name). Documents keep a readable
name through `Content-Disposition`, given by the owner.

The view streams from the storage through the app (local disk or S3: no redirect leaves the
site), or, with FILES_ACCEL_REDIRECT set, hands the sending to nginx through an internal
location (deploy/nginx/forumasia.conf) after the same checks.
"""

import hashlib
import mimetypes
import posixpath
import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseNotAllowed,
)
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.functional import LazyObject, empty
from django.utils.http import content_disposition_header

from .cache import PUBLIC_MAX_AGE
from .security_headers import FILE_HEADERS

FILES_URL = "/files/"
# <folder>/<key>/<file>: a lower-case folder, a UUID, one file name (no path, no hidden file).
OWNED_NAME = re.compile(
    r"(?P<folder>[a-z]+)/(?P<key>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
    r"/(?P<file>[A-Za-z0-9][A-Za-z0-9_.-]{0,200})"
)
EXTENSION = re.compile(r"[a-z0-9]{1,10}")


def random_name(extension):
    """A new file name no one can guess or has used: 128 random bits and `extension`."""
    return f"{secrets.token_hex(16)}.{extension}"


def random_upload_name(folder, filename):
    """The storage name for a new upload `filename` in `folder`: a random name keeping only the
    (lower-cased) extension. Public uploads are named so too (member logos, the editor's)."""
    extension = posixpath.splitext(filename)[1].lower().lstrip(".")
    if not EXTENSION.fullmatch(extension):
        extension = "bin"
    return posixpath.join(folder, random_name(extension))


def owned_name(folder, key, filename):
    """The storage name for a new upload `filename` of the owner whose files key is `key`."""
    return random_upload_name(f"{folder}/{key}", filename)


class OwnedFilesStorage(LazyObject):
    """The private storage, with `url()` pointing at the files view instead of the storage
    (the private storage has no public URL). Lazy, like `default_storage`, so it follows
    STORAGES wherever it is read."""

    def _setup(self):
        self._wrapped = storages["private"]

    def url(self, name):
        return FILES_URL + quote(name)


owned_files = OwnedFilesStorage()


def owned_files_storage():
    """The storage of owned files, for a FileField's `storage=` (a callable, so migrations
    name it rather than a storage instance)."""
    return owned_files


@receiver(setting_changed, dispatch_uid="owned-files-storage")
def forget_storage(*, setting, **kwargs):
    # As Django does for `default_storage`: a test that changes STORAGES gets the new storage.
    if setting == "STORAGES":
        owned_files._wrapped = empty


@dataclass(frozen=True)
class Access:
    """What an owner allows for one of its files."""

    # Anyone may fetch it (else: only the user who asked, who is staff).
    public: bool
    # The name a download is saved under; empty for a file shown in the page (an image).
    download_name: str = ""
    # When a public file stops being public by the clock (an unpublish time), if it does.
    public_until: datetime | None = None


# folder -> decide(request, key=UUID, name=str) -> Access | None (None: 404).
OWNERS: dict[str, Callable[..., Access | None]] = {}


def register_owner(folder, decide):
    OWNERS[folder] = decide


def owners_answer(request, *, public, used_as, public_until=None, staff_permissions=()):
    """What an owner answers for one of its files: public when the owner is public and uses
    the file (`used_as`: "" for an image, a download name, None when unused); private to
    staff holding one of `staff_permissions` (those who see the owner in the admin); else
    None. The request's user is read only when the file is not public: a public answer
    depends on no session."""
    if public and used_as is not None:
        return Access(public=True, download_name=used_as, public_until=public_until)
    user = request.user
    if user.is_active and user.is_staff and any(map(user.has_perm, staff_permissions)):
        return Access(public=False, download_name=used_as or "")
    return None


def serve_file(request, name):
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    found = OWNED_NAME.fullmatch(name)
    decide = OWNERS.get(found["folder"]) if found else None
    access = decide(request, key=uuid.UUID(found["key"]), name=name) if decide else None
    if access is None:
        raise Http404
    headers = _headers(access, name)
    not_modified = get_conditional_response(request, etag=headers["ETag"])
    if not_modified is not None:
        return _with(headers, not_modified)
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if settings.FILES_ACCEL_REDIRECT:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.FILES_ACCEL_REDIRECT + quote(name)
    else:
        try:
            file = owned_files.open(name, "rb")
        except OSError as exc:  # referenced, but missing from the storage
            raise Http404 from exc
        response = FileResponse(file, content_type=content_type)
    return _with(headers, response)


def _with(headers, response):
    for name, value in headers.items():
        response[name] = value
    return response


def _headers(access, name):
    headers = {
        **FILE_HEADERS,
        # A name's content never changes (names are never reused), so the name is its tag.
        "ETag": f'"{hashlib.sha256(name.encode()).hexdigest()[:32]}"',
        "Content-Disposition": content_disposition_header(
            bool(access.download_name), access.download_name or posixpath.basename(name)
        ),
    }
    if access.public:
        max_age = PUBLIC_MAX_AGE
        if access.public_until is not None:
            remaining = (access.public_until - timezone.now()).total_seconds()
            max_age = max(0, min(max_age, int(remaining)))
        headers["Cache-Control"] = f"public, max-age={max_age}"
    else:
        headers["Cache-Control"] = "private, no-store"
    return headers
