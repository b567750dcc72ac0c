from django import template

from newsletter.forms import CONSENT_TEXT

register = template.Library()


@register.simple_tag
def newsletter_consent_text():
    """The consent wording, from the one place the service also records it from."""
    return CONSENT_TEXT
