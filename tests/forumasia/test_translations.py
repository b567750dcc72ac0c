"""The committed catalogues (locale/<language>/LC_MESSAGES/django.po and .mo) against the code.

- Regenerated with the project's own `makemessages` (forumasia/management/commands/) from a
  copy of the code, each catalogue must hold every string the code and templates mark: a
  string added without `make messages` fails here, named.
- Each committed .mo must say what GNU msgfmt compiles from its .po (a fresh machine needs
  only Python to serve translations: the .mo files are committed, not built at install).

- The compiled catalogues are the ones the site reads: a page renders in Thai and in Indonesian.

The first two need GNU gettext (xgettext, msgfmt): they skip, saying so, without it, unless
REQUIRE_GETTEXT=1 (CI, which installs the gettext package), when they fail.
"""

import gettext
import os
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command

from forumasia.management.commands.makemessages import IGNORED

LANGUAGES = ["th", "id"]
LOCALE = Path(settings.BASE_DIR) / "locale"
GETTEXT_TOOLS = ("xgettext", "msgmerge", "msguniq", "msgattrib", "msgfmt")


@pytest.fixture
def gettext_tools():
    missing = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if missing and os.environ.get("REQUIRE_GETTEXT") == "1":
        pytest.fail(f"REQUIRE_GETTEXT=1 but GNU gettext is missing: {', '.join(missing)}")
    if missing:
        pytest.skip(f"GNU gettext is not installed ({', '.join(missing)}): apt-get install gettext")


def regenerated_catalogue(tmp_path, monkeypatch, settings, language):
    """The catalogue `makemessages` writes for `language` from a copy of the code, in
    tmp_path: the committed files are left untouched."""
    source = tmp_path / "source"
    shutil.copytree(
        settings.BASE_DIR,
        source,
        ignore=shutil.ignore_patterns(".*", "__pycache__", "*.pyc", *IGNORED),
        symlinks=True,
    )
    (source / "locale").mkdir()
    settings.LOCALE_PATHS = [source / "locale"]
    monkeypatch.chdir(source)
    call_command("makemessages", locale=[language], verbosity=0)
    return polib.pofile(str(source / "locale" / language / "LC_MESSAGES" / "django.po"))


def keys(catalogue):
    return {
        (entry.msgctxt, entry.msgid, entry.msgid_plural)
        for entry in catalogue
        if not entry.obsolete
    }


def shown(missing):
    return "\n".join(
        sorted(
            f"  {msgid!r}" + (f" (context {context!r})" if context else "")
            for context, msgid, _ in missing
        )
    )


@pytest.mark.usefixtures("gettext_tools")
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_holds_every_string_the_code_marks(tmp_path, monkeypatch, settings, language):
    committed = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    code = regenerated_catalogue(tmp_path, monkeypatch, settings, language)

    missing = keys(code) - keys(committed)
    stale = keys(committed) - keys(code)

    assert len(keys(code)) > 300  # the copy held the templates and the apps
    assert not missing, (
        f"locale/{language}/LC_MESSAGES/django.po lacks strings the code marks; run "
        f"`make messages` and translate them:\n{shown(missing)}"
    )
    assert not stale, (
        f"locale/{language}/LC_MESSAGES/django.po holds strings the code no longer marks; run "
        f"`make messages`:\n{shown(stale)}"
    )


@pytest.mark.usefixtures("gettext_tools")
@pytest.mark.parametrize("language", LANGUAGES)
def test_each_committed_mo_is_what_msgfmt_compiles_from_its_po(tmp_path, language):
    folder = LOCALE / language / "LC_MESSAGES"
    compiled = tmp_path / "django.mo"
    subprocess.run(
        ["msgfmt", "--check-format", "-o", str(compiled), str(folder / "django.po")], check=True
    )

    with (folder / "django.mo").open("rb") as committed, compiled.open("rb") as fresh:
        committed_catalogue = gettext.GNUTranslations(committed)._catalog
        fresh_catalogue = gettext.GNUTranslations(fresh)._catalog

    assert committed_catalogue == fresh_catalogue, (
        f"locale/{language}/LC_MESSAGES/django.mo is out of date: run `make messages`"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_translation_is_marked_fuzzy_so_none_is_silently_ignored(language):
    catalogue = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))

    assert not catalogue.metadata_is_fuzzy
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading", "subscribe"),
    [
        ("th", "สิทธิมนุษยชนและการพัฒนาทั่วเอเชีย", "สมัครรับข่าว"),
        ("id", "Hak asasi manusia dan pembangunan di seluruh Asia", "Berlangganan"),
    ],
)
def test_the_committed_catalogues_translate_the_pages(
    client, settings, language, heading, subscribe
):
    """The compiled catalogues are the ones the site reads (the language is the site's own
    here: choosing it by address is not this test's concern)."""
    settings.LANGUAGE_CODE = language
    cache.clear()

    home = client.get("/").content.decode()
    signup = client.get("/newsletter/").content.decode()

    assert heading in home
    assert f">{subscribe}</button>" in signup
