from django.apps import AppConfig, apps
from django.db.models.signals import pre_save


def sanitise_editorial_page(sender, instance, **kwargs):
    # The same invariant as publication bodies: stored HTML is always clean, whoever saves it
    # (admin, shell, fixtures, the WordPress import). A signal, because FlatPage is Django's
    # model, not ours; it is cheap and does nothing but clean the field being saved.
    from forumasia.sanitise import clean_html

    instance.content = clean_html(instance.content)


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Pages"

    def ready(self):
        from forumasia import history
        from forumasia.cache import register_public_content

        editorial_page = apps.get_model("flatpages", "FlatPage")
        pre_save.connect(
            sanitise_editorial_page, sender=editorial_page, dispatch_uid="sanitise-editorial-page"
        )
        register_public_content(editorial_page)
        history.register(editorial_page)
