"""B9 gradient checking: hand-written backward pass vs two-sided finite differences vs the GradientTape gradient.

Three references for one gradient: the course's backward pass (NumPy, by hand), the finite difference
(J(θ+ε) - J(θ-ε))/(2ε) (NumPy and TF, ε = 1e-7), and the tape (TF autodiff). The tape and a correct backward pass
agree to rounding; the finite difference agrees with both to its own error, ~eps·|J|/ε ≈ 5e-9 absolute in
float64. The check is run on the course's test case (y passed 1-D), on the L-layer network of A9, on the
regularized network (B3) and on the dropout network with the course's fixed masks (B4).

In float32 gradient checking is meaningless: θ + 1e-7 rounds back to θ for |θ| >= 1, and the rounding of J
(1.2e-7·|J|) divided by 2ε is of the size of the gradient itself. The float32 rows compare the analytic
gradients only; the float32 differences are measured and noted.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from keras_impl import gradient_checking as kg
from keras_impl import regularization as kr
from keras_impl._precision import keras_precision
from numpy_impl import deep_network as dn
from numpy_impl import gradient_checking as ng
from numpy_impl import regularization as nr
from numpy_impl.datasets import load_breast_cancer_data, load_digits_data, load_regularization_dataset
from parity_tests.error_parity import same_error
from parity_tests.harness import Mapping, Tol, concept
from parity_tests.test_regularization import check

# The textbook⇄TF mappings of B9 (no Keras block: the tape is the reference), each proved by the comparison it names.
MAPPINGS = [
    Mapping("B9", "J = θ·x, dJ/dθ = x (the 1-D gradient check)",
            "tape.gradient of θ·x: the same derivative, and gradient_check's difference in TF ops",
            "test_one_dimensional_check"),
    Mapping("B9", "backward_propagation_n: the course's hand-written dW[l], db[l]",
            "tf.GradientTape over forward_propagation_n's cost (tape_gradients_n): the same gradients to rounding",
            "test_course_case_correct_and_faulty_backward"),
    Mapping("B9", "gradapprox[i] = (J(θ + ε) - J(θ - ε)) / (2ε), ε = 1e-7",
            "against the tape gradient, the two-sided difference agrees to ~1e-6 absolute in float64 (J's rounding "
            "divided by 2ε), not to rounding; NumPy's and TF's faulty-backward differences agree",
            "test_course_case_correct_and_faulty_backward"),
    Mapping("B9", "the hand-written backward passes of A9's L-layer network, B3's L2 and B4's dropout networks",
            "the tape gradients of the same costs",
            "test_check_over_the_L_layer_regularized_and_dropout_networks"),
]

FD_TOL = Tol(0.0, 1e-6)
FD_WHY = ("a finite difference, not a rounding of the same formula: the rounding of the naive J (log(1 - A) "
          "cancels where A is near 1) divided by 2ε = 2e-7 reaches ~3e-7 per entry (truncation O(ε²) ~1e-14); a "
          "wrong gradient (the faulty dW2, db1) is off by ~0.1-1")

DEAD_WHY = ("on the course's 3 examples most hidden units are dead (Z < 0): their entries are exactly 0 on both "
            "sides (relu' = 0), the others are judged by rtol")


def _course_case(dtype):
    """The course's gradient_check_n test case: np.random.seed(1), x (4, 3), y = [1, 1, 0] (1-D), W1..b3."""
    np.random.seed(1)
    x = np.random.randn(4, 3)
    y = np.array([1, 1, 0])
    parameters = {"W1": np.random.randn(5, 4), "b1": np.random.randn(5, 1), "W2": np.random.randn(3, 5),
                  "b2": np.random.randn(3, 1), "W3": np.random.randn(1, 3), "b3": np.random.randn(1, 1)}
    return x.astype(dtype), y, {k: v.astype(dtype) for k, v in parameters.items()}


@concept("B9")
def test_one_dimensional_check(parity):
    x, theta = parity.dtype.type(3), parity.dtype.type(4)
    parity.check("J = θ·x (TF)", "forward", ng.forward_propagation(x, theta), kg.forward_propagation(x, theta))
    parity.check("dJ/dθ = x: by hand vs tape", "grad", ng.backward_propagation(x, theta),
                 kg.backward_propagation(x, theta))
    difference = ng.gradient_check(x, theta)
    parity.check("gradient_check difference (TF ops)", "forward", difference, kg.gradient_check(x, theta),
                 tol=Tol(1e-12, 0.0), why="the difference is itself tiny (7.8e-11 in float64): judged relatively")
    if parity.dtype == np.float32:
        parity.note(f"1-D check J = 4·3 in float32: difference {difference:.3g} (θ + 1e-7 rounds to θ = 4, so "
                    f"gradapprox = 0); float64 gives {ng.gradient_check(3.0, 4.0):.3g}")


