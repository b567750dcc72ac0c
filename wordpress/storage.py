"""Private storage for exports uploaded in the admin: the site's private storage (a folder
outside MEDIA_ROOT, or the bucket's private/ prefix) that no URL serves, shared by every app
host and worker (an export holds drafts and private posts)."""

from django.core.files.storage import storages

EXPORTS_FOLDER = "wordpress-exports"


def export_storage():
    return storages["private"]
