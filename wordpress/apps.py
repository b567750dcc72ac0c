from django.apps import AppConfig


class WordPressConfig(AppConfig):
    name = "wordpress"
    verbose_name = "WordPress import"

    def ready(self):
        from publications.signals import files_relocated

        from .relocation import follow_relocated_files

        files_relocated.connect(follow_relocated_files, dispatch_uid="wordpress-relocated-files")
