"""The figures' theme is seaborn's `set_theme`, applied without importing seaborn (bilateral.theme)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bilateral import theme

# What matplotlib holds after the call: every rcParam and the shorthand colours, printed.
STATE = f"""
import matplotlib as mpl
print(sorted((key, repr(value)) for key, value in mpl.rcParams.items() if key != {theme.UNUSED!r}))
print({{code: mpl.colors.colorConverter.to_rgb(code) for code in "bgrmyck"}})
"""


def _state_after(call: str, cwd=None) -> str:
    result = subprocess.run([sys.executable, "-c", call + STATE], capture_output=True, text=True, check=True, cwd=cwd)
    return result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(theme.THEMES))
def test_the_recorded_theme_leaves_matplotlib_as_seaborn_does(name):
    options = theme.THEMES[name]
    by_seaborn = _state_after(f"import seaborn\nseaborn.set_theme(**{options!r})\n")
    by_record = _state_after(f"from bilateral import theme\ntheme.set_theme({name!r})\n")
    assert by_record == by_seaborn
    # and the theme is not matplotlib's default (the comparison has something to find)
    assert _state_after("") != by_seaborn


@pytest.mark.slow
def test_a_users_matplotlibrc_does_not_reach_the_figures(tmp_path):
    """matplotlib reads ./matplotlibrc (then $MPLCONFIGDIR, ~/.config/matplotlib) as it starts: a
    user's settings would change the figures' bytes with no input of the workflow changed."""
    (tmp_path / "matplotlibrc").write_text("savefig.transparent: True\nhatch.linewidth: 4\nlines.linewidth: 9\n")
    call = "from bilateral import theme\ntheme.set_theme('whitegrid')\n"
    assert "('savefig.transparent', 'True')" in _state_after("", cwd=tmp_path)  # matplotlib reads it
    assert _state_after(call, cwd=tmp_path) == _state_after(call)


@pytest.mark.slow
def test_the_theme_draws_the_figures_markers(tmp_path):
    """A scatter plot needs a registered default colormap: seaborn's own would be missing."""
    code = (
        "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\nfrom bilateral import theme\n"
        "theme.set_theme('white')\nfig, ax = plt.subplots()\n"
        "ax.scatter([1, 2], [1, 2], facecolors='white', edgecolors='.5')\n"
        f"fig.savefig({str(tmp_path / 'x.png')!r})\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    assert (tmp_path / "x.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.slow
def test_the_themed_figures_do_not_import_seaborn():
    code = "import sys\nfrom bilateral import figures, history, revisions\nprint('seaborn' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"