@concept("B9")
def test_course_case_correct_and_faulty_backward(parity):
    x, y, parameters = _course_case(parity.dtype)
    cost, cache = ng.forward_propagation_n(x, y, parameters)
    tape_cost, _ = kg.forward_propagation_n(x, y, parameters)
    parity.check("J of forward_propagation_n (TF ops)", "cost", cost, tape_cost)
    grads = ng.backward_propagation_n(x, y, cache)
    tape = kg.tape_gradients_n(x, y, parameters)
    for key in tape:
        if 2 * np.count_nonzero(np.asarray(tape[key]) == 0) > np.size(tape[key]):
            parity.check(f"{key}: backward_propagation_n vs tape", "grad", grads[key], tape[key],
                         tol=parity.tolerance("grad"), why=DEAD_WHY)
        else:
            check(parity, f"{key}: backward_propagation_n vs tape", "grad", grads[key], tape[key])
    faulty = ng.backward_propagation_n_with_mistakes(x, y, cache)
    results = {(side, name): fn(parameters, g, x, y)
               for side, fn in (("NumPy", ng.gradient_check_n), ("TF", kg.gradient_check_n))
               for name, g in (("correct", grads), ("faulty", faulty))}
    if parity.dtype == np.float64:
        numpy_fd = ng.gradapprox_of(lambda p: ng.forward_propagation_n(x, y, p)[0], parameters)
        tf_fd = kg.gradapprox_of(lambda p: kg.forward_propagation_n(x, y, p)[0], parameters)
        tape_vector = kg.gradients_to_vector(tape)
        parity.check("gradapprox (NumPy) vs the tape gradient", "grad", numpy_fd, tape_vector, tol=FD_TOL, why=FD_WHY)
        parity.check("gradapprox (TF ops) vs the tape gradient", "grad", tf_fd, tape_vector, tol=FD_TOL, why=FD_WHY)
        parity.check("gradient_check_n difference, faulty backward (TF)", "cost", results["NumPy", "faulty"],
                     results["TF", "faulty"], tol=Tol(1e-6, 0.0),
                     why="both finite differences carry their own ~5e-9 rounding (see gradapprox rows)")
        for side in ("NumPy", "TF"):
            assert results[side, "correct"] < ng.THRESHOLD < results[side, "faulty"], results
        parity.note("gradient_check_n on the course's test case (ε = 1e-7, float64): correct backward "
                    f"{results['NumPy', 'correct']:.3g} (NumPy) / {results['TF', 'correct']:.3g} (TF), faulty "
                    f"{results['NumPy', 'faulty']:.6f} / {results['TF', 'faulty']:.6f}; threshold 2e-7; "
                    f"faulty dW2 vs tape off by x2, db1 by x4")
    else:
        wide = {name: ng.gradient_check_n(parameters, g, x, y, epsilon=1e-3)
                for name, g in (("correct", grads), ("faulty", faulty))}
        parity.note("gradient_check_n in float32 (meaningless): ε = 1e-7 gives correct "
                    f"{results['NumPy', 'correct']:.2f} (NumPy) / {results['TF', 'correct']:.2f} (TF) and faulty "
                    f"{results['NumPy', 'faulty']:.2f} / {results['TF', 'faulty']:.2f}; ε = 1e-3 gives "
                    f"{wide['correct']:.1e} vs {wide['faulty']:.2f} (NumPy), still far above the 2e-7 threshold")


@functools.cache
def _cancer_subset():
    train_X, train_Y, _, _ = load_breast_cancer_data()
    return train_X[:, :64], train_Y[:, :64]


DEEP_DIMS = [30, 5, 4, 3, 1]  # an L = 4 network of numpy_impl.deep_network (203 parameters: 406 costs)
A9_DIMS = [64, 20, 7, 5, 1]  # the network of parity_tests/test_deep_network.py (1493 parameters): a slow test


