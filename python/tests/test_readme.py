"""The README's quick-start snippet runs as written (from the repository
root, where its fixture path points)."""

import os
import re

from conftest import REPO


def snippets():
    text = (REPO / "python" / "README.md").read_text()
    return re.findall(r"```python\n(.*?)```", text, re.S)


def test_the_quick_start_snippet_runs(capsys):
    blocks = snippets()
    assert len(blocks) >= 2
    env = {}
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        for code in blocks:
            exec(compile(code, "python/README.md", "exec"), env)
    finally:
        os.chdir(cwd)
    out = capsys.readouterr().out
    assert "verdict='local-min'" in out
    assert env["exact"].snap_report is None
    assert env["snapped"].snap_report.count == 4
    assert "4 of 23 float values changed, max change 1/671088640 (1.490e-9)" in out


def test_the_top_level_readme_snippet_runs():
    """The repository README's Python section runs as written too."""
    text = (REPO / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) == 1
    env = {}
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        exec(compile(blocks[0], "README.md", "exec"), env)
    finally:
        os.chdir(cwd)
    assert env["r"].verdict == "local-min"
