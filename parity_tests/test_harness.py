"""The comparison helper itself: it must be able to fail, and say why."""

from __future__ import annotations

import numpy as np
import pytest

from parity_tests.harness import TOLERANCES, Parity, Tol, atol_only_count, concept


def test_equal_values_pass_and_record_a_row():
    p = Parity("A4", "float64")
    row = p.check("cost", "cost", np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-15]))
    assert row.passed and row.max_abs == pytest.approx(2.2e-16, rel=0.5)
    assert (row.concept, row.quantity, row.kind, row.dtype, row.tol) == ("A4", "cost", "cost", "float64", 1e-12)


def test_out_of_tolerance_fails_with_both_values_the_tolerance_and_the_previous_quantity():
    p = Parity("A4", "float64")
    p.check("cost", "cost", 0.5, 0.5)
    with pytest.raises(AssertionError) as info:
        p.check("dw", "grad", np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-6]))
    msg = str(info.value)
    assert "numpy: array([1., 2.])" in msg and "2.000001" in msg
    assert "max abs diff 1e-06" in msg and "rtol=1e-10" in msg
    assert "previous quantity in the chain: cost" in msg
    assert p.rows[-1].passed is False


def test_shape_is_checked_before_values():
    p = Parity("A2", "float64")
    with pytest.raises(AssertionError, match=r"shape mismatch: numpy \(2, 3\) vs tf \(3, 2\)"):
        p.check("W1", "layout", np.zeros((2, 3)), np.zeros((3, 2)))


def test_an_array_in_the_wrong_dtype_fails_the_row():
    # A float64 row whose TF side silently ran in float32 must not pass, however close the numbers.
    p = Parity("A9", "float64")
    with pytest.raises(AssertionError, match="tf side computed in float32, expected float64"):
        p.check("AL", "forward", np.ones(3), np.ones(3, dtype=np.float32))
    # a Python float (course costs) is accepted in either dtype
    assert Parity("A4", "float32").check("cost", "cost", 0.25, np.float32(0.25)).passed


def test_non_finite_values_must_agree():
    p = Parity("A3", "float64", strict=False)
    assert p.check("inf where both inf", "cost", np.array([np.inf, 1.0]), np.array([np.inf, 1.0])).passed
    assert not p.check("nan vs number", "cost", np.array([np.nan]), np.array([1.0])).passed


def test_report_mode_records_failures_without_raising():
    p = Parity("A1", "float32", strict=False)
    assert not p.check("w", "step", np.float32(1.0), np.float32(1.1)).passed
    assert p.check("b", "step", np.float32(1.0), np.float32(1.0)).passed
    assert [r.passed for r in p.rows] == [False, True]


def test_another_tolerance_needs_a_reason():
    p = Parity("A7", "float32")
    with pytest.raises(ValueError, match="needs a reason"):
        p.check("W1 after 10000 steps", "trajectory", np.ones(1, np.float32), np.ones(1, np.float32), tol=Tol(1e-3, 0))
    row = p.check("W1 after 10000 steps", "trajectory", np.ones(1, np.float32), np.ones(1, np.float32),
                  tol=Tol(1e-3, 0), why="rounding amplified over 10000 steps")
    assert row.tol == 1e-3 and row.why


def test_unknown_kind_and_dtype_are_rejected():
    with pytest.raises(ValueError, match="unknown kind"):
        Parity("A1", "float64").check("x", "speed", 1.0, 1.0)
    with pytest.raises(ValueError, match="dtype must be one of"):
        Parity("A1", "float16")


def test_tolerance_table_covers_every_kind_in_both_dtypes_and_float64_is_tighter():
    kinds = {k for k, _ in TOLERANCES}
    for kind in kinds:
        f64, f32 = TOLERANCES[(kind, "float64")], TOLERANCES[(kind, "float32")]
        assert f64.rtol <= f32.rtol and f64.atol <= f32.atol
    assert TOLERANCES[("grad", "float64")].rtol <= 1e-10