def _deep_check(parity, dims, X, Y):
    """Non-zero biases: with b = 0 an example whose A[l-1] is all zero has Z[l] = 0 exactly, on ReLU's kink, where
    the two-sided difference sees half the slope (relu'(0) is taken as 0 by both backward passes)."""
    rng = np.random.RandomState(5)
    deep = {k: (v + (0.1 * rng.randn(*v.shape) if k.startswith("b") else 0)).astype(parity.dtype)
            for k, v in dn.initialize_parameters_deep_application(dims).items()}
    AL, caches = dn.L_model_forward(X, deep)
    deep_grads = dn.L_model_backward(AL, Y, caches)
    _, deep_tape = kr.compute_grads(X, Y, deep)
    for key in deep_tape:
        check(parity, f"{key} of the {dims} network: L_model_backward vs tape", "grad", deep_grads[key],
              deep_tape[key])
    if parity.dtype != np.float64:
        return None
    fd = ng.gradapprox_of(lambda p: dn.compute_cost(dn.L_model_forward(X, p)[0], Y), deep)
    parity.check(f"{dims} network: gradapprox vs the tape gradient ({fd.shape[0]} entries)", "grad", fd,
                 kg.gradients_to_vector(deep_tape), tol=FD_TOL, why=FD_WHY)
    return ng.relative_difference(ng.gradients_to_vector(deep_grads), fd)


@concept("B9")
def test_check_over_the_L_layer_regularized_and_dropout_networks(parity):
    """gradient_check over an L-layer network of A9's code (breast cancer, 64 examples), B3's L2 network and B4's
    dropout network (the regularization data set, m = 211)."""
    differences = {}
    X, Y = (a.astype(parity.dtype) for a in _cancer_subset())
    deep_difference = _deep_check(parity, DEEP_DIMS, X, Y)
    if deep_difference is not None:
        differences[f"L-layer {DEEP_DIMS}"] = deep_difference

    train_X, train_Y, _, _ = load_regularization_dataset()
    X, Y = train_X.astype(parity.dtype), train_Y.astype(parity.dtype)
    rng = np.random.RandomState(7)
    parameters = {k: (v + 0.1 * rng.randn(*v.shape)).astype(parity.dtype)
                  for k, v in nr.initialize_parameters([2, 20, 3, 1]).items()}
    _, cache = nr.forward_propagation(X, parameters)
    l2_grads = nr.backward_propagation_with_regularization(X, Y, cache, 0.7)
    _, l2_tape = kr.compute_grads(X, Y, parameters, 0.7)
    A3, dropout_cache = nr.forward_propagation_with_dropout(X, parameters, 0.86)
    dropout_grads = nr.backward_propagation_with_dropout(X, Y, dropout_cache, 0.86)
    _, dropout_tape = kr.compute_grads(X, Y, parameters, 0, 0.86, [dropout_cache[1], dropout_cache[6]])
    check(parity, "dW1 with L2 (λ = 0.7): by hand vs tape", "grad", l2_grads["dW1"], l2_tape["dW1"])
    check(parity, "dW1 with dropout (course masks): by hand vs tape", "grad", dropout_grads["dW1"],
          dropout_tape["dW1"])
    if parity.dtype == np.float64:
        def l2_cost(p):
            return nr.compute_cost_with_regularization(nr.forward_propagation(X, p)[0], Y, p, 0.7)

        def dropout_cost(p):  # re-seeds on every call: the same masks at every evaluation
            return nr.compute_cost(nr.forward_propagation_with_dropout(X, p, 0.86)[0], Y)

        for name, cost, grads, tape in (("L2", l2_cost, l2_grads, l2_tape),
                                        ("dropout", dropout_cost, dropout_grads, dropout_tape)):
            fd = ng.gradapprox_of(cost, parameters)
            parity.check(f"{name} network: gradapprox vs the tape gradient", "grad", fd, kg.gradients_to_vector(tape),
                         tol=FD_TOL, why=FD_WHY)
            differences[f"[2, 20, 3, 1] {name}"] = ng.gradient_check_cost(cost, parameters, grads)
        assert all(d < ng.THRESHOLD for d in differences.values()), differences
        parity.note("gradient_check (ε = 1e-7, float64) of the hand-written backward passes: "
                    + ", ".join(f"{k} {v:.2g}" for k, v in differences.items())
                    + "; dropout only with a fixed mask (a fresh mask per evaluation makes J a different function)")


@pytest.mark.slow
def test_check_over_the_A9_network_itself():
    """A9's own [64, 20, 7, 5, 1] on 64 digits: 2986 cost evaluations (too slow for the report)."""
    from parity_tests.harness import Parity

    train_X, train_Y, _, _ = load_digits_data(digit=8)
    with keras_precision("float64"):
        parity = Parity("B9", "float64", case="test_check_over_the_A9_network_itself")
        difference = _deep_check(parity, A9_DIMS, train_X[:, :64], train_Y[:, :64])
    assert all(row.passed for row in parity.rows) and difference < ng.THRESHOLD, difference


# ---------------------------------------------------------------- the course's numbers and bad input

