"""Private storage for exports uploaded in the admin: a folder outside MEDIA_ROOT that no URL
serves, readable by the app's user only (an export holds drafts and private posts)."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage


def export_storage():
    return FileSystemStorage(
        location=settings.WORDPRESS_EXPORTS_DIR,
        file_permissions_mode=0o600,
        directory_permissions_mode=0o700,
    )
