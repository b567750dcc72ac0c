"""Moving publications' files stored before migration 0018 out of the public uploads.

Until then a publication's images, renditions and documents were public uploads named after
the upload (`publications/images/2026/05/photo.jpg`, `renditions/…-800.jpg`,
`publications/files/2026/12/embargoed-report-2027.pdf`), served to anyone whatever the
publication's state, and shared between rows (a translation used its original's files, the
WordPress import one photo for many posts). `relocate_files()` (migration 0019) gives every
row its own copy in its publication's folder of the private storage, under a random name
(forumasia/files.py), and rewrites the rows and their history's versions to match. Then, after
the transaction commits:

- the old public copies are deleted, except those the text of a page links (the WordPress
  import linked a photo in a body and used it as a featured image too): they stay public;
- what is left in the old folders, used by no row (images replaced, publications deleted:
  their files were still at their old addresses), is moved to the private storage under
  `retired/`, served by nothing, kept for whoever needs it back.

It works with the migration's historical models, is idempotent (a row whose files are all in
its folder is left alone; a second run finds nothing to do), and tells other apps what moved
with the `files_relocated` signal (the WordPress import's old-address redirects follow it).
`Relocation` serves any owner of files (editorial pages' images move the same way: pages
0007); nothing another row still names is ever retired.
"""

import json
import re
from functools import partial
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.files.storage import storages
from django.db import models, transaction

from forumasia.files import owned_name
from forumasia.images import rendition_names
from forumasia.storage_copy import storage_names

from .models import FILES_FOLDER
from .signals import files_relocated

RETIRED_FOLDER = "retired"


class Relocation:
    """Moves the files of one app's rows into their owners' folders (`folder`/<key>/), then
    retires what is left, unused, under `old_folders` of the public uploads."""

    def __init__(self, apps, *, app_label, folder, old_folders):
        self.apps = apps
        self.app_label = app_label
        self.folder = folder
        self.old_folders = old_folders
        self.public = storages["default"]
        self.private = storages["private"]
        self.moved = []  # (old name, owner id, new name, model name)
        self.missing = set()
        self.versions = {}  # (model name, pk) -> {old name: new name}

    def copy(self, name, *, key, mapping):
        """The new name of the old upload `name` for the owner with files key `key` (one copy
        per owner), or `name` itself when it is in place already or missing."""
        if not name or name.startswith(f"{self.folder}/{key}/"):
            return name
        if name not in mapping:
            try:
                with self.public.open(name, "rb") as source:
                    mapping[name] = self.private.save(owned_name(self.folder, key, name), source)
            except OSError:
                self.missing.add(name)
                mapping[name] = name
        return mapping[name]

    def copy_renditions(self, renditions, *, key, mapping):
        return [
            {
                **item,
                **{
                    k: self.copy(item[k], key=key, mapping=mapping)
                    for k in ("jpeg", "webp")
                    if item.get(k)
                },
            }
            for item in renditions or []
        ]

    def row_moved(self, model_name, pk, owner_id, mapping):
        moved = {old: new for old, new in mapping.items() if new != old}
        if moved:
            self.versions[(model_name, pk)] = moved
            self.moved.extend((old, owner_id, new, model_name) for old, new in moved.items())

    def images(self, model_name, *, image, renditions, owner, key):
        """Move the image and renditions of each row of `model_name` (fields named by the
        arguments: the row's owner's id and files key, maybe through a relation)."""
        model = self.apps.get_model(self.app_label, model_name)
        rows = model.objects.exclude(**{image: ""}).values_list("pk", owner, key, image, renditions)
        for pk, owner_id, files_key, name, sizes in rows.iterator(chunk_size=2000):
            mapping = {}
            values = {
                image: self.copy(name, key=files_key, mapping=mapping),
                renditions: self.copy_renditions(sizes, key=files_key, mapping=mapping),
            }
            if any(new != old for old, new in mapping.items()):
                model.objects.filter(pk=pk).update(**values)
            self.row_moved(model_name.lower(), pk, owner_id, mapping)

    def attachments(self):
        Attachment = self.apps.get_model("publications", "Attachment")
        rows = Attachment.objects.values_list(
            "pk", "publication_id", "publication__files_key", "file"
        )
        for pk, publication_id, key, name in rows.iterator(chunk_size=2000):
            mapping = {}
            new = self.copy(name, key=key, mapping=mapping)
            if new != name:
                Attachment.objects.filter(pk=pk).update(file=new)
            self.row_moved("attachment", pk, publication_id, mapping)

    def rewrite_versions(self):
        """The history's versions of each moved row name its new files, so restoring one
        brings back files that exist (names are quoted JSON strings in a version's data)."""
        try:
            Version = self.apps.get_model("reversion", "Version")
            ContentType = self.apps.get_model("contenttypes", "ContentType")
        except LookupError:
            return
        types = dict(
            ContentType.objects.filter(app_label=self.app_label).values_list("model", "pk")
        )
        for (model_name, pk), moved in self.versions.items():
            versions = Version.objects.filter(
                content_type_id=types.get(model_name), object_id=str(pk), format="json"
            )
            for version in versions:
                data = version.serialized_data
                for old, new in moved.items():
                    data = data.replace(json.dumps(old), json.dumps(new))
                if data != version.serialized_data:
                    Version.objects.filter(pk=version.pk).update(serialized_data=data)

    def leftovers(self, keep):
        """Files in the old folders that `keep` does not name."""
        for folder in self.old_folders:
            for name in storage_names(self.public, folder):
                if name not in keep:
                    yield name

    def finish(self):
        """After the rows moved: their history follows, then (after commit) the old copies go
        unless a text links them, and what no row names and no text links is retired."""
        self.rewrite_versions()
        linked = names_linked_from_text(self.apps)
        old_names = {old for old, *_ in self.moved}
        self.kept = old_names & linked
        delete = old_names - linked
        keep = linked | old_names | self.missing | names_in_use(self.apps)
        retire = set(self.leftovers(keep=keep))
        transaction.on_commit(partial(self.clean_up, delete=delete, retire=retire))
        return {
            "moved": len(self.moved),
            "missing": len(self.missing),
            "retired": len(retire),
        }

    def clean_up(self, *, delete, retire):
        for name in sorted(retire):
            with self.public.open(name, "rb") as source:
                self.private.save(f"{RETIRED_FOLDER}/{name}", source)
        for name in sorted(delete | retire):
            self.public.delete(name)


