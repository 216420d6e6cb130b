"""The entry script's navigation: every page has a Material icon, and no label holds an emoji.

Streamlit ships the Material Symbols font with its own static files, so ``:material/...:`` icons
draw on a police intranet desktop with no emoji font, where an emoji shows as an empty box.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "streamlit_app.py"
MATERIAL = re.compile(r":material/[a-z0-9_]+:")
#: emoji and pictograph blocks, dingbats, variation selector 16
EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f]")


def _calls(tree: ast.AST, name: str) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == name
    ]


def _keyword(call: ast.Call, name: str) -> object:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value.value if isinstance(kw.value, ast.Constant) else kw.value
    return None


def test_every_page_has_a_material_icon():
    tree = ast.parse(APP.read_text(encoding="utf-8"))
    pages = _calls(tree, "Page")
    assert len(pages) >= 5
    icons = {ast.unparse(p.args[0]): _keyword(p, "icon") for p in pages}
    bad = {page: icon for page, icon in icons.items() if not MATERIAL.fullmatch(str(icon))}
    assert not bad, f"pages without a :material/...: icon: {bad}"


def test_no_emoji_in_the_entry_script():
    text = APP.read_text(encoding="utf-8")
    found = [(n, line) for n, line in enumerate(text.splitlines(), 1) if EMOJI.search(line)]
    assert not found, found
