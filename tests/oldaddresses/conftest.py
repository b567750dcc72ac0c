"""Old addresses are made by the WordPress import: these tests import the same export the
import's tests use (tests/wordpress/conftest.py) and ask for its old addresses."""

from tests.wordpress.conftest import export_file, media_dir, private_exports

__all__ = ["export_file", "media_dir", "private_exports"]
