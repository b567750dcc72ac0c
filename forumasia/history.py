"""Revisions of the editors' content (django-reversion): what changed, and putting it back.

Each app registers its models from its `ready()` with `register()`, naming the follow-ups (rows
that hang off the object: a publication's signatures, attachments...) that belong in each of
its revisions. Saves go through the apps' services inside `reversion.create_revision()`.

- `follow_up_versions(version)`: the follow-ups stored with `version`, by follow name.
- `restore(version=..., keep=...)`: writes a version back onto its object as a change: the
  object's fields (except `keep`) and its follow-ups as they were; rows added since are removed.
  A version that breaks a uniqueness rule or constraint now is refused (ValidationError).
  The caller saves inside a new revision, so history is never rewritten. What the version names
  and no longer exists (a deleted member organisation, a deleted theme) is left out and
  reported.
- `word_diff()` / `list_diff()`: the two sides of a readable comparison, escaped, with the
  changes marked `<del>` (left) and `<ins>` (right).
"""

import difflib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import reversion
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from reversion.models import Version

# {model: (follow names)}: filled from the apps' ready(), the same in every process.
FOLLOWED = {}


def register(model, *, follow=(), exclude=()):
    """Every save of `model` made inside a revision is recorded, with the rows named by
    `follow` (reverse foreign keys or generic relations of `model`)."""
    if not reversion.is_registered(model):
        reversion.register(model, follow=follow, exclude=exclude)
    FOLLOWED[model] = tuple(follow)


def versions_of(obj):
    """The object's versions, newest first, with who and when."""
    return (
        Version.objects.get_for_object(obj)
        .select_related("revision", "revision__user")
        .order_by("-revision__date_created", "-pk")
    )


def latest_version_id(obj):
    return versions_of(obj).values_list("pk", flat=True).first() if obj and obj.pk else None


def _back_link(model, name):
    """(related model, {field: value-maker}) linking the follow-up `name` back to its object."""
    relation = model._meta.get_field(name)
    if isinstance(relation, GenericRelation):
        content_type = ContentType.objects.get_for_model(model)
        return relation.related_model, lambda pk: {
            relation.object_id_field_name: str(pk),
            relation.content_type_field_name + "_id": content_type.pk,
        }
    back = relation.field
    return relation.related_model, lambda pk: {back.attname: pk}


def follow_up_versions(version):
    """{follow name: [versions]} stored in `version`'s revision for its object."""
    model = version._model
    object_pk = model._meta.pk.to_python(version.object_id)
    found = {}
    siblings = [v for v in version.revision.version_set.all() if v.pk != version.pk]
    for name in FOLLOWED.get(model, ()):
        related_model, back = _back_link(model, name)
        wanted = {key: str(value) for key, value in back(object_pk).items()}
        found[name] = [
            sibling
            for sibling in siblings
            if sibling._model is related_model
            and all(str(sibling.field_dict.get(key)) == value for key, value in wanted.items())
        ]
    return found


class RestoreError(Exception):
    """The version cannot be written back (a required row it names is gone)."""


def _missing_references(model, values):
    """Names of the foreign keys in `values` whose row no longer exists."""
    missing = []
    for model_field in model._meta.concrete_fields:
        if not model_field.many_to_one:
            continue
        value = values.get(model_field.attname)
        if value is None:
            continue
        if not model_field.related_model._base_manager.filter(pk=value).exists():
            missing.append(model_field)
    return missing


@dataclass
class Restored:
    obj: models.Model
    left_out: list = field(default_factory=list)