def test_concept_marks_the_function():
    @concept("B19")
    def case(parity):
        return parity

    assert case.concept == "B19"


def test_keras_precision_is_restored_even_after_an_error():
    import keras

    from keras_impl._precision import keras_precision

    before = (keras.config.floatx(), keras.config.dtype_policy().name)
    with pytest.raises(RuntimeError), keras_precision("float64"):
        assert keras.layers.Dense(1).dtype_policy.name == "float64"
        raise RuntimeError("inside")
    assert (keras.config.floatx(), keras.config.dtype_policy().name) == before
    with pytest.raises(ValueError, match="float32' or 'float64"):
        with keras_precision("float16"):
            pass


def test_a_row_whose_values_all_sit_under_atol_fails_unless_a_reason_is_given():
    # float32 atol is 1e-6: a gradient of size 1e-9 would pass whatever the TF side returned.
    p = Parity("A7", "float32", strict=False)
    row = p.check("db1", "grad", np.array([1e-9, -2e-9], np.float32), np.array([5e-7, 0], np.float32))
    assert not row.passed
    with pytest.raises(AssertionError, match="cannot tell them from zero"):
        Parity("A7", "float32").check("db1", "grad", np.array([1e-9], np.float32), np.array([1e-9], np.float32))
    stated = p.check("db1", "grad", np.array([1e-9], np.float32), np.array([1.1e-9], np.float32),
                     tol=Tol(1e-5, 1e-6), why="a sum that cancels to 0: only its absolute rounding means anything")
    assert stated.passed
    # exact zeros too: a NumPy side returning 5e-7 instead of 0 would pass
    assert not p.check("exact zeros", "grad", np.zeros(2, np.float32), np.zeros(2, np.float32)).passed
    assert p.check("exact zeros", "grad", np.zeros(2, np.float32), np.zeros(2, np.float32),
                   why="zero initialisation: the gradient is exactly 0 by symmetry").passed


def test_atol_only_counts_entries_under_atol_including_zeros():
    tol = Tol(1e-5, 1e-6)
    assert atol_only_count(np.array([0.0, 5e-7, -9.9e-7, 1e-6, 0.05, 3.0, np.inf, np.nan]), tol) == 3
    assert atol_only_count(np.zeros(3), Tol(0.0, 0.0)) == 0  # atol 0 (layout): exact, nothing judged by atol
    assert atol_only_count(np.array([1e-3, 0.5]), Tol(0.0, 1e-2)) == 1  # rtol 0: only what lies under atol
    p = Parity("A5", "float32", strict=False)
    row = p.check("σ'", "grad", np.array([0.2, 0.1, 0.0, 0.0], np.float32), np.array([0.2, 0.1, 0.0, 0.0], np.float32))
    assert (row.atol_only, row.entries, row.passed) == (2, 4, True)  # exactly half: passes
    row = p.check("σ'", "grad", np.array([0.2, 1e-7, 0, 0], np.float32), np.array([0.2, 1e-7, 0, 0], np.float32))
    assert (row.atol_only, row.entries, row.passed) == (3, 4, False)  # more than half: fails...
    assert "3 of 4 entries are judged only by atol" in row.problem
    row = p.check("σ'", "grad", np.array([0.2, 1e-7, 0, 0], np.float32), np.array([0.2, 1e-7, 0, 0], np.float32),
                  why="the tail of σ' lies under float32's absolute resolution here")
    assert (row.atol_only, row.passed) == (3, True)  # ...unless the test says why
    assert not p.check("shape", "grad", np.zeros(2, np.float32), np.zeros(3, np.float32)).passed


def test_out_of_tolerance_is_reported_before_the_atol_only_rule():
    row = Parity("A5", "float32", strict=False).check("x", "grad", np.float32([1e-7, 0]), np.float32([5e-6, 0]))
    assert row.problem == "out of tolerance" and row.atol_only == 1
