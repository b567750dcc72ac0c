"""Files of the old site, taken from a local copy of `wp-content/uploads` (`--media-dir`).

Nothing is ever fetched over the network: a URL is only used to find a file under the media
folder, and only when it points at the old site's uploads. Images go through the site's one
image pipeline (`validate_image_file`, then `strip_metadata`: GPS and camera data never reach
the new site); documents go through the site's document cleaning (`clean_document`: a PDF
is rebuilt without its hidden data, plain text and CSV are checked, Word, OpenDocument and
the like are refused and reported) and become publication attachments. Other files (audio,
video, archives, HTML, SVG) are refused: they are not something our pages show, and some
could run script from our domain.

Stored names are fixed by the source path (`wordpress/<host>/<year>/<month>/<file>`), so a
second run finds what the first one stored instead of writing copies.
"""

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ValidationError
from django.core.files import File

from forumasia.documents import clean_document
from forumasia.images import strip_metadata, validate_image_file
from publications.models import ATTACHMENT_EXTENSIONS

IMAGE_EXTENSIONS = {"jpg", "jpeg", "png", "gif", "webp"}
UPLOADS_MARKER = "/wp-content/uploads/"
# WordPress's resized copies: photo-300x200.jpg, and since 5.3 photo-scaled.jpg.
RESIZED = re.compile(r"-(?:\d+x\d+|scaled)(?=\.[A-Za-z0-9]+$)")


@dataclass(frozen=True)
class StoredFile:
    source: str  # the path under uploads, e.g. 2019/05/report.pdf
    name: str  # the storage name
    kind: str  # "image" or "document"
    title: str = ""


class MediaProblem(Exception):
    """A file that cannot be imported; the message says why (for the report)."""


def uploads_path(url, *, site_hosts):
    """'2019/05/photo.jpg' for a link to the old site's uploads (or a relative one), else None."""
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:
        return None
    if parts.scheme not in ("", "http", "https"):
        return None
    host = (parts.hostname or "").lower()
    if host and host.removeprefix("www.") not in site_hosts:
        return None
    path = unquote(parts.path)
    if UPLOADS_MARKER not in path:
        return None
    return clean_relative(path.split(UPLOADS_MARKER, 1)[1])


def clean_relative(path):
    """A safe relative path ('2019/05/a.pdf') or None: no '..', no hidden or empty parts."""
    segments = (path or "").replace("\\", "/").split("/")
    if not segments or any(s in ("", ".", "..") or s.startswith(".") for s in segments):
        return None
    if any("\x00" in segment for segment in segments):
        return None
    return "/".join(segments)


def site_hosts_of(*urls):
    return {
        (urlsplit(url).hostname or "").lower().removeprefix("www.")
        for url in urls
        if url and urlsplit(url).hostname
    }


class MediaLibrary:
    """Finds, checks and stores the old site's files for one import run.

    `dry_run` checks everything a real run would (the file is there, an image is a valid
    image) and writes nothing. `missing` and `refused` list what could not be imported, for the
    report; `written` lists the storage names this run created (removed again if the import
    fails).
    """

    def __init__(self, media_dir, *, site_url, site_hosts, storage, dry_run=False):
        self.root = Path(media_dir).resolve() if media_dir else None
        self.host = (urlsplit(site_url).hostname or "site").lower().removeprefix("www.")
        self.site_hosts = site_hosts
        self.storage = storage
        self.dry_run = dry_run
        self.stored: dict[str, StoredFile] = {}
        self.problems: dict[str, str] = {}
        self.written: list[str] = []

    def locate(self, relative):
        """The file for an uploads path: the original of a resized copy when it is there."""
        if self.root is None:
            return None
        for candidate in dict.fromkeys((RESIZED.sub("", relative), relative)):
            path = (self.root / candidate).resolve()
            # resolve() follows symbolic links: a link out of the media folder is refused.
            if path.is_relative_to(self.root) and path.is_file():
                return path, candidate
        return None

    def extension(self, relative):
        return PurePosixPath(relative).suffix.lower().lstrip(".")

    def store(self, relative, *, title=""):
        """The StoredFile for an uploads path; raises MediaProblem (also remembered)."""
        if relative in self.problems:
            raise MediaProblem(self.problems[relative])
        found = self.locate(relative)
        source = found[1] if found else relative
        if source in self.stored:
            return self.stored[source]
        try:
            stored = self._store(relative, found, title)
        except MediaProblem as problem:
            self.problems[relative] = str(problem)
            raise
        self.stored[stored.source] = stored
        return stored

    def _store(self, relative, found, title):
        extension = self.extension(relative)
        if extension in IMAGE_EXTENSIONS:
            kind = "image"
        elif extension in ATTACHMENT_EXTENSIONS:
            kind = "document"
        else:
            raise MediaProblem(f"not imported: .{extension or '?'} files are not accepted")
        if found is None:
            raise MediaProblem(
                "missing from the media folder"
                if self.root
                else "no media folder given (--media-dir, or WORDPRESS_MEDIA_DIR in the admin)"
            )
        path, source = found
        name = posixpath.join("wordpress", self.host, source)
        if kind == "document":
            name = posixpath.join("publications", "files", name)
        if self.storage.exists(name):
            return StoredFile(source, name, kind, title)
        with path.open("rb") as handle:
            upload = File(handle, name=path.name)
            try:
                if kind == "image":
                    validate_image_file(upload)
                    content = None if self.dry_run else strip_metadata(upload)
                else:
                    # A dry run cleans too: a document that would be refused is reported.
                    content = clean_document(upload, name=path.name)
            except ValidationError as exc:
                raise MediaProblem("not imported: " + " ".join(exc.messages)) from exc
            if not self.dry_run:
                name = self.storage.save(name, content)
                self.written.append(name)
        return StoredFile(source, name, kind, title)

    def url(self, stored):
        return self.storage.url(stored.name)