def restore(*, version, keep=()):
    """Write `version` back onto its object (see the module docstring); the object is returned
    unsaved for the caller to save as a new revision, its follow-ups and links already written.
    """
    model = version._model
    obj = model._default_manager.get(pk=version.object_id)
    values = dict(version.field_dict)
    result = Restored(obj=obj)
    m2m = {}
    for model_field in model._meta.many_to_many:
        if model_field.attname in values and isinstance(model_field, models.ManyToManyField):
            ids = values.pop(model_field.attname)
            existing = set(
                model_field.related_model._base_manager.filter(pk__in=ids).values_list(
                    "pk", flat=True
                )
            )
            m2m[model_field.name] = [pk for pk in ids if pk in existing]
            result.left_out += [
                f"{model_field.verbose_name} #{pk}" for pk in ids if pk not in existing
            ]
    for model_field in _missing_references(model, values):
        if not model_field.null:
            raise RestoreError(
                gettext("its %(field)s no longer exists") % {"field": model_field.verbose_name}
            )
        values[model_field.attname] = None
    for name, value in values.items():
        if name not in keep and name != model._meta.pk.attname:
            setattr(obj, name, value)
    # What was valid then may clash now (its address or its language taken since by another
    # row): a ValidationError for the editor, raised before anything is written, not an
    # IntegrityError on save.
    obj.validate_unique()
    obj.validate_constraints()

    for name, stored in follow_up_versions(version).items():
        kept_ids = {v.object_id for v in stored}
        for current in getattr(obj, name).all():
            if str(current.pk) not in kept_ids:
                current.delete()
        for follow_up in stored:
            follow_model = follow_up._model
            follow_values = dict(follow_up.field_dict)
            if _missing_references(follow_model, follow_values):
                result.left_out.append(follow_up.object_repr)
                continue
            follow_model(**follow_values).save()
    for name, ids in m2m.items():
        getattr(obj, name).set(ids)
    return result


# --- Comparing ---------------------------------------------------------------------------------

_BLOCKS = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "table",
    "tr",
    "hr",
    "figure",
    "figcaption",
}


class _TextOf(HTMLParser):
    """The text a reader sees, with a line per block and what images and links point at."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.links = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a":
            self.links.append(attributes.get("href") or "")
        if tag in _BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("• ")
        if tag == "img":
            self.parts.append(f" [image {attributes.get('src', '')}: {attributes.get('alt', '')}] ")

    def handle_endtag(self, tag):
        # A link's address is part of what changed: "text (address)".
        if tag == "a" and self.links:
            self.parts.append(f" ({self.links.pop()})")
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def html_text(html):
    """The readable text of sanitised HTML: one line per paragraph, images and link addresses
    written out, no markup."""
    parser = _TextOf()
    parser.feed(html or "")
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    return "\n".join(line for line in lines if line)


_TOKEN = re.compile(r"\s+|[^\s]+")


def _marked(tokens, tag):
    text = escape("".join(tokens))
    return format_html("<{}>{}</{}>", tag, text, tag) if tag else text


def word_diff(old, new):
    """(left, right): `old` and `new` escaped, words removed marked <del> on the left, added
    marked <ins> on the right. Line breaks are kept (the template shows them)."""
    old_tokens, new_tokens = _TOKEN.findall(old or ""), _TOKEN.findall(new or "")
    left, right = [], []
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    for operation, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if operation == "equal":
            left.append(_marked(old_tokens[a_start:a_end], None))
            right.append(_marked(new_tokens[b_start:b_end], None))
            continue
        if a_end > a_start:
            left.append(_marked(old_tokens[a_start:a_end], "del"))
        if b_end > b_start:
            right.append(_marked(new_tokens[b_start:b_end], "ins"))
    return mark_safe("".join(left)), mark_safe("".join(right))


def list_diff(old, new):
    """(left, right): two ordered lists as HTML <ol>, items removed or moved marked <del> on
    the left, added or moved marked <ins> on the right."""
    left, right = [], []
    matcher = difflib.SequenceMatcher(None, list(old), list(new), autojunk=False)
    for operation, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        for item in old[a_start:a_end]:
            left.append((item, None if operation == "equal" else "del"))
        for item in new[b_start:b_end]:
            right.append((item, None if operation == "equal" else "ins"))

    def render(items):
        if not items:
            return format_html("<p>{}</p>", gettext("(none)"))
        rows = format_html_join("", "<li>{}</li>", ((_marked([item], tag),) for item, tag in items))
        return format_html("<ol>{}</ol>", rows)

    return render(left), render(right)


@dataclass
class Row:
    """One line of a comparison: a label and each side's value (text, HTML or a list)."""

    label: str
    old: object
    new: object
    kind: str = "text"

    @property
    def changed(self):
        return self.old != self.new

    @property
    def sides(self):
        if self.kind == "list":
            return list_diff(self.old, self.new)
        if self.kind == "html":
            return word_diff(html_text(self.old), html_text(self.new))
        return word_diff(str(self.old or ""), str(self.new or ""))
