"""The email services' tracking webhooks: django-anymail's views, at /anymail/<service>/tracking/
(the addresses anymail's documentation gives), behind one view of ours that lets a request in
only when a webhook secret is configured.

Anymail checks the secret itself (HTTP basic auth, ANYMAIL["WEBHOOK_SECRET"], compared in
constant time; a wrong or missing one is a 400) but, with none configured, accepts anyone's
events after a warning: here the address does not exist then (404), so that nobody can post a
forged bounce to a site that has not set the secret. Only the tracking views are routed
(no inbound mail), and each ESP's own signature checks (Mailgun's, Amazon SNS's) still run.
"""

import logging

from anymail import urls as anymail_urls
from anymail.utils import get_anymail_setting
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404
from django.views.decorators.csrf import csrf_exempt

logger = logging.getLogger(__name__)

# "postmark" -> Postmark's tracking view, as anymail routes it (one per service it supports).
TRACKING_VIEWS = {
    str(pattern.pattern).split("/")[0]: pattern.callback
    for pattern in anymail_urls.urlpatterns
    if pattern.name.endswith("_tracking_webhook") and pattern.name != "mandrill_tracking_webhook"
}


def webhook_secret_configured() -> bool:
    return bool(get_anymail_setting("webhook_secret", default=[]))


# An email service posts without a CSRF token, as anymail's own views allow; its basic-auth
# secret (and, for some services, a signature) is what proves the post is theirs.
@csrf_exempt
def tracking_webhook(request, service):
    view = TRACKING_VIEWS.get(service)
    if view is None or not webhook_secret_configured():
        raise Http404("No such webhook")
    try:
        return view(request)
    except ImproperlyConfigured:
        # A service the site is not set up for (Mailgun's view needs its signing key before
        # it reads a request): not an error of the request's, and no webhook of ours.
        logger.warning("A request to the %s webhook, which is not configured.", service)
        raise Http404("No such webhook") from None
