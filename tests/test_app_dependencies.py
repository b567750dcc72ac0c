"""The apps depend on each other one way (DESIGN.md, Layout), so each can be read, changed and
tested knowing only the apps below it: a wrong-way import fails here, in CI.

Read from the source: every module of every app and of forumasia/ (migrations aside), its
import statements, `import_module("...")`, `apps.get_model("app", ...)` and lazy model
references (`ForeignKey("app.Model")`).

Inside the apps, modules import each other one way too: an import inside a function hides a
circle from Python but not from a reader, so the module graph (imports anywhere in a module)
has no circle.
"""

import ast
from pathlib import Path

from django.conf import settings

# Which apps each app may use directly; forumasia/ is the project package of shared building
# blocks every app may use, and it uses none (hooks are registered from the apps' ready()).
DIRECT = {
    "forumasia": set(),
    "members": set(),
    "publications": {"members"},
    "newsletter": {"members"},
    "pages": {"publications", "members"},
    "wordpress": {"publications", "pages"},
}
MODEL_FIELDS = {"ForeignKey", "ManyToManyField", "OneToOneField"}


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
    return name in ("import_module", "get_model", "get_app_config") or (
        name in MODEL_FIELDS and "." in text
    )


def referenced_modules(source):
    """The top-level names of the modules and app labels `source` refers to."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]
        elif isinstance(node, ast.Call) and is_reference(call_name(node), first_string(node)):
            yield first_string(node).split(".")[0]


def app_modules(app):
    root = Path(settings.BASE_DIR) / app
    return [path for path in sorted(root.rglob("*.py")) if "migrations" not in path.parts]


def import_graph():
    """{app: {other app: [modules of app that use it]}}."""
    graph = {}
    for app in DIRECT:
        for path in app_modules(app):
            for name in set(referenced_modules(path.read_text(encoding="utf-8"))):
                if name in DIRECT and name != app:
                    graph.setdefault(app, {}).setdefault(name, []).append(
                        str(path.relative_to(settings.BASE_DIR))
                    )
    return graph


def test_every_app_has_a_place_in_the_dependency_rule():
    assert set(DIRECT) == set(settings.LOCAL_APPS)


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
