"""Static checks of the code for the patterns behind the template-injection hole (issue 13): a string
that is compiled as a Jinja template must be a constant written in the code, never one built at run time.

Jinja compiles its source into Python, so any text joined into that source (an entry's name, a label)
runs on the server. The calls that compile their first argument: jinja2 `Template(...)`,
`Environment.from_string(...)`, Flask's `render_template_string(...)`, and branca's `Element(...)` (branca
compiles the template string of every element, which is how folium's popups and scripts are made).

A folium/branca template of our own is a constant, but branca compiles what its macros *print* once more
(MacroElement.render wraps the macro's output in an Element): so such a macro may print nothing but the
names of map objects (`this.get_name()`, `this._parent.get_name()`); data goes to the page as JSON
(geo.maps.config_element), never through the macro.
bandit (scripts/lint.sh) covers the neighbouring patterns (Markup over data, autoescape off, SQL text).
"""

from __future__ import annotations

import ast
from pathlib import Path

import jinja2
import jinja2.nodes
import pytest

from tests.python_source import parse

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("directory_app", "geo")
COMPILING_CALLS = {"Template", "from_string", "render_template_string", "Element"}
# xml.etree's Element(tag, attrib) builds an XML node from data (the Atom feed), it compiles nothing.
XML_TREE_NAMES = {"ET", "ElementTree"}


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        owner = call.func.value
        if isinstance(owner, ast.Name) and owner.id in XML_TREE_NAMES:
            return f"{owner.id}.{call.func.attr}"
        return call.func.attr
    return None


def _template_argument(call: ast.Call) -> ast.expr | None:
    if call.args:
        return call.args[0]
    for keyword in call.keywords:
        if keyword.arg in ("source", "template"):
            return keyword.value
    return None


def compiled_from_non_constants(source: str, filename: str = "<code>") -> list[str]:
    """Places in `source` where a template is compiled from something other than a string literal."""
    problems = []
    for node in ast.walk(parse(source, filename)):
        if isinstance(node, ast.Call) and _called_name(node) in COMPILING_CALLS:
            argument = _template_argument(node)
            if argument is None:
                continue
            if not (isinstance(argument, ast.Constant) and isinstance(argument.value, str)):
                problems.append(f"{filename}:{node.lineno}: {_called_name(node)}(...) compiles a non-constant string")
    return problems


def macro_prints_beyond_names(source: str) -> list[str]:
    """What a branca template prints other than the name of a map object."""
    allowed = {"this.get_name()", "this._parent.get_name()"}
    printed = []
    for output in jinja2.Environment().parse(source).find_all(jinja2.nodes.Output):
        for expression in output.nodes:
            if isinstance(expression, jinja2.nodes.TemplateData):
                continue
            text = _expression_text(expression)
            if text not in allowed:
                printed.append(text)
    return printed


def _expression_text(node: jinja2.nodes.Node) -> str:
    if isinstance(node, jinja2.nodes.Call) and not node.args:
        return f"{_expression_text(node.node)}()"
    if isinstance(node, jinja2.nodes.Getattr):
        return f"{_expression_text(node.node)}.{node.attr}"
    if isinstance(node, jinja2.nodes.Name):
        return node.name
    return type(node).__name__


def _constant_templates(source: str):
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and _called_name(node) == "Template":
            argument = _template_argument(node)
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                yield node.lineno, argument.value


def _python_files():
    for package in PACKAGES:
        yield from sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize(
    "code",
    [
        "Template(f'{x}')",
        "jinja2.Template('a' + name)",
        "env.from_string(text)",
        "render_template_string(page)",
        "Element(script(self, kwargs))",
        "Template(source=text)",
    ],
)
def test_the_check_finds_templates_built_at_run_time(code):
    assert compiled_from_non_constants(code)


def test_the_check_accepts_constant_sources():
    assert compiled_from_non_constants("Template('{% macro script(this) %}{% endmacro %}')") == []
    assert compiled_from_non_constants("Element()") == []
    assert compiled_from_non_constants("ET.Element(tag, attributes)") == []  # an XML node, not a template
    assert compiled_from_non_constants("branca.element.Element(text)") != []


def test_no_template_is_compiled_from_a_string_built_at_run_time():
    problems = []
    for path in _python_files():
        problems += compiled_from_non_constants(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert problems == []


def test_the_macro_check_finds_printed_data():
    source = "{% macro script(this, kwargs) %}f({{ this._parent.get_name() }}, {{ this.config_json }});{% endmacro %}"
    assert macro_prints_beyond_names(source) == ["this.config_json"]
    assert macro_prints_beyond_names("{% macro script(this, kwargs) %}{{ this.get_name() }}{% endmacro %}") == []


def test_our_map_templates_print_only_the_names_of_map_objects():
    printed = {}
    for path in _python_files():
        for line, template in _constant_templates(path.read_text(encoding="utf-8")):
            found = macro_prints_beyond_names(template)
            if found:
                printed[f"{path.relative_to(ROOT)}:{line}"] = found
    assert printed == {}
