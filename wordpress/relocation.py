"""The import's records follow publications' files when they move into the publications' own
folders (publications/relocation.py, migration publications 0019).

- `ImportedMedia`: each copy made for a publication is recorded for that publication and use,
  so old addresses (`/wp-content/uploads/…`) lead to it and a second import reuses it; the
  record of the public copy goes unless a page's text still links it.
- `ImportedItem.target_hash`: the move is no editor's change. An item unchanged since its
  import stays "unchanged" (its hash is written again with the new file name), so a later
  import still updates it.
"""

from collections import defaultdict

USES = {"publication": "featured", "galleryimage": "gallery", "attachment": "document"}


def record_model(apps, name):
    """The import's records belong to `oldaddresses` since its 0001, which runs after
    publications 0019: that migration's `apps` still has them in `wordpress`."""
    try:
        return apps.get_model("oldaddresses", name)
    except LookupError:
        return apps.get_model("wordpress", name)


def follow_relocated_files(sender, *, apps, moved, kept, **kwargs):
    ImportedMedia = record_model(apps, "ImportedMedia")
    copies = defaultdict(list)
    for old, publication_id, new, model_name in moved:
        copies[old].append((publication_id, new, USES[model_name]))
    for record in ImportedMedia.objects.filter(publication__isnull=True).iterator():
        if record.stored_name not in copies:
            continue
        for publication_id, new, use in copies[record.stored_name]:
            ImportedMedia.objects.get_or_create(
                site_url=record.site_url,
                source=record.source,
                publication_id=publication_id,
                use=use,
                defaults={"stored_name": new},
            )
        if record.stored_name not in kept:
            record.delete()
    _rehash_unchanged_items(apps, moved)


def _rehash_unchanged_items(apps, moved):
    from .services import publication_hash

    ImportedItem = record_model(apps, "ImportedItem")
    TaggedItem = apps.get_model("taggit", "TaggedItem")
    renamed = defaultdict(dict)  # publication id -> {new name: old name} of its own row
    for old, publication_id, new, model_name in moved:
        if model_name == "publication":
            renamed[publication_id][new] = old
    records = ImportedItem.objects.filter(publication_id__in=list(renamed))
    for record in records.select_related("publication"):
        publication = record.publication
        old = renamed[publication.pk].get(publication.featured_image.name)
        if old is None:
            continue
        tags = TaggedItem.objects.filter(
            content_type__app_label="publications",
            content_type__model="publication",
            object_id=publication.pk,
        ).values_list("tag__name", flat=True)
        countries = publication.countries.values_list("code", flat=True)
        now_named = publication_hash(publication, tags=list(tags), countries=list(countries))
        publication.featured_image = old
        before = publication_hash(publication, tags=list(tags), countries=list(countries))
        if record.target_hash == before:
            ImportedItem.objects.filter(pk=record.pk).update(target_hash=now_named)