def test_the_course_numbers(capsys):
    assert ng.gradient_check(3, 4, print_msg=True) == pytest.approx(7.814075313343006e-11, rel=1e-6)
    x, y, parameters = _course_case(np.float64)
    cost, cache = ng.forward_propagation_n(x, y, parameters)
    faulty = ng.gradient_check_n(parameters, ng.backward_propagation_n_with_mistakes(x, y, cache), x, y, 1e-7, True)
    correct = ng.gradient_check_n(parameters, ng.backward_propagation_n(x, y, cache), x, y, 1e-7, True)
    assert faulty == pytest.approx(0.2850931567761623, rel=1e-9)
    assert correct == pytest.approx(1.1890913024229996e-07, rel=1e-5)
    out = capsys.readouterr().out
    assert "works perfectly fine" in out and "There is a mistake in the backward propagation! difference = 0.285" in out
    assert isinstance(correct, float)


def test_vectors_round_trip_in_the_course_order():
    _, _, parameters = _course_case(np.float64)
    theta, keys = ng.dictionary_to_vector(parameters)
    assert theta.shape == (47, 1) and keys[:20] == ["W1"] * 20 and keys[-1] == "b3"
    np.testing.assert_array_equal(theta[:4, 0], parameters["W1"][0])
    back = ng.vector_to_dictionary(theta)
    assert all(np.array_equal(back[k], parameters[k]) for k in parameters)
    tf_theta, tf_keys = kg.dictionary_to_vector(parameters)
    np.testing.assert_array_equal(theta, tf_theta.numpy())
    assert tf_keys == keys
    assert all(np.array_equal(kg.vector_to_dictionary(tf_theta)[k].numpy(), parameters[k]) for k in parameters)
    grads = {f"d{k}": v for k, v in parameters.items()} | {"dZ1": np.zeros(3)}
    np.testing.assert_array_equal(ng.gradients_to_vector(grads), theta)
    np.testing.assert_array_equal(kg.gradients_to_vector(grads).numpy(), theta)


def _bad_cases():
    x, y, parameters = _course_case(np.float64)
    _, cache = ng.forward_propagation_n(x, y, parameters)
    grads = ng.backward_propagation_n(x, y, cache)
    cases = {}
    for bad in (0, -1e-7, True, float("nan"), "1e-7"):
        cases[f"epsilon={bad!r}"] = (lambda b=bad: ng.gradient_check_n(parameters, grads, x, y, b),
                                     lambda b=bad: kg.gradient_check_n(parameters, grads, x, y, b), "epsilon must be")
        cases[f"1-D epsilon={bad!r}"] = (lambda b=bad: ng.gradient_check(3.0, 4.0, b),
                                         lambda b=bad: kg.gradient_check(3.0, 4.0, b), "epsilon must be")
    cases["theta NaN"] = (lambda: ng.gradient_check(3.0, float("nan")), lambda: kg.gradient_check(3.0, float("nan")),
                          "theta must be finite")
    cases["x in (m, n_x) layout"] = (lambda: ng.forward_propagation_n(x.T, y, parameters),
                                     lambda: kg.forward_propagation_n(x.T, y, parameters), r"pass X\.T")
    cases["y of the wrong length"] = (lambda: ng.forward_propagation_n(x, y[:2], parameters),
                                      lambda: kg.forward_propagation_n(x, y[:2], parameters), "m = 3 labels")
    cases["missing db2"] = (lambda: ng.gradients_to_vector({k: v for k, v in grads.items() if k != "db2"}),
                            lambda: kg.gradients_to_vector({k: v for k, v in grads.items() if k != "db2"}), "db2")
    cases["theta of the wrong size"] = (lambda: ng.vector_to_dictionary(np.zeros((46, 1))),
                                        lambda: kg.vector_to_dictionary(np.zeros((46, 1))), "47 values")
    deep = dn.initialize_parameters_deep([4, 3, 2, 1])
    cases["a 4-layer network in forward_propagation_n"] = (
        lambda: ng.forward_propagation_n(x, y, {**deep, "W1": np.ones((3, 4))} | {"W4": np.ones((1, 1)),
                                                                                 "b4": np.ones((1, 1))}),
        lambda: kg.forward_propagation_n(x, y, {**deep, "W1": np.ones((3, 4))} | {"W4": np.ones((1, 1)),
                                                                                 "b4": np.ones((1, 1))}),
        "3-layer network")
    return cases


BAD = _bad_cases()


@pytest.mark.parametrize("case", list(BAD))
def test_both_sides_reject_bad_input_with_the_same_error(case):
    numpy_call, tf_call, match = BAD[case]
    with keras_precision("float64"):
        same_error(numpy_call, tf_call, match=match)