def relocate_files(apps):
    """Move every publication's files into its folder (see the module's text); returns counts."""
    relocation = Relocation(
        apps,
        app_label="publications",
        folder=FILES_FOLDER,
        old_folders=("publications", "renditions"),
    )
    relocation.images(
        "Publication",
        image="featured_image",
        renditions="featured_image_renditions",
        owner="pk",
        key="files_key",
    )
    relocation.images(
        "GalleryImage",
        image="image",
        renditions="renditions",
        owner="publication_id",
        key="publication__files_key",
    )
    relocation.attachments()
    counts = relocation.finish()
    files_relocated.send(sender=Relocation, apps=apps, moved=relocation.moved, kept=relocation.kept)
    return counts


def names_in_use(apps):
    """Every name a row of any model names (file fields, renditions): never retired."""
    names = set()
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                names.update(
                    model._base_manager.exclude(**{field.attname: ""}).values_list(
                        field.attname, flat=True
                    )
                )
            elif isinstance(field, models.JSONField) and field.name.endswith("renditions"):
                for renditions in model._base_manager.values_list(field.attname, flat=True):
                    names.update(rendition_names(renditions))
    return names


def names_linked_from_text(apps):
    """Names of public uploads that some text links (a body's `<img src>` or `<a href>` under
    MEDIA_URL), in every text column of every table that holds one."""
    link = re.compile(re.escape(settings.MEDIA_URL) + r"""([^\s"'<>()]+)""")
    names = set()
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.TextField):
                continue
            texts = model._base_manager.filter(
                **{f"{field.attname}__contains": settings.MEDIA_URL}
            ).values_list(field.attname, flat=True)
            for text in texts.iterator(chunk_size=500):
                names.update(unquote(urlsplit(found).path) for found in link.findall(text))
    return names
