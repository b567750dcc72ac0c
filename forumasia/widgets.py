"""The rich-text editor of every admin form with a body (publications, editorial pages)."""

from ckeditor.widgets import CKEditorWidget

# The admin's own Media for every form with a NewsroomEditorWidget: ckeditor-csp.js must run
# before CKEditor renders, and a ModelAdmin's Media come before its widgets' media.
NEWSROOM_EDITOR_JS = [
    "forumasia/ckeditor-csp.js",
    "forumasia/ckeditor-each.js",
    "forumasia/ckeditor-csrf.js",
    "forumasia/ckeditor-notices.js",
]


class NewsroomEditorWidget(CKEditorWidget):
    """CKEditor whose every image upload goes to `upload_url`, our own validated view
    (publications/uploads.py): pasted and dropped images (the uploadimage plugin) and the
    Image dialog's Upload tab. No "Browse server": editors pick images from their computer.
    The rest of the upload set-up is in settings.CKEDITOR_CONFIGS."""

    def __init__(self, *args, upload_url, **kwargs):
        super().__init__(*args, **kwargs)
        self.upload_url = upload_url  # lazy: a widget is made when its form class is defined

    def _set_config(self):
        super()._set_config()
        self.config["imageUploadUrl"] = str(self.upload_url)
        self.config["filebrowserImageUploadUrl"] = str(self.upload_url)
