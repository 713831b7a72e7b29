"""Shared by the tests of chainrule.graph: reading the edges of DOT text; which tests need Graphviz."""

import importlib.util
import re
import shutil

import pytest


def parse_dot(dot):
    """``{tail name: [(head name, forward text, backward text or None)]}`` from to_dot() text.

    A node's name is its label (the input's name, the operation, or the output's name).
    """
    names = dict(re.findall(r'^\s*(\w+) \[shape=[^\]]*label="([^"]*)"\];$', dot, flags=re.M))
    edges = {}
    for tail, head, label in re.findall(r"^\s*(\w+) -> (\w+) \[label=<(.*)>\];$", dot, flags=re.M):
        m = re.fullmatch(r'(.*?)(?:<br/><font color="[^"]+">(.*)</font>)?', label)
        edges.setdefault(names[tail], []).append((names[head], m.group(1), m.group(2)))
    return edges


needs_dot = pytest.mark.skipif(shutil.which("dot") is None or importlib.util.find_spec("graphviz") is None,
                               reason="Graphviz's dot program or the graphviz package (the [graph] extra) is missing")
