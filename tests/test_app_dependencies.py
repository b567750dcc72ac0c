"""The apps depend on each other one way (DESIGN.md, Layout), so each can be read, changed and
tested knowing only the apps below it: a wrong-way import fails here, in CI.

Read from the source: every module of every app and of forumasia/ (migrations aside), its
import statements, `import_module("...")`, `apps.get_model("app", ...)`, lazy model
references (`ForeignKey("app.Model")`), string `include("app.urls")`s and the URL names it
reverses (`reverse("app:name")`, `redirect(...)`, the admin's `"admin:app_model_..."`); and
every template, its `{% url %}` names. The root URLconf is where the apps' URLs are put
together: it names them all, and is the one module exempt.

Inside the apps, modules import each other one way too: an import inside a function hides a
circle from Python but not from a reader, so the module graph (imports anywhere in a module)
has no circle.
"""

import ast
import re
from functools import cache
from pathlib import Path

from django.conf import settings
from django.urls import URLResolver, get_resolver

# Which apps each app uses directly (README, Layout, says the same); forumasia/ is the project
# package of shared building blocks every app may use, and it uses none (hooks are registered
# from the apps' ready()). The site's layout (templates outside an app's folder: base.html,
# its includes, the admin's index) counts as pages': it carries the newsletter's sign-up form.
DIRECT = {
    "forumasia": set(),
    "members": set(),
    "publications": {"members"},
    "newsletter": {"members"},
    # Newsletter issues are made of publications and sent to the newsletter's subscribers.
    "mailings": {"newsletter", "publications"},
    # Programme and campaign sites show publications and offer a newsletter list.
    "subsites": {"publications", "members", "newsletter"},
    "pages": {"publications", "members", "newsletter", "mailings", "subsites"},
    "oldaddresses": {"publications", "pages"},
    "wordpress": {"oldaddresses", "publications", "members", "pages", "subsites"},
}
MODEL_FIELDS = {"ForeignKey", "ManyToManyField", "OneToOneField"}
URL_CALLS = {"reverse", "reverse_lazy", "redirect", "resolve_url"}
TEMPLATE_URL = re.compile(r"""{%\s*url\s+["']([^"']+)["']""")


def allowed(app):
    """The apps `app` may use: its own dependencies and theirs (wordpress writes the countries
    of the publications it imports), and forumasia/."""
    found, todo = set(), list(DIRECT[app])
    while todo:
        dependency = todo.pop()
        if dependency not in found:
            found.add(dependency)
            todo.extend(DIRECT[dependency])
    return found | ({"forumasia"} if app != "forumasia" else set())


def call_name(node):
    return getattr(node.func, "attr", getattr(node.func, "id", ""))


def first_string(node):
    if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
        return node.args[0].value
    return None


def is_reference(name, text):
    """Whether a call `name("text", ...)` names a module or an app label."""
    if text is None:
        return False
    return name in ("import_module", "get_model", "get_app_config", "include") or (
        name in MODEL_FIELDS and "." in text
    )


@cache
def url_owners():
    """{URL name as reverse() takes it: the app whose URLconf declares it}."""
    owners = {}

    def walk(patterns, namespace, module):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(filter(None, [namespace, pattern.namespace]))
                walk(pattern.url_patterns, inner, getattr(pattern.urlconf_name, "__name__", module))
            elif pattern.name:
                owners[":".join(filter(None, [namespace, pattern.name]))] = module.split(".")[0]

    walk(get_resolver().url_patterns, "", settings.ROOT_URLCONF)
    return owners


def url_owner(name):
    """The app a URL name belongs to: a namespaced name to the app the namespace is named
    after (pages adds the member and country pages to members'), the admin's
    "admin:<app>_<model>_<view>" to <app>, any other to the app whose URLconf declares it."""
    namespace, _, rest = name.rpartition(":")
    if namespace == "admin":
        return rest.split("_")[0]
    return namespace or url_owners().get(name, "")


