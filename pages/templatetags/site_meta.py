"""Page metadata: JSON-LD blocks (schema.org) for the network, publications and members.

A JSON-LD block is a data block (`<script type="application/ld+json">`): browsers never run it,
so the public Content-Security-Policy (`script-src 'self'`, no inline script) does not block
it. It is still inside a <script> element, so the JSON is escaped the way Django's
`json_script` does: `<`, `>` and `&` become \\u003C, \\u003E and \\u0026, and a title containing
`</script>` cannot end the element.
"""

import html
import json

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.templatetags.static import static
from django.utils.html import format_html, strip_tags
from django.utils.safestring import mark_safe

from forumasia.files import owned_files
from forumasia.sites import main_site_urls

register = template.Library()

JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}
ARTICLE_TYPES = {"statement": "NewsArticle", "letter": "NewsArticle", "report": "Report"}


def absolute(url):
    return settings.SITE_URL + url if url.startswith("/") else url


def json_ld_script(data):
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(JSON_SCRIPT_ESCAPES)),  # noqa: S308 - escaped just above
    )


def network_data():
    return {
        "@type": "Organization",
        "name": settings.SITE_NAME,
        "alternateName": "Asian Forum for Human Rights and Development",
        "url": settings.SITE_URL + "/",
        "logo": absolute(static("img/favicon.svg")),
        "address": {
            "@type": "PostalAddress",
            "addressLocality": "Bangkok",
            "addressCountry": "TH",
        },
    }


def image_urls(renditions):
    return [absolute(owned_files.url(item["jpeg"])) for item in renditions if item.get("jpeg")]


@register.simple_tag
def organisation_json_ld():
    return json_ld_script({"@context": "https://schema.org", **network_data()})


def signatory_url(signature):
    """{"url": ...} of a signatory: a member's page here, a partner's own website if known."""
    if signature.member_id:
        return {"url": absolute(signature.member.get_absolute_url())}
    return {"url": signature.partner.website} if signature.partner.website else {}


@register.simple_tag
def publication_json_ld(publication, signatures=()):
    """Its structured data, with the main site's addresses: a sub-site's copy names them as
    canonical too (forumasia/sites.py)."""
    with main_site_urls():
        return json_ld_script(publication_data(publication, signatures))


def publication_data(publication, signatures):
    network = network_data()
    address = absolute(publication.get_absolute_url())
    authors = [
        {
            "@type": "Organization",
            "name": signature.signatory.name,
            **signatory_url(signature),
        }
        for signature in signatures
    ] or [network]
    data = {
        "@context": "https://schema.org",
        "@type": ARTICLE_TYPES.get(publication.type, "Article"),
        "headline": publication.title[:110],
        "name": publication.title,
        "description": publication.standfirst,
        "url": address,
        "mainEntityOfPage": address,
        "datePublished": publication.publish_at,
        "dateModified": publication.updated_at,
        "inLanguage": publication.language,
        "author": authors,
        "publisher": network,
        "keywords": [tag.name for tag in publication.tags.all()],
        "about": [
            {"@type": "Country", "name": country.name} for country in publication.countries.all()
        ],
    }
    images = image_urls(publication.featured_image_renditions)
    if images:
        data["image"] = images
    return data


@register.simple_tag
def member_json_ld(member):
    """Its structured data, with its main site's address (as the canonical of its copies)."""
    with main_site_urls():
        return json_ld_script(member_data(member))


def member_data(member):
    data = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": member.name,
        "url": absolute(member.get_absolute_url()),
        "address": {
            "@type": "PostalAddress",
            "addressLocality": member.city,
            "addressCountry": member.country.code,
        },
        "memberOf": network_data(),
    }
    if member.acronym:
        data["alternateName"] = member.acronym
    same_as = [
        url
        for url in (member.website, member.facebook_url, member.x_url, member.linkedin_url)
        if url
    ]
    if same_as:
        data["sameAs"] = same_as
    return data


@register.filter
def og_image(renditions):
    """The absolute URL of the largest JPEG rendition, for og:image / twitter:image."""
    urls = image_urls(renditions or [])
    return urls[-1] if urls else ""


@register.filter
def plain_text(markup):
    """The text of sanitised HTML (tags dropped, entities decoded), as plain text: the
    template escapes it like any text, also inside an attribute. (`striptags` keeps the
    "safe" mark of its input, so text the editor wrote as `" http-equiv="refresh` would end a
    <meta> attribute.)"""
    return html.unescape(strip_tags(str(markup or "")))


@register.simple_tag(takes_context=True)
def canonical_page_url(context):
    """The canonical URL (context processor) with `?page=N` when the view shows a page beyond
    the first (`page_obj`, the page it read from its form)."""
    number = getattr(context.get("page_obj"), "number", 1)
    url = context.get("canonical_url", "")
    return f"{url}?page={number}" if url and number > 1 else url
