"""The report as Markdown, readable on a code-hosting page."""

from __future__ import annotations

from collections import Counter
from typing import Any, Sequence

from cnnspec.conformance.errorstats import bits_text, quantile_bin
from cnnspec.corners import CORNERS
from cnnspec.report.model import failures

MARK = {
    "pass": "pass",
    "fail": "**FAIL**",
    "known nonconformance": "known",
    "not judged": "not judged",
    "unsupported": "n/a",
    "untested": "-",
}


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines + [""]


def render(report: dict[str, Any]) -> str:
    """[report] The whole report as one Markdown document."""
    spec = report["spec"]
    ran = [b for b in report["backends"] if b["status"] != "unavailable"]
    out = [
        "# cnnspec conformance report",
        "",
        f"Spec: `{spec['file']}` (sha256 `{spec['sha256'][:12]}`), "
        f"{sum(c['kind'] == 'testable' for c in spec['clauses'])} testable clauses. "
        "Results: pass, **FAIL**, known (a recorded known nonconformance), not judged (its test failed on "
        "an example that breaks a more basic clause, where the failure is filed), n/a (unsupported by the "
        "backend, with its reason), - (untested).",
        "",
        "## Backends",
        "",
    ]
    out += _table(
        ["backend", "version and device", "verdict", "tests", "profile", "seed", "machine"],
        [
            [
                f"`{b['name']}`",
                b["description"],
                b["status"],
                _counts(b),
                b["profile"] or "",
                b["seed"] if b["seed"] is not None else "derandomized",
                b["machine"].get("system", ""),
            ]
            for b in ran
        ],
    )
    for b in report["backends"]:
        if b["status"] == "unavailable":
            out.append(f"- `{b['name']}` did not run here: {b['detail']}")
        elif b["status"] in ("crashed", "timed out", "error"):
            out.append(f"- `{b['name']}` **{b['status']}**: {b['detail']}")
    out += ["", "## Clauses by backend", ""]
    rows = {(r["clause"], r["backend"]): r for r in report["rows"]}
    texts = {c["id"]: c["text"] for c in spec["clauses"]}
    # One matrix, in sections: conv2d's own clauses, then each further operator's (N, B, U, M).
    table: list[list[object]] = []
    section = None
    for clause in (c for c in spec["clauses"] if c["kind"] == "testable"):
        if clause.get("section") and clause["section"] != section:
            section = clause["section"]
            table.append([f"**{section}**", *[""] * len(ran), ""])
        c = clause["id"]
        table.append([c, *[MARK[rows[(c, b["name"])]["result"]] for b in ran], _short(texts[c])])
    out += _table(["clause", *[f"`{b['name']}`" for b in ran], "text"], table)
    out += _failures(report)
    out += _accuracy(report)
    out += _coverage(ran)
    return "\n".join(out).rstrip() + "\n"


def _counts(backend: dict[str, Any]) -> str:
    counts = Counter(t["outcome"] for t in backend["tests"])
    return ", ".join(f"{n} {o}" for o, n in sorted(counts.items()))


def _short(text: str, limit: int = 110) -> str:
    return text if len(text) <= limit else text[: limit - 3].rsplit(" ", 1)[0] + " ..."


def _failures(report: dict[str, Any]) -> list[str]:
    out = ["## Failures", ""]
    found = False
    for f in failures(report):
        found = True
        out += [f"### `{f.backend}` {f.test} [{f.dtype}]: {f.kind}, clause {f.clause}", ""]
        if f.inflight:  # the call first: the output's tail below it is faulthandler's view of the same death
            out += [f"The call in flight when the process died: `{f.inflight['call']}`", ""]
        out += ["```", f.message.strip()[-3000:], "```", ""]
        call = f.failure or f.inflight
        if call and call.get("arrays_file"):
            out.append(f"Arrays: [`{call['arrays_file']}`]({call['arrays_file']}) (NumPy .npz).")
        reproducer = f.failure.get("reproducer") or (f.inflight or {}).get("reproducer")
        if reproducer:
            out += ["", "```python", reproducer, "```"]
        out.append("")
    if not found:
        out += ["None.", ""]
    return out


def _accuracy(report: dict[str, Any]) -> list[str]:
    out = [
        "## Accuracy",
        "",
        "Per backend and dtype, over every element a property compared within its bound (A.1, A.5): where "
        "|error| / bound fell (its median and 99th percentile by decade, and the worst), and the significand "
        "bits the copies of A.3 carried, beside those declared (A.7).",
        "",
    ]
    rows = report.get("accuracy") or []
    if not rows:
        return out + ["No element was compared within a bound.", ""]
    return (
        out
        + _table(
            ["backend", "dtype", "elements", "exact", "median", "99th percentile", "worst", "copy bits"],
            [
                [
                    f"`{r['backend']}`",
                    r["dtype"],
                    r["compared"],
                    r["histogram"]["exact"],
                    quantile_bin(r["histogram"], 0.5),
                    quantile_bin(r["histogram"], 0.99),
                    f"{r['worst']:.3g}",
                    bits_text(r),
                ]
                for r in rows
            ],
        )
        + [""]
    )


def _coverage(ran: list[dict[str, Any]]) -> list[str]:
    out = [
        "## Coverage",
        "",
        "Examples each property ran per dtype, its covering set's first (discarded ones: unsupported, or "
        "rejected as the spec allows), "
        "and the corners of the geometry that a property's strategy can reach but whose every call this "
        "backend never computed.",
        "",
    ]
    for b in ran:
        reached: Counter[str] = Counter()
        rows = []
        by_test: dict[str, list[dict[str, Any]]] = {}
        for t in b["tests"]:
            by_test.setdefault(t["test"], []).append(t)
        for name, tests in sorted(by_test.items()):
            examples, missed = [], set()
            for t in sorted(tests, key=lambda t: str(t.get("dtype"))):
                c = t.get("coverage")
                if c is None:
                    examples.append(f"{t.get('dtype')}: {t['outcome']}")
                    continue
                covering = f", {c['covering']} covering" if c.get("covering") else ""
                examples.append(
                    f"{t.get('dtype')}: {c['ran']}"
                    + (
                        f" (+{c['discarded']} discarded{covering})"
                        if c["discarded"]
                        else f" ({covering[2:]})"
                        if covering
                        else ""
                    )
                )
                reached.update(c["reached"])
                missed |= set(c["not_reached"])
            rows.append([name, "; ".join(examples), ", ".join(n for n in CORNERS if n in missed)])
        out += [
            f"### `{b['name']}`",
            "",
            "Examples reaching each corner, over all properties: "
            + ", ".join(f"{n} {reached[n]}" for n in CORNERS)
            + ".",
            "",
        ]
        out += _table(["property", "examples", "corners not reached"], rows)
    return out
