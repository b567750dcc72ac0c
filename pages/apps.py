from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Pages"

    def ready(self):
        from forumasia import history
        from forumasia.cache import register_next_change
        from forumasia.files import register_owner

        from .files import file_access
        from .models import FILES_FOLDER, Page

        # Cached pages go stale when an editorial page goes public or leaves by the clock (a
        # save is a change event: forumasia/events.py).
        register_next_change(Page.objects.next_publish_at)
        register_next_change(Page.objects.next_unpublish_at)
        history.register(Page)
        # A page's image is served while the page is public (pages/files.py).
        register_owner(FILES_FOLDER, file_access)
