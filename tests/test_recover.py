"""Recovering what an unparseable file shows (netra_isolation_lint.recover): the statements that parse on
their own, at their own lines; never a statement that is not in the file."""

from __future__ import annotations

import ast

from hypothesis import given, settings
from hypothesis import strategies as st

from netra_isolation_lint.recover import recover

BROKEN_METHOD = '''import os
from pkg.base import BaseAgent


class Agent(BaseAgent):
    """Doc."""

    def __init__(self, llm, user_context=None):
        self.user_context = user_context

    @property
    def name(self):
        return "agent"

    async def run(self, context):
        context = check(context)\\n        return context

    def after(self, x, *, y=1):
        return x


def check(context):
    return context
'''


def shape(tree: ast.Module) -> list[tuple]:
    out = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            out.append(("class", node.name, node.lineno, [(type(m).__name__, getattr(m, "name", None), m.lineno)
                                                          for m in node.body]))
        else:
            out.append((type(node).__name__, getattr(node, "name", None), node.lineno))
    return out


def test_a_class_keeps_its_header_and_the_members_that_parse():
    tree = recover(BROKEN_METHOD)
    assert shape(tree) == [
        ("Import", None, 1), ("ImportFrom", None, 2),
        ("class", "Agent", 5, [("Expr", None, 6), ("FunctionDef", "__init__", 8), ("FunctionDef", "name", 12),
                               ("AsyncFunctionDef", "run", 15), ("FunctionDef", "after", 18)]),
        ("FunctionDef", "check", 22),
    ]
    agent = tree.body[2]
    assert [b.id for b in agent.bases] == ["BaseAgent"]
    run = agent.body[3]
    assert [a.arg for a in run.args.args] == ["self", "context"] and isinstance(run.body[0], ast.Pass)
    assert agent.body[2].decorator_list[0].id == "property"  # a decorator travels with its function
    assert agent.incomplete and not hasattr(tree.body[3], "incomplete")  # only the class around the error


def test_columns_are_the_files_own():
    tree = recover(BROKEN_METHOD)
    init = tree.body[2].body[1]
    assert (init.lineno, init.col_offset) == (8, 4)
    assign = init.body[0]
    assert (assign.lineno, assign.col_offset) == (9, 8)


def test_text_inside_a_string_is_never_a_statement():
    source = 'def f(:\n    pass\n\nDOC = """\nimport secret_module\nx = get_agent_websocket_bridge()\n"""\n'
    tree = recover(source)
    assert shape(tree) == [("Assign", None, 4)]


def test_nothing_to_recover():
    assert recover("x = (\n") is None
    assert recover("") is None


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abc:()=\n \"'#\\@defclass", max_size=300))
def test_recovered_statements_are_statements_of_the_file(text):
    """Whatever is recovered unparses to lines that stand in the file at the recovered line numbers."""
    tree = recover(text)
    if tree is None:
        return
    lines = text.splitlines()
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt):
            assert 1 <= node.lineno <= max(1, len(lines))
