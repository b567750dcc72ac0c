"""The site's URLs plus one page of the bench's own, for the instruction measure
(bench/instructions.py) only: the layout alone (base.html with an empty content block, no
query), the unit every page's cost is expressed in. Never part of the application's URLs."""

from functools import cache

from django.http import HttpResponse
from django.template import engines
from django.urls import path

from bench.instructions import LAYOUT_ONLY_PATH
from forumasia.urls import urlpatterns as site_urlpatterns


@cache
def layout_template():
    return engines["django"].from_string('{% extends "base.html" %}')


def layout_only(request):
    return HttpResponse(layout_template().render({}, request))


# First: the site's last pattern takes any address an editorial page might have.
urlpatterns = [path(LAYOUT_ONLY_PATH.lstrip("/"), layout_only), *site_urlpatterns]