def referenced_modules(source):
    """The top-level names of the modules and app labels `source` refers to."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]
        elif isinstance(node, ast.Call) and is_reference(call_name(node), first_string(node)):
            yield first_string(node).split(".")[0]
        elif isinstance(node, ast.Call) and call_name(node) in URL_CALLS and first_string(node):
            yield url_owner(first_string(node))


def template_app(path):
    """The app a template belongs to: its folder's (templates/<app>/, templates/admin/<app>/,
    <app>/templates/), else the site's layout, which is pages'."""
    parts = path.relative_to(settings.BASE_DIR).parts
    if parts[0] != "templates":
        return parts[0]
    folder = parts[2] if parts[1] == "admin" and len(parts) > 3 else parts[1]
    return folder if folder in DIRECT else "pages"


def templates():
    root = Path(settings.BASE_DIR)
    found = [*(root / "templates").rglob("*.html")]
    for app in DIRECT:
        found.extend((root / app / "templates").rglob("*.html"))
    return sorted(found)


def app_modules(app):
    root = Path(settings.BASE_DIR) / app
    return [path for path in sorted(root.rglob("*.py")) if "migrations" not in path.parts]


def import_graph():
    """{app: {other app: [modules of app that use it]}}."""
    uses = []
    for app in DIRECT:
        for path in app_modules(app):
            if module_name(path) != settings.ROOT_URLCONF:
                uses.extend((app, name, path) for name in referenced_modules(path.read_text()))
    for path in templates():
        for name in TEMPLATE_URL.findall(path.read_text(encoding="utf-8")):
            uses.append((template_app(path), url_owner(name), path))
    graph = {}
    for app, name, path in uses:
        if name in DIRECT and name != app:
            modules = graph.setdefault(app, {}).setdefault(name, [])
            modules.append(str(path.relative_to(settings.BASE_DIR)))
    return graph


def test_every_app_has_a_place_in_the_dependency_rule():
    assert set(DIRECT) == set(settings.LOCAL_APPS)


def test_every_declared_dependency_is_used():
    used = {app: set(uses) for app, uses in import_graph().items()}

    assert {app: used.get(app, set()) - {"forumasia"} for app in DIRECT} == DIRECT


def test_the_readme_lists_the_dependencies_the_code_has():
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    listed = {
        app: set(uses.split(", ")) for app, uses in re.findall(r"`(\w+) → ([\w, ]+)`", readme)
    }

    assert listed == {app: uses for app, uses in DIRECT.items() if uses}


def test_apps_depend_on_each_other_one_way_only():
    wrong_way = {
        f"{app} -> {other}": modules
        for app, uses in import_graph().items()
        for other, modules in uses.items()
        if other not in allowed(app)
    }

    assert wrong_way == {}


def test_a_wrong_way_reference_of_any_kind_is_found():
    wrong = [
        "from publications.models import Publication",
        "import publications.models",
        "Model = apps.get_model('publications', 'Publication')",
        "module = import_module('pages.views')",
        "member = models.ForeignKey('newsletter.Subscriber', on_delete=models.CASCADE)",
        "path('', include('pages.urls'))",
        "url = reverse('publications:publication-list')",
        "return redirect('admin:newsletter_subscriber_changelist')",
    ]

    for source in wrong:
        assert set(referenced_modules(source)) & {"publications", "pages", "newsletter"}, source
    assert list(referenced_modules("from .models import Country\nimport django")) == ["django"]


def module_name(path):
    parts = list(path.relative_to(settings.BASE_DIR).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(source, *, package):
    """Every dotted name `source` (a module of `package`) imports, anywhere in it; for
    `from a import b` both `a` and `a.b` (b may be a module)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([node.module] if node.module else [])])
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def module_graph():
    """{module: {the app modules it imports}} over every module of every app."""
    paths = {module_name(path): path for app in DIRECT for path in app_modules(app)}

    def known(name):
        while name and name not in paths:
            name = name.rpartition(".")[0]
        return name

    graph = {}
    for module, path in paths.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        names = imported_names(path.read_text(encoding="utf-8"), package=package)
        graph[module] = {known(name) for name in names if known(name)} - {module}
    return graph


def circles(graph):
    """The groups of modules that reach each other through imports (Tarjan's strongly
    connected components of more than one module), each as "a -> b -> a" paths' members."""
    index, low, stack, found = {}, {}, [], []

    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in graph[module]:
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while not group or group[-1] != module:
                group.append(stack.pop())
            if len(group) > 1:
                found.append({name: sorted(graph[name] & set(group)) for name in sorted(group)})

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_itself_through_others():
    found = circles(module_graph())

    assert found == [], "\n".join(
        f"{module} -> {', '.join(others)}" for circle in found for module, others in circle.items()
    )


def test_a_circle_through_an_import_inside_a_function_is_found():
    graph = {"a.models": {"a.map"}, "a.map": {"a.models"}, "a.views": {"a.models"}}
    source = "def draw():\n    from .models import Country\n"

    assert set(imported_names(source, package="a")) == {"a.models", "a.models.Country"}
    assert circles(graph) == [{"a.map": ["a.models"], "a.models": ["a.map"]}]
