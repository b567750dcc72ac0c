from csp.middleware import CSPMiddleware
from django.conf import settings

# CKEditor 4 writes inline styles and loads its skin and plugins from our own static files; it
# needs neither inline script nor eval. Images may come from blob:/data: while editing.
ADMIN_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'self'"],
}


class SiteCSPMiddleware(CSPMiddleware):
    """The public policy from settings everywhere, the admin's own policy under /admin/."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith(("/admin/", "/ckeditor/")):
            # Images in the editor and the admin's previews come from the media origin too.
            parts.config = {
                **ADMIN_POLICY,
                "img-src": [*ADMIN_POLICY["img-src"], *settings.MEDIA_ORIGINS],
            }
        return parts
