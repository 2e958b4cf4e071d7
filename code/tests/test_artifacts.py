"""Cache keys: a module's code counts, its prose does not."""

import types

from speechbook import artifacts

SOURCE = '''"""A module."""

RATE = 16000
"""Samples per second."""


def double(x):
    """Twice x."""
    return 2 * x  # twice
'''


def key(tmp_path, name: str, text: str, *parts: object) -> str:
    path = tmp_path / f"{name}.py"
    path.write_text(text)
    module = types.ModuleType(name)
    module.__file__ = str(path)
    return artifacts.key("recipe", *parts, modules=(module,))


def test_a_key_follows_the_code_not_its_docstrings_comments_or_layout(tmp_path):
    before = key(tmp_path, "a", SOURCE)
    prose = SOURCE.replace("Twice x.", "x, doubled.").replace("# twice", "# doubled")
    prose = prose.replace('"""Samples per second."""', "")
    layout = SOURCE.replace("return 2 * x", "return (2 *\n            x)")
    assert key(tmp_path, "b", prose) == before and key(tmp_path, "c", layout) == before
    assert key(tmp_path, "d", SOURCE.replace("2 * x", "3 * x")) != before
    assert key(tmp_path, "e", SOURCE.replace("RATE = 16000", "RATE = 8000")) != before
    assert key(tmp_path, "f", SOURCE, "another recipe") != before
