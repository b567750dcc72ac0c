"""forumasia/fragments.py: fragments keyed on what they show."""

from django.core.cache import cache

from forumasia.fragments import fragment_key, render_many, render_one


def test_the_key_is_the_content_not_the_item():
    assert fragment_key("card", (1, "Title")) == fragment_key("card", (1, "Title"))
    assert fragment_key("card", (1, "Title")) != fragment_key("card", (1, "Title, edited"))
    assert fragment_key("card", (1, "Title")) != fragment_key("filters", (1, "Title"))


def test_render_many_renders_only_what_the_cache_lacks():
    rendered = []

    def render(item):
        rendered.append(item)
        return f"<p>{item}</p>"

    first = render_many(["a", "b"], lambda item: (item,), render, kind="test")
    again = render_many(["a", "b", "c"], lambda item: (item,), render, kind="test")

    assert first == ["<p>a</p>", "<p>b</p>"]
    assert again == ["<p>a</p>", "<p>b</p>", "<p>c</p>"]
    assert rendered == ["a", "b", "c"]
    assert render_many([], lambda item: (item,), render, kind="test") == []


def test_render_one_is_stored_under_its_parts():
    assert render_one("test", ("x",), lambda: "<b>x</b>") == "<b>x</b>"
    assert cache.get(fragment_key("test", ("x",))) == "<b>x</b>"
    assert render_one("test", ("x",), lambda: "never rendered") == "<b>x</b>"
