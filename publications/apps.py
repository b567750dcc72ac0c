from django.apps import AppConfig, apps


def refresh_changed_vectors(sender, rows, **kwargs):
    """After each editorial action (forumasia/events.py): the search vectors of the
    publications the written rows show in, in one UPDATE. (Cached fragments need nothing: they
    are keyed on what they show, publications/article.py.)"""
    from .models import Publication
    from .search import refresh_search_vectors

    showing = Publication.objects.showing(rows)
    if showing is not None:
        refresh_search_vectors(showing)


class PublicationsConfig(AppConfig):
    name = "publications"
    verbose_name = "Publications"

    def ready(self):
        from forumasia import history
        from forumasia.cache import register_next_change
        from forumasia.events import content_changed
        from forumasia.files import register_owner
        from forumasia.media import serve_extensions

        from .files import file_access
        from .models import (
            ATTACHMENT_EXTENSIONS,
            FILES_FOLDER,
            Attachment,
            GalleryImage,
            Publication,
            Signature,
        )

        content_changed.connect(refresh_changed_vectors, dispatch_uid="publications-vectors")
        # A publication goes public and leaves by the clock alone: cached pages end there.
        register_next_change(Publication.objects.next_publish_at)
        register_next_change(Publication.objects.next_unpublish_at)

        # Each revision of a publication holds its signatures (their order), attachments,
        # gallery and themes; countries are in its own row's data.
        tag_link = apps.get_model("taggit", "TaggedItem")
        for follow_up in (Signature, Attachment, GalleryImage, tag_link):
            history.register(follow_up)
        history.register(
            Publication,
            follow=("signatures", "attachments", "gallery_images", "tag_links"),
            exclude=("search_vector", "unspaced_text", "tags", "signatories"),
        )
        # Publications' files are served while the publication is public (publications/files.py).
        register_owner(FILES_FOLDER, file_access)
        # Documents among the public uploads (linked from editorial pages by the WordPress
        # import), where the app serves uploads itself.
        serve_extensions(*ATTACHMENT_EXTENSIONS)
