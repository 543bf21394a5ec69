"""The pytest plugin, through pytester: naming backends, skips with reasons, known nonconformance,
the header, and failures that carry their clause and a reproducer that reproduces."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import pytest

from cnnspec.backends import installed

ADAPTER = """
    from cnnspec import reference

    class Adapter:
        name = "mine"

        def conv2d(self, x, w, b, /, *, stride, padding, dilation, groups):
            return reference.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)

    OBJECT = Adapter()

    def factory():
        return Adapter()

    class Unavailable(Adapter):
        def unavailable(self):
            return "no widget on this machine"

    class NoFloat64NoGroups(Adapter):
        def supports(self, case, dtype):
            if dtype.name == "float64":
                return "float64 is not implemented"
            if case.groups > 1:
                return "groups are not implemented"
            return None

    class NoBiasArgument(Adapter):
        # Like a framework whose bias the adapter adds with broadcasting: E.6 cannot be its to meet.
        not_applicable = {"E.6": "no bias argument; the adapter adds the bias"}

        def conv2d(self, x, w, b, /, **params):
            y = reference.conv2d(x, w, None, **params)
            return y if b is None else y + b.reshape(1, -1, 1, 1)

    class CountsCalls(Adapter):
        max_examples = 3
        calls = 0

        def conv2d(self, x, w, b, /, **params):
            type(self).calls += 1
            print(f"call {type(self).calls}")
            return super().conv2d(x, w, b, **params)

    class CaseInsensitive(Adapter):
        # Reads "Valid" and "SAME" as their forms, as XLA does: E.7 allows it.
        def conv2d(self, x, w, b, /, *, padding, **params):
            padding = padding.lower() if isinstance(padding, str) and padding.lower() in ("valid", "same") else padding
            return super().conv2d(x, w, b, padding=padding, **params)

    class CaseInsensitiveWrongly(Adapter):
        # Accepts "Same" as well as "same", but computes "Same" as "valid".
        def conv2d(self, x, w, b, /, *, padding, **params):
            padding = "valid" if padding in ("Valid", "Same") else padding
            return super().conv2d(x, w, b, padding=padding, **params)

    class NotABackend:
        pass
