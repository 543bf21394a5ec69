"""A wrong input to the cnnspec command is one line on stderr naming the file or flag and what is wrong,
exit status 2, and nothing written."""

from __future__ import annotations

import json

import pytest

from cnnspec import cli

REPORT = {"schema": "cnnspec-report/1", "spec": {"clauses": []}}


@pytest.mark.parametrize(
    "content, says",
    [
        ("[1, 2]", "a report is a JSON object, not a list"),
        ("{not json", "cannot read"),
        (json.dumps({**REPORT, "schema": "other/9", "backends": []}), "its schema is 'other/9'"),
        (
            json.dumps({**REPORT, "backends": [{"name": "x", "status": "conformant", "tests": 3}]}),
            "backends[0] (x) needs a status and a list of tests",
        ),
        (
            json.dumps({**REPORT, "backends": [{"name": "x", "status": "conformant", "tests": [{"nodeid": 1}]}]}),
            "backends[0].tests[0] (x) is not an object with a nodeid and an outcome",
        ),
    ],
)
def test_merging_a_file_that_is_not_a_report_says_what_is_wrong(tmp_path, capsys, content, says):
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    assert cli.main(["report", "--merge", str(bad), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert says in err and str(bad) in err and len(err.splitlines()) == 1, err
    assert not (tmp_path / "out").exists()


def test_an_out_that_is_a_file_is_refused_before_anything_runs(tmp_path, capsys):
    taken = tmp_path / "taken"
    taken.write_text("mine")
    assert cli.main(["report", "--out", str(taken), "--backend", "reference"]) == 2
    captured = capsys.readouterr()
    assert "--out" in captured.err and "is a file" in captured.err and "profile" not in captured.out
    assert taken.read_text() == "mine"


def test_a_jobs_count_below_1_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["run", "-j", "0"])
    assert exit_.value.code == 2 and "-j/--jobs: '0' must be a whole number of at least 1" in capsys.readouterr().err
