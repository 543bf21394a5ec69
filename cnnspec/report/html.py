"""The report as one self-contained HTML page: no script, no stylesheet or font from the network.

Every piece of text that comes from a run (backend names, versions, error messages, reproducers) goes
through ``html.escape``: a backend's message is data, never markup.
"""

from __future__ import annotations

import re
from collections import Counter
from html import escape
from typing import Any

from cnnspec.conformance.errorstats import BINS, bits_text, quantile_bin
from cnnspec.corners import CORNERS
from cnnspec.report.model import failures
from cnnspec.report.pictures import failure_figure

SYMBOL = {
    "pass": "&#10003;",
    "fail": "&#10007;",
    "known nonconformance": "!",
    "not judged": "&#8594;",
    "unsupported": "n/a",
    "untested": "&#183;",
}
CLASS = {
    "pass": "pass",
    "fail": "fail",
    "known nonconformance": "known",
    "not judged": "nj",
    "unsupported": "na",
    "untested": "untested",
}

STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em auto; max-width: 1400px; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: .5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 3px 6px; vertical-align: top; text-align: left; }
th { background: #f3f3f3; }
td.pass { background: #d9f2d9; text-align: center; } td.fail { background: #f8c4c4; text-align: center; font-weight: bold; }
td.known { background: #fde7b0; text-align: center; } td.na { background: #e8e8f4; text-align: center; color: #555; }
td.untested { background: #fff; text-align: center; color: #999; }
td.nj { background: #f2f2f2; text-align: center; color: #777; }
td.clause-text { font-size: 12px; color: #444; max-width: 60em; }
.status-conformant { color: #176417; font-weight: bold; } .status-nonconformant, .status-crashed,
.status-timed-out, .status-error { color: #b00; font-weight: bold; } .status-unavailable { color: #666; }
pre { background: #f6f6f6; padding: .6em; overflow-x: auto; font-size: 12px; max-height: 30em; }
.maps { display: flex; flex-wrap: wrap; gap: 10px; align-items: flex-end; margin: 6px 0; }
.maps .label { width: 9em; font-size: 12px; color: #555; align-self: center; }
figure.map { margin: 0; } figcaption { font-size: 11px; color: #555; }
.note { font-size: 12px; color: #555; margin: 2px 0; }
td.zero { background: #f8c4c4; } td.count { text-align: right; }
tr.section th { background: #e4e8f0; }
section.failure { border-top: 2px solid #ddd; padding-top: .5em; margin-top: 1em; }
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _inline(text: str) -> str:
    """Markdown's inline code and bold, as the spec writes them, escaped and rendered: the only markup a
    clause's text carries."""
    escaped = _e(text)
    escaped = re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)
    return re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", escaped)


def _anchor(*parts: object) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in "-".join(map(str, parts)))


def render(report: dict[str, Any]) -> str:
    """[report] The whole report as one HTML document."""
    spec = report["spec"]
    ran = [b for b in report["backends"] if b["status"] != "unavailable"]
    body = [
        f"<h1>cnnspec conformance report</h1><p>Spec <code>{_e(spec['file'])}</code> (sha256 "
        f"<code>{_e(spec['sha256'][:12])}</code>). Each cell is one clause on one backend: "
        + ", ".join(f"<span class='{CLASS[r]}'>{SYMBOL[r]}</span> {r}" for r in SYMBOL)
        + ".</p>"
    ]
    body.append(_backends(report["backends"]))
    body.append(_matrix(report, ran))
    body.append(_failures(report))
    body.append(_accuracy(report))
    body.append(_coverage(ran))
    body.append(_spec(spec))
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>cnnspec conformance report</title><style>{STYLE}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )


def _backends(backends: list[dict[str, Any]]) -> str:
    rows = []
    for b in backends:
        counts = Counter(t["outcome"] for t in b["tests"])
        seed = "derandomized" if b["seed"] is None else b["seed"]
        rows.append(
            f"<tr><td><code>{_e(b['name'])}</code></td><td>{_e(b['description'])}</td>"
            f"<td class='status-{_e(b['status'].replace(' ', '-'))}'>{_e(b['status'])}</td>"
            f"<td>{_e(b['detail'])}</td><td>{_e(', '.join(f'{n} {o}' for o, n in sorted(counts.items())))}</td>"
            + (
                f"<td>{_e(b['profile'])} ({_e(b['max_examples'])} random examples), seed {_e(seed)}</td>"
                if b["profile"]
                else "<td></td>"
            )
            + f"<td>{_e(', '.join(f'{k} {v}' for k, v in sorted(b['machine'].items())))}</td></tr>"
        )
        if b.get("output_tail"):
            rows.append(
                f"<tr><td colspan='7'><details><summary>last output of {_e(b['name'])}</summary>"
                f"<pre>{_e(b['output_tail'])}</pre></details></td></tr>"
            )
    return (
        "<h2>Backends</h2><table><tr><th>backend</th><th>version and device</th><th>verdict</th><th>detail</th>"
        "<th>tests</th><th>profile</th><th>machine</th></tr>" + "".join(rows) + "</table>"
    )


def _matrix(report: dict[str, Any], ran: list[dict[str, Any]]) -> str:
    rows = {(r["clause"], r["backend"]): r for r in report["rows"]}
    head = "".join(f"<th><code>{_e(b['name'])}</code></th>" for b in ran)
    lines = []
    section = None
    for clause in report["spec"]["clauses"]:
        if clause["kind"] != "testable":
            continue
        if clause.get("section") and clause["section"] != section:
            # One matrix, in sections: conv2d's own clauses, then each further operator's.
            section = clause["section"]
            lines.append(f"<tr class='section'><th colspan='{len(ran) + 2}'>{_e(section)}</th></tr>")
        cells = []
        for b in ran:
            row = rows[(clause["id"], b["name"])]
            tip = "; ".join([row["reason"], *row["tests"], *row["unsupported"]])
            mark = SYMBOL[row["result"]] + ("*" if row["unsupported"] else "")
            link = (
                f"<a href='#{_anchor('failures', b['name'], clause['id'])}'>{mark}</a>"
                if row["result"] in ("fail", "known nonconformance")
                else mark
            )
            cells.append(f"<td class='{CLASS[row['result']]}' title='{_e(tip)}'>{link}</td>")
        lines.append(
            f"<tr id='{_anchor('clause', clause['id'])}'><th>{_e(clause['id'])}</th>{''.join(cells)}"
            f"<td class='clause-text'>{_inline(clause['text'])}</td></tr>"
        )
    return (
        "<h2>Clauses by backend</h2><p class='note'>Hover a cell for the tests behind it; * marks a pass "
        "where some of the tests were unsupported.</p>"
        f"<table><tr><th>clause</th>{head}<th>text</th></tr>" + "".join(lines) + "</table>"
    )


def _failures(report: dict[str, Any]) -> str:
    sections = []
    seen: set[str] = set()
    for f in failures(report):
        anchor = _anchor("failures", f.backend, f.clause)
        id_attr = f" id='{anchor}'" if anchor not in seen else ""
        seen.add(anchor)
        parts = [
            f"<section class='failure'{id_attr}><h3><code>{_e(f.backend)}</code> {_e(f.test)} "
            f"[{_e(f.dtype)}]: {_e(f.kind)}, clause <a href='#{_anchor('clause', f.clause)}'>{_e(f.clause)}</a>"
            "</h3>"
        ]
        if f.inflight:  # the call first: the output's tail below it is faulthandler's view of the same death
            parts.append(
                f"<p>The call in flight when the process died: <code>{_e(f.inflight['call'])}</code></p>"
                + failure_figure(f.inflight)
            )
        parts.append(f"<pre>{_e(f.message.strip()[-3000:])}</pre>")
        if f.failure:
            parts.append(failure_figure(f.failure))
        for call in (f.failure, f.inflight):
            if call and call.get("arrays_file"):
                parts.append(
                    f"<p class='note'>Arrays: <a href='{_e(call['arrays_file'])}'>"
                    f"{_e(call['arrays_file'])}</a> (NumPy .npz)</p>"
                )
        reproducer = f.failure.get("reproducer") or (f.inflight or {}).get("reproducer")
        if reproducer:
            parts.append(f"<details open><summary>Reproducer</summary><pre>{_e(reproducer)}</pre></details>")
        sections.append("".join(parts) + "</section>")
    return "<h2>Failures</h2>" + ("".join(sections) if sections else "<p>None.</p>")


def _histogram(histogram: dict[str, int]) -> str:
    """An inline SVG bar chart of |error| / bound by decade, each bar its share of the elements."""
    total = sum(histogram.values()) or 1
    width, height = 14, 40
    bars = []
    for i, name in enumerate(BINS):
        share = histogram.get(name, 0) / total
        h = round(share * height, 1)
        colour = "#c33" if name == "over 1" else "#4a7"
        bars.append(
            f"<rect x='{i * width}' y='{height - h}' width='{width - 2}' height='{h}' fill='{colour}'>"
            f"<title>{_e(name)}: {histogram.get(name, 0)} ({share:.1%})</title></rect>"
        )
    return (
        f"<svg width='{len(BINS) * width}' height='{height + 2}' role='img' "
        f"aria-label='|error| / bound by decade'>{''.join(bars)}</svg>"
    )


def _accuracy(report: dict[str, Any]) -> str:
    rows = report.get("accuracy") or []
    out = [
        "<h2 id='accuracy'>Accuracy</h2><p>Per backend and dtype, over every element a property compared within "
        "its bound (A.1, A.5): the share of elements in each decade of |error| / bound, from exact (left) "
        f"through {_e(BINS[1])} to 0.1..1 and over 1 (red, a failure; hover a bar for its count); the worst "
        "ratio; and the significand bits the copies of A.3 carried, beside those declared (A.7).</p>"
    ]
    if not rows:
        return out[0] + "<p>No element was compared within a bound.</p>"
    out.append(
        "<table><tr><th>backend</th><th>dtype</th><th>elements</th><th>|error| / bound</th>"
        "<th>median</th><th>worst</th><th>copy bits</th></tr>"
    )
    for r in rows:
        out.append(
            f"<tr><td><code>{_e(r['backend'])}</code></td><td>{_e(r['dtype'])}</td>"
            f"<td class='count'>{r['compared']}</td><td>{_histogram(r['histogram'])}</td>"
            f"<td>{_e(quantile_bin(r['histogram'], 0.5))}</td><td>{r['worst']:.3g}</td>"
            f"<td>{_e(bits_text(r))}</td></tr>"
        )
    out.append("</table>")
    return "".join(out)


def _coverage(ran: list[dict[str, Any]]) -> str:
    parts = [
        "<h2>Coverage</h2><p class='note'>For each property and dtype: the examples it ran (its covering "
        "set's first) and discarded, "
        "and per corner of the geometry the examples in which the backend computed a call in that corner. "
        "A red zero is a corner the property's strategy can reach that this backend never computed.</p>"
    ]
    for b in ran:
        head = "".join(f"<th title='{_e(c)}'>{_e(c)}</th>" for c in CORNERS)
        rows = []
        for t in sorted(b["tests"], key=lambda t: (t["test"], str(t.get("dtype")))):
            c = t.get("coverage")
            if c is None:
                rows.append(
                    f"<tr><td>{_e(t['test'])}</td><td>{_e(t.get('dtype'))}</td>"
                    f"<td colspan='{len(CORNERS) + 3}'>{_e(t['outcome'])}</td></tr>"
                )
                continue
            cells = []
            for corner in CORNERS:
                n = c["reached"].get(corner, 0)
                zero = corner in c["not_reached"]
                cells.append(f"<td class='count{' zero' if zero else ''}'>{n if n or zero else ''}</td>")
            rows.append(
                f"<tr><td>{_e(t['test'])}</td><td>{_e(t.get('dtype'))}</td><td class='count'>{c['ran']}</td>"
                f"<td class='count'>{c.get('covering', '')}</td>"
                f"<td class='count'>{c['discarded']}</td>{''.join(cells)}</tr>"
            )
        parts.append(
            f"<h3><code>{_e(b['name'])}</code></h3><table><tr><th>property</th><th>dtype</th><th>ran</th>"
            f"<th>of which covering</th><th>discarded</th>{head}</tr>{''.join(rows)}</table>"
        )
    return "".join(parts)


def _spec(spec: dict[str, Any]) -> str:
    items = "".join(
        f"<dt id='{_anchor('spec', c['id'])}'>{_e(c['id'])} <span class='note'>({_e(c['kind'])})</span></dt>"
        f"<dd>{_inline(c['text'])}</dd>"
        for c in spec["clauses"]
    )
    return f"<h2>The spec</h2><dl>{items}</dl>"
