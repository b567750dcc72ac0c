"""The network map on /members/ (and, through `{% network_map %}`, anywhere else).

An inline SVG of Asia drawn here, server-side, from the country shapes that
pygal_maps_world ships in `worldmap.svg` (one `<g class="xx country">` of `<path>`s per
lowercase ISO code). pygal itself never renders: its output loads a tooltip script from a
CDN, and public pages make no third-party request and run no inline script.

- Shapes: only the paths of the countries in our `Country` table. Each path is turned into
  absolute whole-unit coordinates with curves drawn as straight segments (at the size the map
  is shown, one unit is about one pixel), and islands smaller than a unit are dropped: that
  cuts ~160 kB of path data to a fraction. Parsed once per process from the package's file
  (derived from a read-only file, not state another host would need).
- Countries too small to see or click (Singapore, Bahrain, Hong Kong, Macao, the Maldives)
  get a dot. Countries the file has no shape for (Qatar) are simply not drawn; the country
  list under the map still links them.
- Shading: a few fixed steps of the brand colour by number of current members, as CSS classes
  (members.css), with a legend. Every country is a link to its page with a <title>.
- Cache: the rendered SVG is kept in Django's cache under CACHE_KEY, one per interface language
  (its links carry the page's language prefix, /th/countries/…), forgotten by every change
  event (`forget_cached_map()`, members/apps.py: after the action's transaction commits, so a
  page rendered mid-transaction cannot keep the old counts). Writes that bypass the services
  are covered by the timeout.
"""

import functools
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pygal_maps_world
from django.conf import settings
from django.core.cache import cache
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext

CACHE_KEY = "members:network-map:v2:{language}"
CACHE_TIMEOUT = 6 * 60 * 60
WORLDMAP_SVG = Path(pygal_maps_world.__file__).parent / "worldmap.svg"
SVG_NS = "http://www.w3.org/2000/svg"
# (lowest member count, css class, legend label); 0 members is "step-0".
STEPS = [(1, "step-1", "1"), (2, "step-2", "2–3"), (4, "step-3", "4–5"), (6, "step-4", "6+")]
MARGIN = 12
DOT_BELOW = 8  # countries whose shape is smaller than this (in units) also get a dot
DOT_RADIUS = 5

_TOKEN = re.compile(r"[a-zA-Z]|-?(?:\d+\.?\d*|\.\d+)(?:e-?\d+)?")
_ARITY = {"m": 2, "l": 2, "h": 1, "v": 1, "c": 6, "s": 4, "q": 4, "t": 2, "z": 0}


def forget_cached_map():
    cache.delete_many([CACHE_KEY.format(language=code) for code, _name in settings.LANGUAGES])


def _outlines(d):
    """The path `d` as lists of absolute (x, y) points, one list per sub-path.

    Handles the commands worldmap.svg uses (m l h v c s q t z, relative and absolute);
    for curves only the end point is kept.
    """
    outlines, points = [], []
    x = y = start_x = start_y = 0.0
    command = None
    tokens = _TOKEN.findall(d)
    i = 0
    while i < len(tokens):
        if tokens[i].isalpha():
            command = tokens[i]
            i += 1
            if command in "zZ":
                x, y = start_x, start_y
                continue
        arity = _ARITY[command.lower()]
        args = [float(t) for t in tokens[i : i + arity]]
        i += arity
        relative = command.islower()
        lower = command.lower()
        if lower == "h":
            x = x + args[0] if relative else args[0]
        elif lower == "v":
            y = y + args[0] if relative else args[0]
        else:
            ex, ey = args[-2], args[-1]
            x, y = (x + ex, y + ey) if relative else (ex, ey)
        if lower == "m":
            if points:
                outlines.append(points)
            points = [(x, y)]
            start_x, start_y = x, y
            command = "l" if relative else "L"  # further pairs after a move are lines
        else:
            points.append((x, y))
    if points:
        outlines.append(points)
    return outlines


def _bbox(points):
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


