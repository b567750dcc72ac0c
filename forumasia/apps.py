from django.apps import AppConfig


class ForumAsiaConfig(AppConfig):
    name = "forumasia"
    verbose_name = "Site"
