"""One self-contained HTML page for reviewers: figures, tables, claims, provenance, citation.

Images are embedded as data URIs and tables inline, so the page reads offline and on its own.
Nothing in it depends on the time or the machine, so it is byte-identical across runs.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import jinja2
from markupsafe import Markup

from .atomic import write_text
from .pair import Pair

TEMPLATE = jinja2.Template(
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ heading }}</title>
<style>
/* The page reads at any width: nothing but a wide table's own box (.scroll, and great-tables'
   container) scrolls sideways; images shrink to the column; long hashes break anywhere. */
body { font-family: "DejaVu Sans", Arial, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em;
       color: #111; line-height: 1.45; overflow-wrap: break-word; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #999; padding-bottom: .2em; margin-top: 2em; }
img { max-width: 100%; height: auto; }
figure { margin: 1.5em 0; } figure img { border: 1px solid #ddd; }
figcaption { font-size: .9em; color: #333; margin: .4em 0; }
caption { caption-side: top; text-align: left; font-size: .95em; padding: .3em 0; color: #222; }
/* Tables this page lays out itself; great-tables' tables carry their own style. */
table.dataframe { border-collapse: collapse; font-size: .8em; margin: .5em 0 1.5em; }
table.dataframe th, table.dataframe td { border: 1px solid #bbb; padding: .25em .45em; vertical-align: top; }
table.dataframe th { background: #eee; }
code { font-size: .9em; overflow-wrap: anywhere; }
.scroll { overflow-x: auto; max-width: 100%; margin: .5em 0 1.5em; }
.nowrap { white-space: nowrap; }
/* A wide table's caption, notes and row headings stay in view and wrap at the screen's width while its columns
   scroll: they stick to the left edge of the box. */
caption > span, tfoot td > div, th.gt_group_heading > div {
  position: sticky; left: 0; max-width: min(1080px, calc(100vw - 2em - 16px)); }
caption > span { display: inline-block; }
</style>
</head>
<body>
<h1>{{ heading }}</h1>
<p>This page is built by the project's workflow from the IMF trade data ({{ dataset }}).
{% if claims %}It reproduces the evidence of <em>Bangladesh's Foreign Policy towards Russia: A Neoclassical
Realist Explanation</em> (BIISS Journal, 2024): Figures 1–3, the comparison across Bangladesh's governments,
and the paper's quantitative claims checked against the data.{% else %}It applies the workflow behind
<em>Bangladesh's Foreign Policy towards Russia: A Neoclassical Realist Explanation</em> (BIISS Journal, 2024)
to another pair: the paper's claims are about Bangladesh and Russia and are not checked here.{% endif %}
Values are US$ million.</p>
<nav><ul>
<li><a href="#data">Data and citation</a></li>
<li><a href="#figures">Figures</a></li>
{% if claims %}<li><a href="#claims">Claims</a></li>{% endif %}
<li><a href="#regimes">Regime tables</a></li>
{% if thesis_tables %}<li><a href="#thesis">The thesis test</a></li>{% endif %}
{% if other_tables %}<li><a href="#other">Other tables</a></li>{% endif %}
{% if revisions %}<li><a href="#revisions">Revisions</a></li>{% endif %}
{% if comparison %}<li><a href="#comparison">The pairs compared</a></li>
{% endif %}{% if pairs %}<li><a href="#pairs">Every pair's outputs</a></li>
{% endif %}<li><a href="#provenance">Provenance</a></li>
</ul></nav>

<h2 id="data">Data and citation</h2>
<p><strong>{{ data.title }}</strong>, {{ data.producer }}; vintage: {{ data.vintage }}.</p>
<p>Cite as: {{ data.citation }}</p>
<p>Licence: {{ data.licence }}</p>

<h2 id="figures">Figures</h2>
{% for fig in figures %}
<figure id="{{ fig.name }}">
<img src="data:image/png;base64,{{ fig.png }}" alt="{{ fig.title }}">
<figcaption><strong>{{ fig.title.rstrip(".") }}.</strong> {{ fig.sides }} Hollow markers: IMF estimates.
Program <code>{{ fig.program }}</code>, parameters {{ fig.parameters }}.</figcaption>
</figure>
{% endfor %}

{% if claims %}
<h2 id="claims">The paper's claims, checked</h2>
<p>Each claim is evaluated on both reporting sides; where the paper is vague, "Our reading" says how it was
read (edit <code>config/claims.yaml</code> to read it otherwise). Verdicts: ✓ holds or supported,
✗ does not hold or not supported, ? inconclusive, – not covered by this vintage.</p>
<div class="scroll">{{ claims }}</div>
{% endif %}

<h2 id="regimes">Regime tables</h2>
<p>One row per government (and per camp), the two reporting sides side by side; a wide table scrolls
inside its box. The last table says which calendar year goes to which government.</p>
{% for table in regime_tables %}<div class="scroll">{{ table }}</div>{% endfor %}

{% if thesis_tables %}
<h2 id="thesis">The thesis test</h2>
{% for table in thesis_tables %}<div class="scroll">{{ table }}</div>{% endfor %}
{% endif %}

{% if other_tables %}
<h2 id="other">Other tables</h2>
{% for table in other_tables %}<div class="scroll">{{ table }}</div>{% endfor %}
{% endif %}

{% if revisions %}
<h2 id="revisions">Revisions</h2>
<figure><img src="data:image/png;base64,{{ revisions.png }}" alt="Revisions between vintages"></figure>
<div class="scroll">{{ revisions.summary }}</div>
{% endif %}

{% if comparison %}<h2 id="comparison">The pairs compared</h2>
<p>Each home country's trade with the partner as a share of its own world trade (%), by year: black, the home
country's report; grey dashed, the partner's (the mirror), both over the home country's World total. Hollow
markers: IMF estimates. Every year's numbers are in <code>{{ comparison.csv }}</code>.</p>
<figure id="comparison-figure"><img src="data:image/png;base64,{{ comparison.png }}" alt="The pairs compared"></figure>
<div class="scroll">{{ comparison.summary }}</div>

{% endif %}{% if pairs %}
<h2 id="pairs">Every pair's outputs</h2>
<p>The first pair's figures and tables are above; each further pair's are in its own folder:</p>
<div class="scroll"><table id="pairs-table">
<thead><tr><th>Pair</th><th>Output</th></tr></thead>
<tbody>
{% for item in pairs %}<tr><td>{{ item.pair }}</td><td>{% for path in item.files -%}
<a href="../{{ path }}"><code>{{ path }}</code></a>{% if not loop.last %}, {% endif %}
{%- endfor %}</td></tr>
{% endfor %}
</tbody></table></div>

{% endif %}<h2 id="provenance">Provenance</h2>
<p>Code and data fingerprint (sha256 over the code, configuration, notebooks, lock file and the raw data in use):
<code>{{ fingerprint }}</code>. The git commit, whether the tree was dirty and every installed package
version are in <code>report/provenance.json</code>.</p>
<div class="scroll"><table id="provenance-table" class="dataframe">
<caption>Every output, the program and parameters that made it, and its sha256</caption>
<thead><tr><th>Item</th><th>Program</th><th>Parameters</th><th>Output</th><th>sha256</th></tr></thead>
<tbody>
{% for item in records %}{% for path, digest in item.outputs.items() %}
<tr><td>{{ item.item }}</td><td><code>{{ item.program }}</code></td><td>{{ item.params }}</td>
<td><code>{{ path }}</code></td><td><code>{{ digest }}</code></td></tr>
{% endfor %}{% endfor %}
</tbody></table></div>
<p>Raw data files: {% for source in raw_files %}<code>{{ source.file }}</code> (sha256
<code>{{ source.sha256 }}</code>){% if not loop.last %}, {% endif %}{% endfor %}.</p>
</body>
</html>
""",
    # Every value is escaped unless it is Markup: only the tables this project renders itself (tables.render,
    # which escapes every cell) are inserted as HTML.
    autoescape=True,
)