@functools.lru_cache(maxsize=1)
def country_shapes():
    """{"np": ("M…Z", (x0, y0, x1, y1)), …} for every country in worldmap.svg."""
    tree = ET.parse(WORLDMAP_SVG)  # noqa: S314 — a file shipped in an installed package
    shapes = {}
    for group in tree.getroot().iter(f"{{{SVG_NS}}}g"):
        classes = (group.get("class") or "").split()
        if "country" not in classes:
            continue
        code = classes[0]
        parts, all_points = [], []
        for path in group.iter(f"{{{SVG_NS}}}path"):
            for outline in _outlines(path.get("d", "")):
                all_points.extend(outline)
                x0, y0, x1, y1 = _bbox(outline)
                if (x1 - x0) < 1 and (y1 - y0) < 1:
                    continue  # an islet smaller than a pixel
                rounded = []
                for px, py in outline:
                    point = (round(px), round(py))
                    if not rounded or rounded[-1] != point:
                        rounded.append(point)
                if len(rounded) < 3:
                    continue
                parts.append(
                    "M"
                    + " ".join(f"{px} {py}" for px, py in rounded[:1])
                    + "L"
                    + " ".join(f"{px} {py}" for px, py in rounded[1:])
                    + "Z"
                )
        if all_points:
            shapes[code] = ("".join(parts), _bbox(all_points))
    return shapes


def _step(count):
    css = "step-0"
    for lowest, name, _label in STEPS:
        if count >= lowest:
            css = name
    return css


def _members_label(count):
    if count == 0:
        return gettext("no current members")
    return ngettext("%(count)d member", "%(count)d members", count) % {"count": count}


def render_map(countries):
    """The SVG markup for `countries` (objects with code, name, member_count, get_absolute_url)."""
    shapes = country_shapes()
    drawn = [(c, shapes[c.code.lower()]) for c in countries if c.code.lower() in shapes]
    if not drawn:
        return ""
    x0 = min(box[0] for _c, (_d, box) in drawn) - MARGIN
    y0 = min(box[1] for _c, (_d, box) in drawn) - MARGIN
    x1 = max(box[2] for _c, (_d, box) in drawn) + MARGIN
    y1 = max(box[3] for _c, (_d, box) in drawn) + MARGIN
    width, height = round(x1 - x0), round(y1 - y0)
    svg = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "viewBox": f"{round(x0)} {round(y0)} {width} {height}",
            "class": "network-map-svg",
            "role": "group",
            "aria-labelledby": "network-map-title",
        },
    )
    title = ET.SubElement(svg, "title", {"id": "network-map-title"})
    title.text = gettext("Map of Asia: countries shaded by number of member organisations")
    # Members first drawn last, so their outlines sit on top of their neighbours'.
    for country, (d, box) in sorted(drawn, key=lambda item: item[0].member_count > 0):
        count = country.member_count
        link = ET.SubElement(
            svg, "a", {"href": country.get_absolute_url(), "class": f"country {_step(count)}"}
        )
        label = ET.SubElement(link, "title")
        label.text = f"{country.name}: {_members_label(count)}"
        if d:
            ET.SubElement(link, "path", {"d": d})
        bx0, by0, bx1, by1 = box
        if max(bx1 - bx0, by1 - by0) < DOT_BELOW:
            ET.SubElement(
                link,
                "circle",
                {
                    "cx": str(round((bx0 + bx1) / 2)),
                    "cy": str(round((by0 + by1) / 2)),
                    "r": str(DOT_RADIUS),
                },
            )
    ET.register_namespace("", SVG_NS)
    return ET.tostring(svg, encoding="unicode", short_empty_elements=True)


def legend():
    return [("step-0", "0"), *((name, label) for _lowest, name, label in STEPS)]


def network_map_svg(countries):
    """The cached map markup, safe to insert. `countries` is every country annotated with
    `member_count` (`Country.objects.with_member_counts()`), read only on a cache miss: pass
    the queryset unevaluated, or the list when the page has loaded it already.
    """
    key = CACHE_KEY.format(language=get_language())
    svg = cache.get(key)
    if svg is None:
        svg = render_map(countries)
        cache.set(key, svg, CACHE_TIMEOUT)
    # Built by ElementTree from our own data: every name and URL is escaped by the serialiser.
    return mark_safe(svg)  # noqa: S308