"""

QUICK = ["-k", "test_output_shape_and_dtype or test_groups_are_independent", "-p", "no:cacheprovider"]


@pytest.fixture
def adapter(pytester: pytest.Pytester):
    pytester.makepyfile(myadapter=textwrap.dedent(ADAPTER))
    pytester.syspathinsert()
    return pytester


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    # Two dtypes keep these runs short; the default (all four) is tested on its own.
    return pytester.runpytest(
        "--pyargs",
        "cnnspec.conformance",
        "--cnnspec-profile",
        "smoke",
        "--cnnspec-dtype",
        "float32",
        "--cnnspec-dtype",
        "float64",
        *args,
    )


def test_unknown_backend_is_a_usage_error_listing_the_installed(pytester):
    result = run(pytester, "--cnnspec-backend", "nope")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert f"unknown backend 'nope'; installed: {', '.join(installed())}" in result.stderr.str()


@pytest.mark.parametrize("attribute", ["Adapter", "OBJECT", "factory"])
def test_module_attribute_names_an_object_a_class_or_a_factory(adapter, attribute):
    result = run(adapter, "--cnnspec-backend", f"myadapter:{attribute}", *QUICK)
    result.assert_outcomes(passed=4)


def test_an_attribute_that_is_not_a_backend_is_a_usage_error(adapter):
    result = run(adapter, "--cnnspec-backend", "myadapter:NotABackend")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert (
        "is not a backend: it needs a str 'name' and a callable 'conv2d' (missing: name, conv2d)" in result.stderr.str()
    )


@pytest.mark.slow
def test_a_registered_entry_point_is_named_like_a_builtin(adapter):
    dist = adapter.mkdir("mine_adapter-0.1.dist-info")
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: mine-adapter\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[cnnspec.backends]\nmine = myadapter:Adapter\n")
    result = run(adapter, "--cnnspec-backend", "mine", *QUICK)
    result.assert_outcomes(passed=4)
    assert (
        "mine"
        in subprocess.run(
            [sys.executable, "-c", "from cnnspec.backends import installed; print(installed())"],
            capture_output=True,
            text=True,
            cwd=adapter.path,
            env={"PYTHONPATH": str(adapter.path)},
        ).stdout
    )


def test_an_unavailable_backend_skips_every_test_with_its_reason(adapter):
    result = run(adapter, "--cnnspec-backend", "myadapter:Unavailable", "-rs")
    assert result.ret == pytest.ExitCode.OK
    outcomes = result.parseoutcomes()
    assert outcomes.get("skipped", 0) > 0 and "passed" not in outcomes and "failed" not in outcomes
    result.stdout.fnmatch_lines(["*mine: no widget on this machine*"])


def test_torch_cuda_skips_with_a_reason_where_there_is_no_gpu(pytester):
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    result = run(pytester, "--cnnspec-backend", "torch-cuda", "-rs", *QUICK)
    result.assert_outcomes(skipped=4)
    result.stdout.fnmatch_lines(["*torch-cuda: no CUDA device here*"])


def test_unsupported_dtypes_and_examples_are_skipped_with_the_reason(adapter):
    result = run(adapter, "--cnnspec-backend", "myadapter:NoFloat64NoGroups", "-rs", *QUICK)
    # float32 shapes run on the supported examples; float64 skips; groups>1-only properties skip.
    result.assert_outcomes(passed=1, skipped=3)
    result.stdout.fnmatch_lines(["*mine: float64 is not implemented*"])
    result.stdout.fnmatch_lines(
        ["*mine supports or accepts none of this property's examples: groups are not implemented*"]
    )


def test_known_nonconformance_is_an_expected_failure_with_its_reason(adapter):
    adapter.makepyfile(
        knownbroken="""
        import numpy as np
        from cnnspec import reference
        from cnnspec.backends import KnownNonconformance

        class Float64Out:
            name = "float64-out"
            known_nonconformance = [KnownNonconformance(
                "test_shapes.py::test_output_shape_and_dtype", "returns float64", "https://example.org/1", "float32")]

            def conv2d(self, x, w, b, /, **params):
                return reference.conv2d(x, w, b, **params).astype(np.float64)
    """
    )
    result = run(adapter, "--cnnspec-backend", "knownbroken:Float64Out", "-rx", "-k", "test_output_shape_and_dtype")
    result.assert_outcomes(passed=1, xfailed=1)
    result.stdout.fnmatch_lines(["*known nonconformance: returns float64 (https://example.org/1)*"])


def test_header_says_backend_profile_and_how_to_reproduce(pytester):
    result = run(pytester, "--cnnspec-backend", "reference", "--collect-only")
    result.stdout.fnmatch_lines(
        [
            "cnnspec: spec conv2d.md (* testable clauses); profile smoke (derandomized: each property's covering set, then 30 random examples)",
            "cnnspec: backend reference (numpy *, cpu)",
            "cnnspec: reproduce with: pytest --pyargs cnnspec.conformance --cnnspec-backend reference --cnnspec-dtype float32 "
            "--cnnspec-dtype float64 --cnnspec-profile smoke",
        ]
    )


def test_every_dtype_runs_unless_the_run_names_some(pytester):
    result = pytester.runpytest(
        "--pyargs",
        "cnnspec.conformance",
        "--cnnspec-backend",
        "reference",
        "--collect-only",
        "-q",
        "-k",
        "test_output_shape_and_dtype",
    )
    result.stdout.fnmatch_lines(
        [
            "*[[]reference-float32[]]",
            "*[[]reference-float64[]]",
            "*[[]reference-float16[]]",
            "*[[]reference-bfloat16[]]",
        ]
    )
    wrong = pytester.runpytest("--pyargs", "cnnspec.conformance", "--cnnspec-dtype", "float8")
    assert wrong.ret == pytest.ExitCode.USAGE_ERROR
    wrong.stderr.fnmatch_lines(["*--cnnspec-dtype: invalid choice: 'float8'*"])


def test_a_failure_names_its_clause_and_shrinks_to_a_reproducer_that_reproduces(pytester):
    pytester.syspathinsert(pytester.path.parent)
    pytester.makepyfile(
        flipped="""
        import numpy as np
        from cnnspec import reference

        class Flipped:
            name = "flipped"

            def conv2d(self, x, w, b, /, **params):
                return reference.conv2d(x, np.ascontiguousarray(w[..., ::-1, ::-1]), b, **params)
    """
    )
    pytester.syspathinsert()
    result = pytester.runpytest(
        "--pyargs",
        "cnnspec.conformance",
        "--cnnspec-backend",
        "flipped:Flipped",
        "--cnnspec-profile",
        "ci",
        "-k",
        "test_impulse_input_copies_the_kernel_unflipped",
        "--cnnspec-dtype",
        "float32",
        "--cnnspec-dtype",
        "float64",
        "-p",
        "no:cacheprovider",
    )
    result.assert_outcomes(failed=2)
    text = result.stdout.str()
    # Shrunk: one batch element, one channel, one filter, and a two-tap kernel is all a flip needs.
    message = re.search(r"Nonconformance: (out\[.*)", text).group(1)
    assert "[V.2] [flipped.conv2d(x: (1,1," in message
    assert re.search(r"w: \(1,1,(1,2|2,1)\), b: None", message), message
    lines = text.splitlines()
    lines = lines[next(i for i, line in enumerate(lines) if "# Reproducer" in line) :]
    lines = lines[: next(i for i, line in enumerate(lines) if "print(" in line) + 1]
    snippet = textwrap.dedent("\n".join(re.sub(r"^E", " ", line) for line in lines))
    out = subprocess.run([sys.executable, "-c", snippet], capture_output=True, text=True, cwd=pytester.path)
    assert out.returncode == 0, out.stderr
    got, expected = re.search(r"= (\S+) but should be (\S+)", out.stdout).groups()
    assert float(got) != float(expected)


def test_a_users_own_backend_and_dtype_fixtures_are_left_alone(pytester):
    pytester.makepyfile(
        test_mine="""
        import pytest

        @pytest.fixture
        def backend():
            return "my backend"

        @pytest.fixture
        def dtype():
            return "my dtype"

        def test_mine(backend, dtype):
            assert (backend, dtype) == ("my backend", "my dtype")
    """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


@pytest.mark.slow
def test_a_random_run_prints_its_seed_and_the_seed_repeats_the_run(pytester):
    pytester.makepyfile(
        recording="""
        from cnnspec import reference

        class Recording:
            name = "recording"

            def conv2d(self, x, w, b, /, **params):
                with open("calls.txt", "a") as f:
                    f.write(f"{x.shape} {w.shape} {params}\\n")
                return reference.conv2d(x, w, b, **params)
    """
    )
    pytester.syspathinsert()
    args = [
        "--pyargs",
        "cnnspec.conformance",
        "--cnnspec-backend",
        "recording:Recording",
        "--cnnspec-profile",
        "default",
        "-k",
        "test_output_shape_and_dtype",
        "--cnnspec-dtype",
        "float32",
        "--cnnspec-dtype",
        "float64",
        "-p",
        "no:cacheprovider",
    ]
    first = pytester.runpytest_subprocess(*args)
    seed = re.search(r"--hypothesis-seed=(\d+)", first.stdout.str()).group(1)
    calls = (pytester.path / "calls.txt").read_text()
    (pytester.path / "calls.txt").unlink()
    pytester.runpytest_subprocess(*args, f"--hypothesis-seed={seed}").assert_outcomes(passed=2)
    assert (pytester.path / "calls.txt").read_text() == calls


def test_a_clause_an_adapter_declares_not_applicable_skips_with_its_reason(adapter):
    invalid_bias = ["-k", "test_wrong_bias_is_rejected", "-p", "no:cacheprovider", "-rs"]
    result = run(adapter, "--cnnspec-backend", "myadapter:NoBiasArgument", *invalid_bias)
    result.assert_outcomes(skipped=2)
    result.stdout.fnmatch_lines(["*mine: no bias argument; the adapter adds the bias*"])
    # Without the declaration, the same adapter fails E.6: the skip is the declaration's doing.
    adapter.makepyfile(
        undeclared="""
        from myadapter import NoBiasArgument

        class Undeclared(NoBiasArgument):
            not_applicable = {}
    """
    )
    run(adapter, "--cnnspec-backend", "undeclared:Undeclared", *invalid_bias).assert_outcomes(failed=2)


def test_an_adapter_that_asks_for_fewer_examples_gets_at_most_that_many(adapter):
    result = run(
        adapter,
        "--cnnspec-backend",
        "myadapter:CountsCalls",
        "-s",
        "-k",
        "test_output_shape_and_dtype and float32",
        "-p",
        "no:cacheprovider",
    )
    result.assert_outcomes(passed=1)
    calls = [int(n) for n in re.findall(r"^call (\d+)", result.stdout.str(), flags=re.M)]
    # One call an example: the covering set's, then at most 3 random ones (the smoke profile would run 30).
    from cnnspec.conformance.covering import examples
    from cnnspec.conformance.test_shapes import test_output_shape_and_dtype

    covering = len(examples(test_output_shape_and_dtype.hypothesis._given_kwargs)[0])
    assert covering < max(calls) <= covering + 3, max(calls)


def test_a_known_crash_is_an_expected_failure_and_the_run_goes_on(adapter):
    adapter.makepyfile(
        crashy="""
        from cnnspec.backends import KnownCrash
        from myadapter import Adapter

        class RefusesGroupsZero(Adapter):
            def conv2d(self, x, w, b, /, *, groups, **params):
                if groups == 0:
                    raise KnownCrash("E.2", "groups=0 kills the process", "https://example.org/1")
                return super().conv2d(x, w, b, groups=groups, **params)
    """
    )
    result = run(
        adapter,
        "--cnnspec-backend",
        "crashy:RefusesGroupsZero",
        "-rx",
        "-p",
        "no:cacheprovider",
        "-k",
        "test_groups_that_do_not_divide_are_rejected or test_output_shape_and_dtype",
    )
    # Hypothesis's first example has groups=0 here: the E.2 property is an expected failure, not a pass.
    result.assert_outcomes(passed=2, xfailed=2)
    result.stdout.fnmatch_lines(["*known nonconformance: mine: [[]E.2[]] the call would crash the process*"])


def test_a_known_wrong_answer_fails_its_own_clause_and_is_not_judged_elsewhere(adapter):
    adapter.makepyfile(
        wrong="""
        from cnnspec.backends import KnownWrongAnswer
        from myadapter import Adapter

        class RefusesMultipliers(Adapter):
            def conv2d(self, x, w, b, /, *, groups, **params):
                if groups == x.shape[-3] > 1 and w.shape[0] > groups:
                    raise KnownWrongAnswer("G.4", "depthwise with a multiplier is wrong")
                return super().conv2d(x, w, b, groups=groups, **params)
    """
    )
    result = run(
        adapter,
        "--cnnspec-backend",
        "wrong:RefusesMultipliers",
        "-rx",
        "-p",
        "no:cacheprovider",
        "-k",
        "test_depthwise_with_channel_multiplier or test_matches_reference_within_bound",
    )
    # Its own clause's property is the expected failure; another property's examples that meet the shape
    # are discarded, and that property passes on the rest.
    result.assert_outcomes(passed=2, xfailed=2)
    result.stdout.fnmatch_lines(["*test_depthwise_with_channel_multiplier*known nonconformance: mine: [[]G.4[]]*"])


@pytest.mark.parametrize(
    ("adapter_name", "outcome"), [("CaseInsensitive", "passed"), ("CaseInsensitiveWrongly", "failed")]
)
def test_a_padding_spelt_in_another_case_may_be_accepted_as_the_form_it_spells(adapter, adapter_name, outcome):
    result = run(
        adapter,
        "--cnnspec-backend",
        f"myadapter:{adapter_name}",
        "-k",
        "test_unknown_padding_string_is_rejected",
        "-p",
        "no:cacheprovider",
    )
    result.assert_outcomes(**{outcome: 2})
    if outcome == "failed":
        result.stdout.fnmatch_lines(["*[[]E.7[]] [[]mine.conv2d(*padding='Same',*"])


def test_the_plugin_module_imports_nothing_until_the_suite_is_asked_for():
    code = (
        "import sys, cnnspec.pytest_plugin; print(sorted(m for m in sys.modules if m.startswith('cnnspec.') "
        "or m.split('.')[0] in ('numpy', 'ml_dtypes', 'scipy', 'hypothesis')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "['cnnspec.pytest_plugin']", done.stdout + done.stderr


def test_a_session_without_cnnspec_options_loads_none_of_the_suite(pytester):
    pytester.makepyfile(
        test_plain="""
        import sys

        def test_nothing_of_the_suite_is_loaded():
            loaded = [m for m in sys.modules if m.startswith("cnnspec.") or m.split(".")[0] in ("numpy", "ml_dtypes")]
            assert loaded == ["cnnspec.pytest_plugin"], loaded
    """
    )
    # Hypothesis's own plugin, xdist's and pytest's cache are left out: what is measured is cnnspec's.
    pytester.runpytest_subprocess(
        "-p", "no:hypothesispytest", "-p", "no:xdist", "-p", "no:cacheprovider"
    ).assert_outcomes(passed=1)


def test_a_project_with_its_own_backend_option_runs_beside_the_plugin(pytester):
    pytester.makeconftest("""
        def pytest_addoption(parser):
            parser.addoption("--backend", default="cpu")
    """)
    pytester.makepyfile(
        test_mine="""
        def test_its_own_option(request):
            assert request.config.getoption("backend") == "gpu"
    """
    )
    pytester.runpytest_subprocess("--backend", "gpu", "-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_the_plugin_names_the_suites_dtypes_and_profiles():
    # It names them without importing NumPy or Hypothesis: the two lists must agree.
    from cnnspec import pytest_plugin, suite_plugin
    from cnnspec.conformance import profiles

    assert pytest_plugin.DTYPE_NAMES == tuple(n for n in suite_plugin._DTYPE_NAMES)
    assert pytest_plugin.PROFILE_NAMES == tuple(sorted(profiles.PROFILES))
