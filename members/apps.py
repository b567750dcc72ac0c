from django.apps import AppConfig


def forget_map(sender, **kwargs):
    from .map import forget_cached_map

    forget_cached_map()


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Members"

    def ready(self):
        from forumasia import history
        from forumasia.events import content_changed

        from .models import MemberOrganisation

        # The map's counts may have changed with any editorial action (one cache delete).
        content_changed.connect(forget_map, dispatch_uid="members-map")
        history.register(MemberOrganisation)
