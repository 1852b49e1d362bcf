"""tests.python_source.parse, which the tests reading the project's code use: a parse during which the
garbage collector finalizes objects that parse too (as a lost database connection's logged traceback
does) still gives the tree. On CI's Python 3.11.7, plain ast.parse fails there with a SystemError."""

from __future__ import annotations

import ast
import gc
from pathlib import Path

from tests.python_source import parse

SOURCE = (Path(__file__).resolve().parents[1] / "directory_app" / "referrals" / "sheet_html.py").read_text()


class _ParsesWhenCollected:
    def __init__(self):
        self.cycle = self  # only the collector frees it

    def __del__(self):
        ast.parse("x = (1 + 2) * 3")


def test_parse_survives_finalizers_that_parse():
    thresholds = gc.get_threshold()
    gc.set_threshold(1)  # a collection at nearly every allocation of the parse
    try:
        garbage = [_ParsesWhenCollected() for _ in range(200)]
        del garbage
        tree = parse(SOURCE)
    finally:
        gc.set_threshold(*thresholds)
        gc.collect()
    assert any(isinstance(node, ast.FunctionDef) and node.name == "sheet_html" for node in ast.walk(tree))
