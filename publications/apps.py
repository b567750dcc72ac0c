from django.apps import AppConfig, apps
from django.db.models.signals import m2m_changed, post_delete, post_save


def refresh_vector_after_m2m(sender, instance, action, reverse, pk_set, **kwargs):
    """Countries and tags are part of the search vector; they change after the row is saved."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    from .models import Publication
    from .search import refresh_search_vectors

    if isinstance(instance, Publication):
        refresh_search_vectors(Publication.objects.filter(pk=instance.pk))
    elif pk_set:
        # From the other side (a country's or tag's publications changed).
        refresh_search_vectors(Publication.objects.filter(pk__in=pk_set))


def refresh_vectors_after_rename(sender, instance, created, **kwargs):
    """A renamed country, tag, member or partner: rewrite the vectors of its publications (one
    UPDATE)."""
    if created:
        return
    from .models import Publication
    from .search import refresh_search_vectors

    if sender._meta.label == "members.Country":
        refresh_search_vectors(Publication.objects.about_country(instance))
    elif sender._meta.label == "taggit.Tag":
        refresh_search_vectors(Publication.objects.tagged(instance))
    else:
        refresh_search_vectors(Publication.objects.signed_by(instance))


def refresh_vector_after_signature(sender, instance, **kwargs):
    """Signatories' names are part of the search vector; signatures are saved after the row."""
    from .models import Publication
    from .search import refresh_search_vectors

    refresh_search_vectors(Publication.objects.filter(pk=instance.publication_id))


class PublicationsConfig(AppConfig):
    name = "publications"
    verbose_name = "Publications"

    def ready(self):
        from forumasia import history
        from forumasia.cache import register_next_change, register_public_content
        from forumasia.files import register_owner
        from forumasia.media import serve_extensions

        from .files import file_access
        from .models import (
            ATTACHMENT_EXTENSIONS,
            FILES_FOLDER,
            Attachment,
            GalleryImage,
            PartnerOrganisation,
            Publication,
            Signature,
        )

        register_public_content(
            Publication,
            Signature,
            PartnerOrganisation,
            Attachment,
            GalleryImage,
            apps.get_model("taggit", "Tag"),
        )
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
            exclude=("search_vector", "tags", "signatories"),
        )
        # Publications' files are served while the publication is public (publications/files.py).
        register_owner(FILES_FOLDER, file_access)
        # Documents among the public uploads (linked from editorial pages by the WordPress
        # import), where the app serves uploads itself.
        serve_extensions(*ATTACHMENT_EXTENSIONS)

        m2m_changed.connect(
            refresh_vector_after_m2m,
            sender=Publication.countries.through,
            dispatch_uid="publication-countries-vector",
        )
        m2m_changed.connect(
            refresh_vector_after_m2m,
            sender=apps.get_model("taggit", "TaggedItem"),
            dispatch_uid="publication-tags-vector",
        )
        for signal in (post_save, post_delete):
            signal.connect(
                refresh_vector_after_signature,
                sender=Signature,
                dispatch_uid=f"vector-signature-{signal is post_save}",
            )
        for label in (
            "members.Country",
            "taggit.Tag",
            "members.MemberOrganisation",
            "publications.PartnerOrganisation",
        ):
            post_save.connect(
                refresh_vectors_after_rename,
                sender=apps.get_model(label),
                dispatch_uid=f"vector-rename-{label}",
            )
