from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Members"

    def ready(self):
        from forumasia import history
        from forumasia.cache import register_public_content

        from .models import Country, MemberOrganisation

        register_public_content(MemberOrganisation, Country)
        history.register(MemberOrganisation)
