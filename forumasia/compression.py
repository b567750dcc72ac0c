"""Django's GZipMiddleware, minus files that are compressed already.

Images, PDFs and office documents served as files (forumasia/files.py, subscriber exports)
are compressed formats: gzip would spend CPU for nothing, and would drop the response's
Content-Length (browsers then show no download progress). Text files (a CSV export) are still
compressed.
"""

from django.http import FileResponse
from django.middleware import gzip


class GZipMiddleware(gzip.GZipMiddleware):
    def process_response(self, request, response):
        if isinstance(response, FileResponse) and not response.get("Content-Type", "").startswith(
            "text/"
        ):
            return response
        return super().process_response(request, response)
