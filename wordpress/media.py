"""Files of the old site, taken from a local copy of `wp-content/uploads` (`--media-dir`).

Nothing is ever fetched over the network: a URL is only used to find a file under the media
folder, and only when it points at the old site's uploads. Images go through the site's one
image pipeline (`validate_image_file`, then `strip_metadata`: GPS and camera data never reach
the new site); documents go through the site's document cleaning (`clean_document`: a PDF
is rebuilt without its hidden data, plain text and CSV are checked, Word, OpenDocument and
the like are refused and reported) and become publication attachments. Other files (audio,
video, archives, HTML, SVG) are refused: they are not something our pages show, and some
could run script from our domain.

Where a copy goes depends on who uses it:
- a post's featured image, gallery images and documents are its publication's own: copied into
  its folder of the private storage (forumasia/files.py), one copy per publication and use,
  served only while it is public. One photo leading many posts is copied for each.
- images in a body's text (and a page's documents) are public uploads, one copy per source.

Every copy has a random name; `ImportedMedia` remembers each (source, owner, use) and its
name, so a second run finds what the first one stored instead of writing copies, and old
addresses of the files lead to them.
"""

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ValidationError
from django.core.files import File

from forumasia.documents import clean_document
from forumasia.files import owned_files, owned_name, random_upload_name
from forumasia.images import strip_metadata, validate_image_file
from oldaddresses.models import ImportedMedia
from oldaddresses.redirects import RESIZED, clean_relative
from publications.models import ATTACHMENT_EXTENSIONS, FILES_FOLDER

IMAGE_EXTENSIONS = {"jpg", "jpeg", "png", "gif", "webp"}
UPLOADS_MARKER = "/wp-content/uploads/"
# The folder of the public copies (images of bodies, documents of pages).
PUBLIC_FOLDER = "wordpress"


@dataclass(frozen=True)
class StoredFile:
    source: str  # the path under uploads, e.g. 2019/05/report.pdf
    name: str  # the storage name
    kind: str  # "image" or "document"
    title: str = ""
    owner: object = None  # the Publication whose folder holds it; None: a public upload
    use: str = ""  # how the owner uses it: "featured", "gallery" or "document"


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
    report; `written` lists the (storage, name) of each file this run created (removed again if
    the import fails). `storage` keeps the public copies, `owned_storage` the publications'.
    """

    def __init__(
        self, media_dir, *, site_url, site_hosts, storage, owned_storage=None, dry_run=False
    ):
        self.root = Path(media_dir).resolve() if media_dir else None
        self.site_url = site_url
        self.site_hosts = site_hosts
        self.storage = storage
        self.owned_storage = owned_storage or owned_files
        self.dry_run = dry_run
        self.stored: dict[tuple, StoredFile] = {}
        # source -> (storage, name) of the first copy this run made of it.
        self.first_copies: dict[str, tuple] = {}
        self.problems: dict[str, str] = {}
        self.written: list[tuple] = []

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

    def kind_of(self, relative):
        """ "image", "document", or None for a kind of file that is not imported."""
        extension = PurePosixPath(relative).suffix.lower().lstrip(".")
        if extension in IMAGE_EXTENSIONS:
            return "image"
        return "document" if extension in ATTACHMENT_EXTENSIONS else None

    def store(self, relative, *, title="", owner=None, use=""):
        """The StoredFile for an uploads path, as a public upload or, with `owner` (a
        Publication, saved or not), as `owner`'s file for `use`; raises MediaProblem (also
        remembered)."""
        if relative in self.problems:
            raise MediaProblem(self.problems[relative])
        found = self.locate(relative)
        source = found[1] if found else relative
        key = (source, owner.files_key if owner is not None else None, use)
        if key in self.stored:
            return self.stored[key]
        try:
            stored = self._store(relative, found, title, owner, use)
        except MediaProblem as problem:
            self.problems[relative] = str(problem)
            raise
        self.stored[key] = stored
        return stored

    def _earlier_copy(self, source, owner, use, storage):
        """The name an earlier run stored `source` under for the same owner and use, if the
        file is still there."""
        if owner is not None and owner.pk is None:
            return None
        name = (
            ImportedMedia.objects.filter(
                site_url=self.site_url, source=source, publication=owner, use=use
            )
            .values_list("stored_name", flat=True)
            .first()
        )
        return name if name and storage.exists(name) else None

    def _new_name(self, owner, filename):
        if owner is None:
            return random_upload_name(PUBLIC_FOLDER, filename)
        return owned_name(FILES_FOLDER, owner.files_key, filename)

    def _store(self, relative, found, title, owner, use):
        kind = self.kind_of(relative)
        if kind is None:
            extension = PurePosixPath(relative).suffix.lower().lstrip(".")
            raise MediaProblem(f"not imported: .{extension or '?'} files are not accepted")
        if found is None:
            raise MediaProblem(
                "missing from the media folder"
                if self.root
                else "no media folder given (--media-dir, or WORDPRESS_MEDIA_DIR in the admin)"
            )
        path, source = found
        storage = self.storage if owner is None else self.owned_storage
        name = self._earlier_copy(source, owner, use, storage) or self._copy_of_first(
            source, owner, storage
        )
        if name:
            return StoredFile(source, name, kind, title, owner, use)
        with path.open("rb") as handle:
            upload = File(handle, name=path.name)
            try:
                if kind == "image":
                    validate_image_file(upload)
                    content = None if self.dry_run else strip_metadata(upload)
                    # Named after its real format (a PNG sent as photo.jpg is a .png).
                    filename = content.name if content else path.name
                else:
                    # A dry run cleans too: a document that would be refused is reported.
                    content = clean_document(upload, name=path.name)
                    filename = path.name
            except ValidationError as exc:
                raise MediaProblem("not imported: " + " ".join(exc.messages)) from exc
            name = self._new_name(owner, filename)
            if not self.dry_run:
                name = storage.save(name, content)
                self.written.append((storage, name))
        self.first_copies[source] = (storage, name)
        return StoredFile(source, name, kind, title, owner, use)

    def _copy_of_first(self, source, owner, storage):
        """A new copy of the file this run stored first for `source` (checked and cleaned
        already: its bytes are copied, not read and encoded again), or None."""
        if source not in self.first_copies:
            return None
        first_storage, first_name = self.first_copies[source]
        name = self._new_name(owner, first_name)
        if not self.dry_run:
            with first_storage.open(first_name, "rb") as handle:
                name = storage.save(name, handle)
            self.written.append((storage, name))
        return name

    def url(self, stored):
        storage = self.storage if stored.owner is None else self.owned_storage
        return storage.url(stored.name)
