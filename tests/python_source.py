"""Python source read as a syntax tree, for the tests that read the project's own code.

`parse` is ast.parse with the garbage collector paused. On CPython 3.11 before 3.11.8 (CI runs 3.11.7)
every ast.parse of the interpreter shared one recursion counter, so a parse started while another was
under way broke the outer one with "SystemError: AST constructor recursion depth mismatch" (python/cpython
gh-106905, fixed by pull request 113035). That happened here: the collector, run in the middle of a parse,
finalized a lost database connection whose logged traceback Python 3.11 formats with ast.parse."""

from __future__ import annotations

import ast
import gc


def parse(source: str, filename: str = "<unknown>") -> ast.Module:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return ast.parse(source, filename)
    finally:
        if was_enabled:
            gc.enable()
