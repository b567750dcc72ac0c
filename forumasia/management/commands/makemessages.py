"""Django's makemessages with this project's defaults, so that translators and the catalogue
test (tests/forumasia/test_translations.py) get the same catalogues from the same command.

- Only the project's own code and templates are read: not the dependencies in node_modules,
  collected static files, uploads, tests, benchmarks or deployment files.
- References name the file, not the line (`--add-location=file`): a translator still sees
  where a string is used, and an edit that moves lines does not rewrite every catalogue.
- A new string is added empty, never with a fuzzy guess from a similar one: Django ignores
  fuzzy entries, and the catalogue test refuses them.
"""

from django.core.management.commands import makemessages

IGNORED = ["node_modules", "staticfiles", "media", "tests", "bench", "deploy", "locale"]


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]

    def handle(self, *args, **options):
        options["ignore_patterns"] = [*options["ignore_patterns"], *IGNORED]
        options["add_location"] = options["add_location"] or "file"
        return super().handle(*args, **options)