def _png(path: str | Path) -> str:
    return base64.b64encode(Path(path).read_bytes()).decode("ascii")


def _fragment(path: str | Path) -> Markup:
    """A table written by tables.render or bilateral.pubtables (every cell escaped there), inserted as HTML."""
    return Markup(Path(path).read_text(encoding="utf-8"))


def _sides_caption(main_side: str, home: str) -> str:
    own, mirror = f"as reported by {home}", "the partner's report of the same flows (the mirror)"
    top, bottom = (own, mirror) if main_side == "home" else (mirror, own)
    return f"Top: {top}; bottom: {bottom}."


def _by_rule(records: list[dict], rule: str) -> list[dict]:
    return [record for record in records if record["rule"] == rule]


def _with_suffix(record: dict, suffix: str) -> list[str]:
    return [path for path in record["outputs"] if path.endswith(suffix)]


def _parameters_text(parameters: dict) -> str:
    """The values a notebook was run with, its file paths aside (they are in the Output column)."""
    shown = {k: v for k, v in parameters.items() if not k.endswith(("_path", "_paths"))}
    return ", ".join(f"{k}={v}" for k, v in shown.items()) or "-"


def build(pair_config: dict, provenance_path: str | Path) -> str:
    """The page, from the provenance record: every figure and table it lists, with their parameters."""
    record = json.loads(Path(provenance_path).read_text(encoding="utf-8"))
    data = record["data_provenance"]
    every = record["products"]
    # The first pair's products (no pair label) make the page's body; the further pairs are listed.
    records = [item for item in every if "pair" not in item and item["rule"] != "comparison"]
    pair = Pair.from_config(pair_config)
    claims = _by_rule(records, "claims")
    figures = [
        {
            "name": Path(item["files"]["png"]).stem,
            "title": item["parameters"]["title"],
            "png": _png(item["files"]["png"]),
            "program": item["program"],
            "parameters": _parameters_text(item["parameters"]),
            "sides": _sides_caption(item["parameters"]["main_side"], pair.home.name),
        }
        for item in _by_rule(records, "figure")
    ]
    # The whole history (rules/history.smk), after Figures 1-3.
    figures += [
        {
            "name": Path(item["files"]["png"]).stem,
            "title": _label(item),
            "png": _png(item["files"]["png"]),
            "program": item["program"],
            "parameters": _parameters_text(item["parameters"]),
            "sides": "Black: as reported by " + pair.home.name + "; grey: the partner's report (the mirror). "
            "Bands: the governments, camps told apart by grey level and hatching.",
        }
        for item in _by_rule(records, "history")
    ]
    regime, thesis = (
        [
            _fragment(path)
            for item in _by_rule(records, rule)
            for path in sorted(_with_suffix(item, ".html"), key=_order)
        ]
        for rule in ("regime_tables", "thesis")
    )
    # A table of a rule the page does not know yet (README: "Adding a figure, a table, a claim").
    known = {"figure", "history", "regime_tables", "thesis", "claims", "revision_report"}
    other = [_fragment(path) for item in records if item["rule"] not in known for path in _with_suffix(item, ".html")]
    revisions = None
    for item in _by_rule(records, "revision_report"):
        revisions = {"png": _png(item["files"]["png"]), "summary": _fragment(_with_suffix(item, "summary.html")[0])}
    # The workbooks' cache lists its workbooks, a pull of many requests its answers, a single pull its body.
    raw_files = (
        data.get("source_workbooks")
        or [{"file": one["body_file"], "sha256": one["sha256"]} for one in data.get("requests", [])]
        or [{"file": data.get("body_file", ""), "sha256": data.get("sha256", "")}]
    )
    rows = [{**item, "item": _label(item), "params": _parameters_text(item["parameters"])} for item in every]
    comparison = None
    for item in _by_rule(every, "comparison"):
        comparison = {
            "png": _png(item["files"]["png"]),
            "summary": _fragment(_with_suffix(item, "summary.html")[0]),
            "csv": item["files"]["table"][0],
        }
    pairs: dict[str, list[str]] = {}
    for item in every:
        if "pair" in item:
            pairs.setdefault(item["pair"], []).extend(item["outputs"])
    return TEMPLATE.render(
        dataset=record["dataset"],
        data={k: str(data.get(k, "")) for k in ("title", "producer", "vintage", "citation", "licence")},
        figures=figures,
        heading=f"{pair.home.name}–{pair.partner_label} trade: "
        + ("reproduced figures, tables and checked claims" if claims else "reproduced figures and tables"),
        claims=_fragment(_with_suffix(claims[0], ".html")[0]) if claims else None,
        regime_tables=regime,
        thesis_tables=thesis,
        other_tables=other,
        revisions=revisions,
        fingerprint=record["code"]["fingerprint"]["sha256"],
        records=rows,
        raw_files=raw_files,
        comparison=comparison,
        pairs=[{"pair": label, "files": files} for label, files in pairs.items()],
    )


def _order(path: str) -> tuple[bool, bool]:
    """Governments first, then camps, then the year -> government list (and any other table)."""
    return "by_government" not in path, "by_camp" not in path


def _label(item: dict) -> str:
    """How a product is named to readers: a figure by its title, anything else by its rule's description."""
    return item["parameters"].get("title") or item["description"]


def write(pair_config: dict, provenance_path: str | Path, out: str | Path) -> None:
    write_text(out, build(pair_config, provenance_path))
