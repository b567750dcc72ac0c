"""The links of a paginated list: newer, older, and numbered pages near the current one."""

from django import template

register = template.Library()

ON_EACH_SIDE = 2
ON_ENDS = 1


@register.simple_tag(takes_context=True)
def page_links(context, page):
    """{"previous": url, "next": url, "pages": [{"number", "url", "current"} or {"gap": True}]}.

    Numbers come from the paginator's `get_elided_page_range()` (first, last, neighbours,
    ellipses), so a paginator that does not count every row says what it knows. Links keep the
    list's other parameters as the view validated them (`querystring_without_page`); page 1 has
    no `page=1`, and is the list's own path when nothing else is left.
    """
    path = context["request"].path
    query = context.get("querystring_without_page", "")

    def url(number):
        params = [query] if query else []
        if number > 1:
            params.append(f"page={number}")
        return "?" + "&".join(params) if params else path

    pages = [
        {"number": number, "url": url(number), "current": number == page.number}
        if isinstance(number, int)
        else {"gap": True}
        for number in page.paginator.get_elided_page_range(
            page.number, on_each_side=ON_EACH_SIDE, on_ends=ON_ENDS
        )
    ]
    return {
        "previous": url(page.previous_page_number()) if page.has_previous() else "",
        "next": url(page.next_page_number()) if page.has_next() else "",
        "pages": pages,
    }
