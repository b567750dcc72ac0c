"""Headers for every response that is a file rather than a page: static files (WhiteNoise),
uploads the app serves itself (forumasia/media.py) and owned files (forumasia/files.py). nginx
sends the same for the files it serves (deploy/nginx/forumasia.conf).

A file opened on its own (an SVG, an HTML file someone managed to store, a PDF) runs nothing
and loads nothing (`default-src 'none'`, `sandbox`: no script, no form, its own opaque
origin), and no other site can show it inside a frame of its own (`frame-ancestors 'none'`
and, for older browsers, `X-Frame-Options`). Inline styles stay allowed: browsers draw an image
opened on its own with them. This module imports nothing, so settings.py can name
`add_file_headers` for WhiteNoise.
"""

FILE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox"
FILE_HEADERS = {"Content-Security-Policy": FILE_POLICY, "X-Frame-Options": "DENY"}


def add_file_headers(headers, path=None, url=None):
    """WhiteNoise's WHITENOISE_ADD_HEADERS_FUNCTION: the file headers on every static file."""
    for name, value in FILE_HEADERS.items():
        headers[name] = value
