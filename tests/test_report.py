"""`cnnspec report`: a run with a broken, a crashing, a hanging and a markup-named backend gives rows
for each, a reproducer that reproduces, arrays beside the JSON, a merge, and HTML that shows a
backend's text as text."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from cnnspec import report

# Each runs the cnnspec command, and so a backend's suite, in processes of its own.
pytestmark = pytest.mark.slow


TESTS = Path(__file__).resolve().parent
SELECTION = "test_output_shape or test_exact_on_small or impulse"


def cnnspec(*args: str, cwd: Path, timeout: float = 600, **environ: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(TESTS), **environ}
    env.pop("CI", None)
    return subprocess.run(
        [sys.executable, "-m", "cnnspec.cli", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout
    )


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """One report over a correct, a broken, a crashing and a markup-named backend."""
    where = tmp_path_factory.mktemp("report")
    done = cnnspec(
        "report",
        "--out",
        "out",
        "--backend",
        "reference",
        "--backend",
        "broken_backends:FlippedKernel",
        "--backend",
        "odd_backends:Crashes",
        "--backend",
        "odd_backends:Markup",
        "--",
        "-k",
        SELECTION,
        cwd=where,
    )
    return done, where / "out", json.loads((where / "out" / "conformance.json").read_text())


def _rows(made_report, backend):
    return {r["clause"]: r for r in made_report["rows"] if r["backend"] == backend}


def test_each_backend_is_a_row_and_a_failure_fails_the_command(made):
    done, _, data = made
    assert done.returncode == 1, done.stdout + done.stderr
    status = {b["name"]: b["status"] for b in data["backends"]}
    assert status == {
        "reference": "conformant",
        "FlippedKernel": "nonconformant",
        "crashes": "crashed",
        "<img src=x onerror=alert(1)>": "nonconformant",
    }
    assert re.search(r"^reference +conformant: 12 passed", done.stdout, re.M), done.stdout


def test_rows_are_clause_by_backend_with_results(made):
    _, _, data = made
    reference, flipped = _rows(data, "reference"), _rows(data, "FlippedKernel")
    assert reference["A.2"]["result"] == "pass" and reference["V.2"]["result"] == "pass"
    assert flipped["A.2"]["result"] == "fail" and flipped["V.2"]["result"] == "fail"
    assert flipped["S.4"]["result"] == "pass"
    assert reference["G.5"]["result"] == "untested"  # -k left its property out
    assert {r["backend"] for r in data["rows"]} == {b["name"] for b in data["backends"]}
    assert len(data["rows"]) == 4 * sum(c["kind"] == "testable" for c in data["spec"]["clauses"])


def test_a_crash_is_a_row_with_the_call_in_flight_and_the_run_resumes(made):
    _, _, data = made
    crashes = next(b for b in data["backends"] if b["name"] == "crashes")
    outcomes = {t["nodeid"].split("::")[1]: t["outcome"] for t in crashes["tests"]}
    assert outcomes["test_output_shape_and_dtype[crashes-float32]"] == "crashed"
    assert outcomes["test_output_shape_and_dtype[crashes-float64]"] == "passed"  # resumed after the crash
    crashed = next(t for t in crashes["tests"] if t["outcome"] == "crashed")
    call = crashed["inflight"]
    assert call["dtype"] == "float32" and call["x_shape"][1] > 1
    assert "SIGSEGV" in crashes["detail"] and "resumed without it" in crashes["detail"]
    assert _rows(data, "crashes")["S.4"]["result"] == "fail"
    with np.load(made[1] / call["arrays_file"]) as arrays:
        assert arrays["x"].shape == tuple(call["x_shape"])


def test_a_failure_has_its_minimal_example_beside_the_json(made):
    _, out, data = made
    flipped = next(b for b in data["backends"] if b["name"] == "FlippedKernel")
    failure = next(t for t in flipped["tests"] if t["outcome"] == "failed" and t["clause"] == "V.2")["failure"]
    # Shrunk to a two-pixel image and a two-tap kernel, along either axis.
    assert failure["x_shape"] in ([1, 1, 1, 2], [1, 1, 2, 1]) and failure["w_shape"] == failure["x_shape"]
    assert "arrays" not in failure
    with np.load(out / failure["arrays_file"]) as arrays:
        assert set(arrays.files) >= {"x", "w", "actual", "expected", "bad"}
        assert arrays["actual"][0, 0, 0, 0] != arrays["expected"][0, 0, 0, 0]


def test_the_reproducer_reproduces_the_failure(made):
    _, _, data = made
    flipped = next(b for b in data["backends"] if b["name"] == "FlippedKernel")
    failure = next(t for t in flipped["tests"] if t["outcome"] == "failed")["failure"]
    done = subprocess.run(
        [sys.executable, "-c", failure["reproducer"]],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(TESTS)},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    printed = re.search(r"= (\S+) but should be (\S+)", done.stdout)
    assert printed, done.stdout
    assert float(printed.group(1)) != float(printed.group(2))
    index = failure["index"]
    assert float(printed.group(2)) == pytest.approx(
        float(re.search(r"but should be (\S+) \(", failure["message"]).group(1))
    )
    assert index == [0, 0, 0, 0]


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_the_html_is_self_contained_and_shows_backend_text_as_text(made):
    _, out, _ = made
    page = _Elements()
    page.feed((out / "index.html").read_text())
    tags = [t for t, _ in page.tags]
    assert "script" not in tags and "img" not in tags and "link" not in tags
    assert not any(k.startswith("on") for _, attrs in page.tags for k in attrs)
    assert not any(
        v and v.startswith(("http:", "https:"))
        for _, attrs in page.tags
        for v in attrs.values()
        if v and _ in ("src", "href")
    )
    text = "".join(page.text)
    assert "<img src=x onerror=alert(1)>" in text and "</pre><script>alert(2)</script>" in text
    assert tags.count("svg") >= 5  # the pictures of the flipped kernel's failures: x, w, expected, actual, diff
    cells = [attrs.get("class") for t, attrs in page.tags if t == "td"]
    assert cells.count("fail") >= 2 and cells.count("pass") >= 10


def test_the_markdown_has_the_matrix_and_the_failures(made):
    _, out, _ = made
    text = (out / "conformance.md").read_text()
    assert re.search(r"^\| V\.2 \| pass \| \*\*FAIL\*\* \| ", text, re.M), text[:3000]
    assert "### `FlippedKernel` test_values.py::test_impulse_input_copies_the_kernel_unflipped [float32]" in text
    assert "examples/" in text and "## Coverage" in text


def test_no_temporary_file_is_left(made):
    _, out, _ = made
    assert not [p for p in out.rglob("*") if p.name.startswith(".")]


def test_a_hang_is_a_row_and_the_report_is_still_written(tmp_path):
    done = cnnspec(
        "report",
        "--out",
        "out",
        "--timeout",
        "10",
        "--backend",
        "odd_backends:Hangs",
        "--backend",
        "reference",
        "--",
        "-k",
        "test_output_shape",
        cwd=tmp_path,
    )
    assert done.returncode == 1
    data = json.loads((tmp_path / "out" / "conformance.json").read_text())
    hangs = data["backends"][0]
    assert hangs["status"] == "timed out" and "(a hang?)" in hangs["detail"]
    assert [t["outcome"] for t in hangs["tests"]] == ["timed out"]
    # The call in flight is the first example's: the covering set's first (smallest) case.
    from cnnspec.conformance.covering import examples
    from cnnspec.conformance.test_shapes import test_output_shape_and_dtype

    first = examples(test_output_shape_and_dtype.hypothesis._given_kwargs)[0][0]["case"]
    assert hangs["tests"][0]["inflight"]["x_shape"] == list(first.x_shape)
    assert data["backends"][1]["status"] == "conformant"


def test_running_out_of_memory_under_a_limit_is_a_failed_row(tmp_path):
    done = cnnspec(
        "report",
        "--out",
        "out",
        "--memory-limit",
        "3",
        "--backend",
        "odd_backends:Hog",
        "--",
        "-k",
        "test_output_shape",
        cwd=tmp_path,
    )
    data = json.loads((tmp_path / "out" / "conformance.json").read_text())
    hog = data["backends"][0]
    assert hog["status"] == "nonconformant", hog["detail"] + done.stdout
    assert all("MemoryError" in t["failure"]["message"] for t in hog["tests"])


def test_reports_merge(made, tmp_path):
    _, out, data = made
    other = tmp_path / "gpu-box"
    done = cnnspec(
        "report",
        "--out",
        str(other),
        "--backend",
        "torch-cuda",
        "--backend",
        "reference",
        "--",
        "-k",
        "test_output_shape",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout
    merged_dir = tmp_path / "merged"
    done = cnnspec(
        "report",
        "--merge",
        str(out / "conformance.json"),
        str(other / "conformance.json"),
        "--out",
        str(merged_dir),
        cwd=tmp_path,
    )
    assert done.returncode == 1  # the merged report still holds the failing backends
    assert "reference appears in more than one report; the later one is kept" in done.stdout
    merged = json.loads((merged_dir / "conformance.json").read_text())
    names = [b["name"] for b in merged["backends"]]
    assert names == ["reference", "FlippedKernel", "crashes", "<img src=x onerror=alert(1)>", "torch-cuda"]
    reference = next(b for b in merged["backends"] if b["name"] == "reference")
    assert len(reference["tests"]) == 4  # the later run's: one test, four dtypes
    flipped = next(b for b in merged["backends"] if b["name"] == "FlippedKernel")
    failure = next(t for t in flipped["tests"] if t["outcome"] == "failed")["failure"]
    assert (merged_dir / failure["arrays_file"]).exists()


def test_a_run_that_could_not_run_is_replaced_by_one_that_did():
    ran = {"name": "torch-cuda", "status": "conformant", "tests": [], "detail": ""}
    absent = {"name": "torch-cuda", "status": "unavailable", "tests": [], "detail": "no CUDA device here"}
    spec = report.model.spec_record()
    one = {"schema": report.model.SCHEMA, "spec": spec, "backends": [ran]}
    other = {"schema": report.model.SCHEMA, "spec": spec, "backends": [absent]}
    for order in ([one, other], [other, one]):
        merged, warnings = report.merge(order)
        assert merged["backends"] == [ran] and warnings == []


def test_the_same_run_gives_the_same_report_with_or_without_xdist(tmp_path):
    outputs = []
    # Two runs, one under pytest-xdist and each with its own hash seed: equal reports show that a run is
    # repeatable, that xdist changes nothing, and that no set of strings' order (which the hash seed
    # decides) picks a covering case or an example.
    for name, extra, seed in (("a", (), "0"), ("c", ("-n", "2"), "3")):
        done = cnnspec(
            "report",
            "--out",
            name,
            "--backend",
            "reference",
            "--backend",
            "broken_backends:FlippedKernel",
            *extra,
            "--",
            "-k",
            "exact or impulse or depthwise",
            cwd=tmp_path,
            PYTHONHASHSEED=seed,
        )
        assert done.returncode == 1, done.stdout
        outputs.append(
            {p.relative_to(tmp_path / name): p.read_bytes() for p in (tmp_path / name).rglob("*") if p.is_file()}
        )
    differ = sorted(str(p) for p in outputs[0].keys() | outputs[1].keys() if outputs[0].get(p) != outputs[1].get(p))
    assert not differ, differ


def test_an_interrupted_write_leaves_the_previous_report(tmp_path, monkeypatch):
    data = report.build([])
    report.write(data, tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}

    def interrupted(report_data):
        raise KeyboardInterrupt

    monkeypatch.setattr(report.html, "render", interrupted)
    with pytest.raises(KeyboardInterrupt):
        report.write(report.build([]), tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before


def _browser() -> list[str] | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"):
        path = shutil.which(name)
        if path:
            return [path, "--headless", "--no-sandbox", "--disable-gpu"]
    return None


def test_the_page_renders_in_a_headless_browser(made, tmp_path):
    browser = _browser()
    if browser is None:
        pytest.skip("no headless browser here (looked for chromium, chromium-browser, google-chrome, chrome)")
    _, out, _ = made
    page = (out / "index.html").as_uri()
    done = subprocess.run([*browser, "--dump-dom", page], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Clauses by backend" in done.stdout and "&lt;img src=x onerror=alert(1)&gt;" in done.stdout
    assert "<script>alert(2)</script>" not in done.stdout
    # A picture of the page as a reader sees it, kept with the test's files: a page that drew nothing (a
    # blank screen compresses to a few kB) fails.
    shot = tmp_path / "index.png"
    subprocess.run(
        [*browser, f"--screenshot={shot}", "--window-size=1400,2000", page], capture_output=True, timeout=120
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000, shot.stat().st_size


def _result(test, dtype, outcome, clauses, **extra):
    return {
        "nodeid": f"{test}[x-{dtype}]",
        "test": test,
        "dtype": dtype,
        "outcome": outcome,
        "clauses": clauses,
        **extra,
    }


def test_a_clause_takes_the_worst_result_of_the_tests_that_name_it():
    from cnnspec.runner import BackendRun

    run = BackendRun(
        "x",
        "nonconformant",
        header={"backends": [{"name": "x"}]},
        results=[
            _result("test_a.py::test_a", "float32", "passed", ["S.4", "S.1"]),
            _result("test_a.py::test_a", "float64", "skipped", ["S.4", "S.1"], reason="float64 is not supported"),
            _result("test_b.py::test_b", "float32", "failed", ["A.1", "V.1"], clause="G.2", reason="out[0]=1, but"),
            _result("test_c.py::test_c", "float32", "xfailed", ["V.2", "A.3"], clause="V.2", reason="known: flips"),
            _result("test_d.py::test_d", "float32", "skipped", ["P.4"], reason="no same padding"),
            _result(
                "test_e.py::test_e",
                "float32",
                "failed",
                ["A.10", "A.3"],
                clause="T.2",
                found_by="A.10",
                reason="the example breaks T.2",
            ),
            _result("test_f.py::test_f", "float32", "xfailed", ["R.1"], clause="P.3", found_by="R.1", reason="known"),
        ],
    )
    rows = {r["clause"]: r for r in report.build([run])["rows"]}
    assert rows["S.4"]["result"] == "pass" and rows["S.4"]["unsupported"] == [
        "test_a.py::test_a [float64]: float64 is not supported"
    ]
    assert rows["G.2"]["result"] == "fail" and rows["G.2"]["reason"] == "out[0]=1, but"
    assert rows["A.1"]["result"] == "untested" and rows["V.1"]["result"] == "untested"  # the test did not finish
    assert rows["V.2"]["result"] == "known nonconformance" and rows["V.2"]["reason"] == "known: flips"
    assert rows["P.4"]["result"] == "unsupported" and rows["P.4"]["reason"] == "no same padding"
    assert rows["E.1"]["result"] == "untested"
    # A failure filed under the basic clause its example breaks: that clause fails, the property's is not judged.
    assert rows["T.2"]["result"] == "fail" and rows["A.10"]["result"] == "not judged"
    assert "breaks a more basic clause, T.2" in rows["A.10"]["reason"] and rows["A.3"]["result"] == "untested"
    assert rows["P.3"]["result"] == "known nonconformance" and rows["R.1"]["result"] == "not judged"


def test_a_failure_of_an_empty_batch_draws_no_map():
    # An empty-batch call (E.13) has arrays with no element: its figure is empty, not an IndexError.
    from cnnspec.recording import encode_array
    from cnnspec.report.pictures import failure_figure

    arrays = {
        "x": np.ones((0, 3, 2, 2), np.float32),
        "w": np.ones((3, 1, 1, 1), np.float32),
        "actual": np.ones((0, 3, 2, 2), np.float32),
        "expected": np.ones((0, 3, 2, 2), np.float32),
    }
    failure = {"arrays": {k: encode_array(a) for k, a in arrays.items()}, "groups": 3, "index": None}
    assert failure_figure(failure) == ""
