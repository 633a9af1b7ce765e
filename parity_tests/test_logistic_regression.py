"""A4: logistic regression, the course's NumPy functions vs a GradientTape version and Keras blocks.

Each run starts from the same w, b and compares: the cost, dw, db, w and b after one gradient-descent step,
and 100-step trajectories (w, b and the cost before every step). On a small random data set and on the
real breast-cancer data (scikit-learn), where the course's `model` and its Keras twin also report their
train/test accuracies.
"""

from __future__ import annotations

import functools
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

import numpy_impl.logistic_regression as nlr
from keras_impl import convert
from keras_impl import logistic_regression as klr
from keras_impl._precision import keras_precision
from numpy_impl.datasets import load_breast_cancer_data
from parity_tests.error_parity import same_error
from parity_tests.harness import Mapping, Tol, concept

# The textbook⇄Keras mappings of A4, each proved by the rows of the comparison it names.
MAPPINGS = [
    Mapping("A4", "ŷ = σ(wᵀx + b), w (n_x, 1), b a scalar, X (n_x, m)",
            "Dense(1, activation='sigmoid') with kernel = w and bias = [b], fed X.T (m, n_x)",
            "test_keras_random_data"),
    Mapping("A4", "one gradient-descent step w := w - α dw, b := b - α db on all m examples",
            "one train step of SGD(α) (no momentum) on a single batch of all m examples",
            "test_keras_breast_cancer_and_model"),
    Mapping("A4", "model(X_train, Y_train, X_test, Y_test, num_iterations, learning_rate)",
            "keras_model(...): the same zeros start, fit steps and 0.5 threshold, the same dict of results",
            "test_course_helpers_and_keras_model"),
    Mapping("A4", "L(a, y) = -(y log a + (1 - y) log(1 - a)), inf at a = 0 or 1 (the course's naive cost)",
            "BinaryCrossentropy after a sigmoid Dense takes the logits path: the exact loss from z (40 at z = ±40, "
            "not the 1e-7-clipped 15.94), the gradient still A - Y",
            "test_keras_takes_the_logits_path"),
]

STEPS = 100
REAL_ITERATIONS, REAL_LEARNING_RATE = 2000, 0.05  # see test_keras_breast_cancer_and_model: why not 0.5


CANCELLATION = ("db = 1/m Σ(A - Y) is a small difference of O(1) terms here: it is accurate only to the terms' "
                "rounding (~eps), i.e. absolutely, which is what atol judges")


def _variables(w, b):
    """Course w, b as tf.Variables (w (n_x, 1), b a scalar) in their own dtype, through the project's one factory."""
    return tuple(convert.to_variables({"w": w, "b": b}).values())


def _course_case(dtype):
    """The course's own check values use these: w = [[1], [2]], b = 2, three examples."""
    w = np.array([[1.0], [2.0]], dtype)
    X = np.array([[1.0, 2.0, -1.0], [3.0, 4.0, -3.2]], dtype)
    Y = np.array([[1.0, 0.0, 1.0]], dtype)
    return w, dtype.type(2.0), X, Y


def _random_case(dtype, n_x=4, m=24, seed=0):
    """Random X, labels from a noisy linear rule, small random w and b ≠ 0 (so no gradient is trivially 0)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_x, m))
    Y = (X[0] - X[1] + 0.5 * rng.standard_normal(m) > 0).astype(float).reshape(1, m)
    w = rng.standard_normal((n_x, 1)) * 0.1
    return w.astype(dtype), dtype.type(0.1), X.astype(dtype), Y.astype(dtype)


@functools.lru_cache(maxsize=1)
def _breast_cancer64():
    return load_breast_cancer_data()


def _breast_cancer(dtype):
    """train_X (30, 455), train_Y (1, 455), test_X (30, 114), test_Y (1, 114), standardized, in `dtype`."""
    return tuple(a.astype(dtype) for a in _breast_cancer64())


# ---------------------------------------------------------------- one run, three ways


def _numpy_run(w, b, X, Y, learning_rate, steps=STEPS):
    grads, cost = nlr.propagate(w, b, X, Y)
    one, _, _ = nlr.optimize(w, b, X, Y, 1, learning_rate)
    many, _, costs = nlr.optimize(w, b, X, Y, steps, learning_rate, record_every=1)
    return {"cost": cost, "dw": grads["dw"], "db": grads["db"], "w1": one["w"], "b1": one["b"],
            "costs": np.array(costs), "w": many["w"], "b": many["b"]}


def _tape_run(w, b, X, Y, learning_rate, steps=STEPS):
    tw, tb = _variables(w, b)
    grads, cost = klr.gd_step(tw, tb, X, Y, learning_rate)
    w1, b1 = tw.numpy(), tb.numpy()
    tw, tb = _variables(w, b)
    params, _, costs = klr.optimize(tw, tb, X, Y, steps, learning_rate, record_every=1)
    return {"cost": cost, "dw": grads["dw"], "db": grads["db"], "w1": w1, "b1": b1,
            "costs": costs, "w": params["w"], "b": params["b"]}


def _keras_run(lr, X, Y, steps=STEPS):
    """Run a `KerasLogisticRegression` on: the first step eagerly (`step`), the rest in its tf.function (`fit`)."""
    grads, cost = lr.propagate(X, Y)
    first_cost = lr.step(X, Y)
    one = lr.parameters()
    costs = np.concatenate([[first_cost.numpy()], lr.fit(X, Y, steps - 1)])
    many = lr.parameters()
    return {"cost": cost, "dw": grads["dw"], "db": grads["db"], "w1": one["w"], "b1": one["b"],
            "costs": costs, "w": many["w"], "b": many["b"]}


ATOL_0 = ("atol 0: one step from zeros is α·dw ~ 1e-2, below the table's atol/rtol scale; every entry is "
          "held relatively instead")


def _relative(parity, kind):
    """The table's rtol for `kind` with no absolute floor: for values that are small but not cancellations."""
    return Tol(parity.tolerance(kind).rtol, 0.0)


def _check_run(parity, ref, other, label, steps=STEPS):
    parity.check(f"cost ({label})", "cost", ref["cost"], other["cost"])
    parity.check(f"dw ({label})", "grad", ref["dw"], other["dw"])
    parity.check(f"db ({label})", "grad", ref["db"], other["db"])
    parity.check(f"w after 1 step ({label})", "step", ref["w1"], other["w1"], tol=_relative(parity, "step"),
                 why=ATOL_0)
    parity.check(f"b after 1 step ({label})", "step", ref["b1"], other["b1"], tol=_relative(parity, "step"),
                 why=ATOL_0)
    parity.check(f"cost curve ({steps} steps, {label})", "trajectory", ref["costs"], other["costs"])
    parity.check(f"w after {steps} steps ({label})", "trajectory", ref["w"], other["w"])
    parity.check(f"b after {steps} steps ({label})", "trajectory", ref["b"], other["b"])


@concept("A4")
def test_tape_random_data(parity):
    case = _random_case(parity.dtype)
    _check_run(parity, _numpy_run(*case, 0.3), _tape_run(*case, 0.3), "tape, random data")


@concept("A4")
def test_keras_random_data(parity):
    w, b, X, Y = _random_case(parity.dtype)
    _check_run(parity, _numpy_run(w, b, X, Y, 0.3), _keras_run(klr.KerasLogisticRegression(w, b, 0.3), X, Y),
               "Keras, random data")


@concept("A4")
def test_tape_breast_cancer(parity):
    X, Y = _breast_cancer(parity.dtype)[:2]
    w, b = np.zeros((X.shape[0], 1), parity.dtype), parity.dtype.type(0.0)
    _check_run(parity, _numpy_run(w, b, X, Y, REAL_LEARNING_RATE), _tape_run(w, b, X, Y, REAL_LEARNING_RATE),
               "tape, breast cancer")


@concept("A4")
def test_keras_breast_cancer_and_model(parity):
    # From zeros: the first 100 steps row by row, then the same Keras run goes on to 2000 steps and is compared
    # with the course's `model(...)` (zeros, 2000 GD steps, predict): costs, w, b, predictions, accuracies.
    # α = 0.05, not the course default 0.5: at 0.5 the weights grow until some z > 17, where float32 σ(z)
    # rounds to exactly 1 and the course's naive cost becomes 0·log(0) = nan (the predictions are the same).
    train_X, train_Y, test_X, test_Y = _breast_cancer(parity.dtype)
    w, b = np.zeros((train_X.shape[0], 1), parity.dtype), parity.dtype.type(0.0)
    lr = klr.KerasLogisticRegression(w, b, REAL_LEARNING_RATE)
    run = _keras_run(lr, train_X, train_Y)
    _check_run(parity, _numpy_run(w, b, train_X, train_Y, REAL_LEARNING_RATE), run, "Keras, breast cancer")

    costs = np.concatenate([run["costs"], lr.fit(train_X, train_Y, REAL_ITERATIONS - STEPS)])
    k = {"costs": costs[::100], "w": lr.parameters()["w"], "b": lr.parameters()["b"],
         "Y_prediction_train": lr.predict(train_X), "Y_prediction_test": lr.predict(test_X)}
    d = nlr.model(train_X, train_Y, test_X, test_Y, num_iterations=REAL_ITERATIONS, learning_rate=REAL_LEARNING_RATE)
    steps = REAL_ITERATIONS
    parity.check("costs every 100 iterations (model)", "trajectory", np.array(d["costs"]), k["costs"],
                 tol=_relative(parity, "trajectory"), why="atol 0: the cost falls to ~0.07, held relatively")
    parity.check(f"w after {steps} steps (model)", "trajectory", d["w"], k["w"])
    parity.check(f"b after {steps} steps (model)", "trajectory", d["b"], k["b"])
    parity.check("Y_prediction_train (model)", "forward", d["Y_prediction_train"], k["Y_prediction_train"])
    parity.check("Y_prediction_test (model)", "forward", d["Y_prediction_test"], k["Y_prediction_test"])
    accuracies = [f"{name} train {nlr.accuracy(r['Y_prediction_train'], train_Y):.2f}% "
                  f"test {nlr.accuracy(r['Y_prediction_test'], test_Y):.2f}%" for name, r in (("NumPy model", d),
                                                                                              ("Keras", k))]
    parity.note(f"breast cancer ({train_X.shape[1]} train / {test_X.shape[1]} test, {steps} steps, "
                f"α = {REAL_LEARNING_RATE}): " + "; ".join(accuracies))


@concept("A4")
def test_course_check_values(parity):
    # The course's test case through both sides. Its second example has z = 12, y = 0: the course's naive
    # cost takes log(1 - σ(12)), and in float32 1 - σ(12) = 6.1e-6 keeps only ~2 significant digits, so the
    # naive float32 cost is 5.7986 where the exact value is 5.8015. The cost row therefore uses NumPy's stable
    # `logistic_cost` (what TF computes); the note shows the naive value beside it.
    w, b, X, Y = _course_case(parity.dtype)
    grads, naive_cost = nlr.propagate(w, b, X, Y)
    tw, tb = _variables(w, b)
    tgrads, tcost = klr.propagate(tw, tb, X, Y)
    parity.check("cost from logits (course case)", "cost", nlr.logistic_cost(w.T @ X + b, Y), tcost)
    parity.check("dw (course case)", "grad", grads["dw"], tgrads["dw"])
    parity.check("db (course case)", "grad", grads["db"], tgrads["db"], why=CANCELLATION)
    params, last, _ = nlr.optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009)
    tparams, tlast, _ = klr.optimize(tw, tb, X, Y, num_iterations=100, learning_rate=0.009)
    parity.check("w after 100 steps (course case)", "trajectory", params["w"], tparams["w"])
    parity.check("b after 100 steps (course case)", "trajectory", params["b"], tparams["b"])
    parity.check("dw of the 100th iteration (course case)", "trajectory", last["dw"], tlast["dw"])
    parity.note(f"course case: naive cost {str(naive_cost)} (NumPy, as the course computes it), "
                f"from logits {str(tcost.numpy())} (TF)")
    w, b = np.array([[0.1124579], [0.23106775]], parity.dtype), parity.dtype.type(-0.3)
    X = np.array([[1.0, -1.1, -3.2], [1.2, 2.0, 0.1]], parity.dtype)
    parity.check("predict (course case)", "forward", nlr.predict(w, b, X), klr.predict(*_variables(w, b), X))


@concept("A4")
def test_course_helpers_and_keras_model(parity):
    # initialize_with_zeros, the course's sigmoid, accuracy, and model vs keras_model on the random case
    if parity.dtype == np.float64:  # the course's zeros are float64 (and b the Python float 0.0) in any run
        w, b = nlr.initialize_with_zeros(5)
        tw, tb = klr.initialize_with_zeros(5, dtype="float64")
        parity.check("initialize_with_zeros(5): w (5, 1) zeros", "layout", w, tw.numpy())
        parity.check("initialize_with_zeros(5): b = 0", "layout", b, float(tb.numpy()))
    z = np.linspace(-6, 6, 13).astype(parity.dtype)
    parity.check("sigmoid(z), the course's name", "forward", nlr.sigmoid(z), tf.math.sigmoid(z),
                 tol=Tol(parity.tolerance("forward").rtol, 0.0), why="atol 0: σ down to 2.5e-3 held relatively")
    w0, b0, X, Y = _random_case(parity.dtype)
    d = nlr.model(X, Y, X[:, :10], Y[:, :10], num_iterations=201, learning_rate=0.3)
    k = klr.keras_model(X, Y, X[:, :10], Y[:, :10], num_iterations=201, learning_rate=0.3)
    parity.check("model vs keras_model: costs every 100 iterations", "trajectory", np.array(d["costs"]),
                 np.array(k["costs"]))
    parity.check("model vs keras_model: w after 201 steps", "trajectory", d["w"], k["w"])
    parity.check("model vs keras_model: b after 201 steps", "trajectory", d["b"], k["b"])
    exact = Tol(0.0, 0.0)
    for key in ("Y_prediction_train", "Y_prediction_test"):
        parity.check(f"model vs keras_model: {key}", "forward", d[key], k[key], tol=exact,
                     why="predictions are 0/1: equal entry by entry")
    accuracy = nlr.accuracy(d["Y_prediction_train"], Y)
    assert 50 < accuracy < 100  # a case where the accuracy can be wrong in either direction
    parity.check("accuracy (%) of the train predictions", "forward", accuracy,
                 klr.accuracy(d["Y_prediction_train"], Y))


@concept("A4")
def test_predict_where_the_sign_of_b_matters(parity):
    # |wᵀx| < |b| for most examples, so b decides them: a predict that flipped b's sign (or its threshold) would
    # change 0s into 1s. The plain assertion proves the case has that power; the rows compare the three predicts.
    rng = np.random.default_rng(8)
    X = rng.standard_normal((3, 40)).astype(parity.dtype)
    w, b = np.array([[0.2], [-0.1], [0.15]], parity.dtype), parity.dtype.type(0.3)
    Y_pred = nlr.predict(w, b, X)
    assert 0 < Y_pred.mean() < 1 and np.mean(Y_pred != nlr.predict(w, -b, X)) > 0.5
    exact = Tol(0.0, 0.0)
    why = "predictions are 0/1: they must be equal, entry by entry"
    parity.check("predict, b decides most examples (tape)", "forward", Y_pred, klr.predict(*_variables(w, b), X),
                 tol=exact, why=why)
    parity.check("predict, b decides most examples (Keras)", "forward", Y_pred,
                 klr.KerasLogisticRegression(w, b, 0.1).predict(X), tol=exact, why=why)


@concept("A4")
def test_keras_takes_the_logits_path(parity):
    # docs/traps.md, trap 3: Dense(activation="sigmoid") hands its logits to BinaryCrossentropy, which then
    # computes from z and skips its 1e-7 clipping. At z = ±40 with the wrong label the loss is 40 (the clipped
    # path would give 15.94, see the plain test below), and the gradient is still A - Y. NumPy's naive course
    # cost is inf there, so the cost rows use its stable `logistic_cost`.
    w, b = np.array([[1.0]], parity.dtype), parity.dtype.type(0.0)
    X = np.array([[40.0, -40.0, 0.5, -2.0]], parity.dtype)
    Y = np.array([[0.0, 1.0, 1.0, 0.0]], parity.dtype)
    with np.errstate(divide="ignore", invalid="ignore"):  # the naive cost is inf here; only the grads are used
        grads, _ = nlr.propagate(w, b, X, Y)
    kgrads, kcost = klr.KerasLogisticRegression(w, b, 0.1).propagate(X, Y)
    tgrads, tcost = klr.propagate(*_variables(w, b), X, Y)
    stable = nlr.logistic_cost(w.T @ X + b, Y)
    parity.check("cost at z = ±40 (Keras logits path)", "cost", stable, kcost)
    parity.check("cost at z = ±40 (tape, from logits)", "cost", stable, tcost)
    parity.check("dw at z = ±40 (Keras)", "grad", grads["dw"], kgrads["dw"])
    parity.check("db at z = ±40 (Keras)", "grad", grads["db"], kgrads["db"], why=CANCELLATION)
    parity.check("dw at z = ±40 (tape)", "grad", grads["dw"], tgrads["dw"])


# ---------------------------------------------------------------- plain tests: course values and errors


def test_course_values_of_propagate_optimize_predict():
    w, b, X, Y = _course_case(np.dtype("float64"))
    grads, cost = nlr.propagate(w, 2.0, X, np.array([[1, 0, 1]]))
    np.testing.assert_allclose(grads["dw"], [[0.99845601], [2.39507239]], rtol=1e-8)
    assert grads["db"] == pytest.approx(0.00145557813678, rel=1e-10)
    assert cost == pytest.approx(5.801545319394553, rel=1e-14)
    params, grads, costs = nlr.optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009)
    np.testing.assert_allclose(params["w"], [[0.19033591], [0.12259159]], rtol=1e-7)
    assert params["b"] == pytest.approx(1.92535983008, rel=1e-10)
    np.testing.assert_allclose(grads["dw"], [[0.67752042], [1.41625495]], rtol=1e-7)
    assert grads["db"] == pytest.approx(0.219194504541, rel=1e-10)
    assert len(costs) == 1 and costs[0] == pytest.approx(5.801545319394553, rel=1e-14)
    Y_pred = nlr.predict(np.array([[0.1124579], [0.23106775]]), -0.3, np.array([[1.0, -1.1, -3.2], [1.2, 2.0, 0.1]]))
    assert Y_pred.dtype == np.float64 and Y_pred.shape == (1, 3)
    np.testing.assert_array_equal(Y_pred, [[1.0, 1.0, 0.0]])
    np.testing.assert_allclose(nlr.sigmoid(np.array([0, 2])), [0.5, 0.88079708], rtol=1e-8)


def test_course_model_call_with_a_1d_y_test():
    # the course's public test of `model`: seed 0, X randn(4, 7), y_test a 1-D array, 50 iterations at 0.01
    np.random.seed(0)
    X, Y = np.random.randn(4, 7), np.array([1, 0, 0, 1, 0, 0, 1]).reshape(1, 7)
    x_test, y_test = np.random.randn(4, 3), np.array([0, 1, 0])
    d = nlr.model(X, Y, x_test, y_test, num_iterations=50, learning_rate=0.01)
    assert type(d["costs"]) is list and len(d["costs"]) == 1
    np.testing.assert_allclose(d["costs"], [0.69314718], rtol=1e-8)
    assert d["Y_prediction_test"].shape == (1, 3) and d["Y_prediction_train"].shape == (1, 7)
    with keras_precision("float64"):
        k = klr.keras_model(X, Y, x_test, y_test, num_iterations=50, learning_rate=0.01)
    np.testing.assert_allclose(k["w"], d["w"], rtol=1e-12)
    with pytest.raises(ValueError, match="Y_test must be 2-D"):
        nlr.model(X, Y, x_test, np.array([0, 1]), num_iterations=1)  # 1-D but not one label per example


def test_course_propagate_optimize_predict_calls():
    # the course's public tests: Python-float b, int labels, and the types they assert
    w, b = np.array([[1.0], [2.0], [-1.0]]), 2.5
    X = np.array([[1.0, 2.0, -1.0, 0.0], [3.0, 4.0, -3.2, 1.0], [3.0, 4.0, -3.2, -3.5]])
    grads, cost = nlr.propagate(w, b, X, np.array([[1, 1, 0, 0]]))
    assert type(grads["dw"]) is np.ndarray and grads["dw"].shape == w.shape and type(grads["db"]) is np.float64
    params, grads, costs = nlr.optimize(w, b, X, np.array([[1, 1, 0, 0]]), num_iterations=101, learning_rate=0.1)
    assert type(costs) is list and len(costs) == 2 and type(params["w"]) is np.ndarray
    pred = nlr.predict(np.array([[0.3], [0.5], [-0.2]]), -0.33333, X)
    assert type(pred) is np.ndarray and pred.shape == (1, 4)


def test_initialize_with_zeros_types():
    w, b = nlr.initialize_with_zeros(2)
    assert w.shape == (2, 1) and w.dtype == np.float64 and not w.any()
    assert type(b) is float and b == 0.0


def test_optimize_does_not_modify_w_and_records_every_100():
    w, b, X, Y = _random_case(np.dtype("float64"))
    w_before = w.copy()
    _, _, costs = nlr.optimize(w, b, X, Y, num_iterations=250, learning_rate=0.1)
    np.testing.assert_array_equal(w, w_before)
    assert len(costs) == 3  # iterations 0, 100, 200


def test_model_returns_the_course_keys_and_float32_stays_float32():
    train_X, train_Y, test_X, test_Y = _breast_cancer(np.dtype("float32"))
    d = nlr.model(train_X, train_Y, test_X, test_Y, num_iterations=101, learning_rate=0.05)
    assert set(d) == {"costs", "Y_prediction_test", "Y_prediction_train", "w", "b", "learning_rate", "num_iterations"}
    assert len(d["costs"]) == 2 and d["w"].dtype == np.float32 and d["Y_prediction_test"].shape == (1, 114)


def test_keras_model_returns_the_course_dict_and_numbers():
    train_X, train_Y, test_X, test_Y = _breast_cancer(np.dtype("float64"))
    with keras_precision("float64"):
        k = klr.keras_model(train_X, train_Y, test_X, test_Y, num_iterations=101, learning_rate=0.05)
    d = nlr.model(train_X, train_Y, test_X, test_Y, num_iterations=101, learning_rate=0.05)
    assert set(k) == set(d)
    assert k["w"].shape == (30, 1) and k["Y_prediction_test"].shape == (1, 114) and len(k["costs"]) == 2
    np.testing.assert_allclose(k["w"], d["w"], rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(k["costs"], d["costs"], rtol=1e-12)


def test_naive_course_cost_is_inf_at_saturation_but_logistic_cost_is_not():
    w, X, Y = np.array([[1.0]]), np.array([[40.0]]), np.array([[0.0]])
    with pytest.warns(RuntimeWarning, match="divide by zero"):
        grads, cost = nlr.propagate(w, 0.0, X, Y)
    assert cost == np.inf and np.isfinite(grads["dw"]).all()
    assert nlr.logistic_cost(w.T @ X, Y) == pytest.approx(40.0, rel=1e-15)


def test_keras_clipped_path_differs_from_the_logits_path():
    # The trap is real: the same probability as a plain tensor (no attached logits) is clipped to 1 - 1e-7,
    # which float32 rounds to 1 - 1.19e-7, so the loss is -log(1.19e-7) = 15.94 instead of 40.
    A = tf.constant([[1.0 / (1.0 + np.exp(-40.0))]], tf.float32)  # rounds to 1.0
    clipped = float(keras.losses.BinaryCrossentropy()(tf.constant([[0.0]]), A))
    assert clipped == pytest.approx(-np.log(1 - np.float32(1 - 1e-7)), rel=1e-6)
    lr = klr.KerasLogisticRegression(np.array([[1.0]]), 0.0, 0.1)
    _, logits_path = lr.propagate(np.array([[40.0]]), np.array([[0.0]]))
    assert float(logits_path) == pytest.approx(40.0, rel=1e-6)


@pytest.mark.parametrize("fn", [nlr.propagate, nlr.optimize])
def test_X_given_as_m_by_n_x_is_rejected(fn):
    w, b, X, Y = _random_case(np.dtype("float64"))
    with pytest.raises(ValueError, match=r"looks like \(m, n_x\).*pass X.T"):
        fn(w, b, X.T, Y)


def test_model_rejects_examples_as_rows():
    train_X, train_Y, test_X, test_Y = _breast_cancer(np.dtype("float64"))
    with pytest.raises(ValueError, match=r"X_train has shape \(455, 30\), which looks like \(m, n_x\)"):
        nlr.model(train_X.T, train_Y, test_X.T, test_Y, num_iterations=1)
    with pytest.raises(ValueError, match=r"X_test has shape \(114, 30\), which looks like \(m, n_x\)"):
        nlr.model(train_X, train_Y, test_X.T, test_Y, num_iterations=1)


def test_bad_labels_and_shapes_are_rejected():
    w, b, X, Y = _random_case(np.dtype("float64"))
    with pytest.raises(ValueError, match="binary labels"):
        nlr.propagate(w, b, X, Y * 2)
    with pytest.raises(ValueError, match=r"m = 24 columns.*transposed"):
        nlr.propagate(w, b, X, Y.T)
    with pytest.raises(ValueError, match="1-D"):
        nlr.propagate(w, b, X, Y.ravel())
    with pytest.raises(ValueError, match=r"w must be a column of shape \(n_x, 1\)"):
        nlr.predict(w.T, b, X)
    with pytest.raises(ValueError, match="b must be a scalar"):
        nlr.propagate(w, np.zeros((1, 1)), X, Y)
    with pytest.raises(ValueError, match="dim .* positive integer"):
        nlr.initialize_with_zeros(0)
    with pytest.raises(ValueError, match="num_iterations must be an integer >= 1"):
        nlr.optimize(w, b, X, Y, num_iterations=0)


def test_accuracy_is_the_course_percentage():
    assert nlr.accuracy(np.array([[1.0, 0.0, 1.0, 1.0]]), np.array([[1, 0, 0, 1]])) == 75.0
    assert nlr.accuracy(np.array([[0.0, 1.0]]), np.array([[1, 0]])) == 0.0


def test_accuracy_rejects_what_is_not_a_0_1_prediction_row():
    Y = np.array([[1, 0, 0, 1]])
    with pytest.raises(ValueError, match=r"Y_prediction must hold binary labels in \{0, 1\}; found \[0.7\]"):
        nlr.accuracy(np.array([[1.0, 0.0, 0.7, 1.0]]), Y)  # probabilities A instead of predict's 0/1
    with pytest.raises(ValueError, match=r"Y_prediction must have n_y = 1 rows, got shape \(4, 1\)"):
        nlr.accuracy(np.array([[1.0], [0.0], [0.0], [1.0]]), Y)
    with pytest.raises(ValueError, match=r"Y must have m = 4 columns.*transposed"):
        nlr.accuracy(np.array([[1.0, 0.0, 0.0, 1.0]]), Y.T)


def test_non_finite_parameters_and_logits_are_rejected():
    w, b, X, Y = _random_case(np.dtype("float64"))
    with pytest.raises(ValueError, match="w must be finite"):
        nlr.propagate(np.where(w > 0, np.nan, w), b, X, Y)
    with pytest.raises(ValueError, match="b must be finite"):
        nlr.predict(w, np.inf, X)
    with pytest.raises(ValueError, match="X must be finite"):
        nlr.optimize(w, b, np.where(X > 1, np.nan, X), Y)
    with pytest.raises(ValueError, match="learning_rate must be a finite number > 0"):
        nlr.optimize(w, b, X, Y, learning_rate=np.nan)
    with pytest.raises(ValueError, match="Z must be finite"):
        nlr.logistic_cost(np.array([[0.5, np.nan]]), np.array([[0, 1]]))
    with pytest.raises(ValueError, match="one of them is transposed"):
        nlr.logistic_cost(np.zeros((3, 1)), np.array([[0, 1, 0]]))


def _tv():
    """The random case's w, b as fresh tf.Variables."""
    return _variables(_w, _b)


def _tf_args(args):
    """The TF twin's arguments: w, b (the first two) as tf.Variables, the rest as given."""
    w, b, *rest = args
    return (*_variables(np.asarray(w), np.asarray(b)), *rest)


_w, _b, _X, _Y = _random_case(np.dtype("float64"))
_bad_X = {
    "X (m, n_x)": (_X.T, r"looks like \(m, n_x\).*pass X\.T"),
    "X 1-D": (_X[0], "must be 2-D"),
    "X with NaN": (np.where(_X > 1, np.nan, _X), "X must be finite"),
    "X with inf": (_X * np.inf, "X must be finite"),
    "X m = 0": (_X[:, :0], "m = 0"),
    "X complex": (_X * 1j, "must be real"),
    "X strings": (np.full(_X.shape, "a"), "numeric array"),
    "X wrong n_x": (_X[:3], "n_x = 4"),
}
_bad_Y = {
    "Y 1-D": (_Y[0], "1-D"),
    "Y transposed": (_Y.T, "transposed"),
    "Y too few columns": (_Y[:, :5], "m = 24"),
    "Y = 2·Y": (2 * _Y, "binary labels"),
    "Y = 3·Y": (3 * _Y, "binary labels"),
    "Y real-valued": (_Y + 0.5, "binary"),
    "Y with NaN": (_Y * np.nan, "Y must be finite"),
}
_bad_wb = {
    "w a row": (_w.T, _b, r"w must be a column"),
    "w with NaN": (_w * np.nan, _b, "w must be finite"),
    "b inf": (_w, np.inf, "b must be finite"),
    "b an array": (_w, np.ones((1, 1)), "b must be a scalar"),
    "float32 w, float64 b": (_w.astype(np.float32), _b, "w and b must have the same dtype"),
}
_bad_lr = {"α negative": -0.1, "α zero": 0.0, "α NaN": float("nan"), "α True": True, "α str": "0.1", "α inf": np.inf}
_bad_n = {"0": 0, "negative": -1, "float": 2.5, "bool": True, "str": "10"}
LR_MSG, N_MSG = "learning_rate must be a finite number > 0", "num_iterations must be an integer >= 1"


def _keras(w=_w, b=_b):
    return klr.KerasLogisticRegression(w, b, 0.1)


BAD = {}  # case -> (numpy call, tf call, expected message)
for k, (X, msg) in _bad_X.items():
    BAD[f"propagate: {k}"] = (lambda X=X: nlr.propagate(_w, _b, X, _Y), lambda X=X: klr.propagate(*_tv(), X, _Y), msg)
    BAD[f"predict: {k}"] = (lambda X=X: nlr.predict(_w, _b, X), lambda X=X: klr.predict(*_tv(), X), msg)
    BAD[f"Keras propagate: {k}"] = (lambda X=X: nlr.propagate(_w, _b, X, _Y),
                                    lambda X=X: _keras().propagate(X, _Y), msg)
    BAD[f"Keras predict: {k}"] = (lambda X=X: nlr.predict(_w, _b, X), lambda X=X: _keras().predict(X), msg)
for k, (Y, msg) in _bad_Y.items():
    BAD[f"propagate: {k}"] = (lambda Y=Y: nlr.propagate(_w, _b, _X, Y), lambda Y=Y: klr.propagate(*_tv(), _X, Y), msg)
    BAD[f"optimize: {k}"] = (lambda Y=Y: nlr.optimize(_w, _b, _X, Y, 2),
                             lambda Y=Y: klr.optimize(*_tv(), _X, Y, 2), msg)
    BAD[f"Keras fit: {k}"] = (lambda Y=Y: nlr.optimize(_w, _b, _X, Y, 2), lambda Y=Y: _keras().fit(_X, Y, 2), msg)
for k, (w, b, msg) in _bad_wb.items():
    BAD[f"propagate: {k}"] = (lambda w=w, b=b: nlr.propagate(w, b, _X, _Y),
                              lambda w=w, b=b: klr.propagate(*_tf_args((w, b)), _X, _Y), msg)
    BAD[f"Keras model: {k}"] = (lambda w=w, b=b: nlr.predict(w, b, _X), lambda w=w, b=b: _keras(w, b), msg)
for k, lr in _bad_lr.items():
    BAD[f"optimize: {k}"] = (lambda lr=lr: nlr.optimize(_w, _b, _X, _Y, 2, lr),
                             lambda lr=lr: klr.optimize(*_tv(), _X, _Y, 2, lr), LR_MSG)
    BAD[f"model: {k}"] = (lambda lr=lr: nlr.model(_X, _Y, _X, _Y, 2, lr),
                          lambda lr=lr: klr.keras_model(_X, _Y, _X, _Y, 2, lr), LR_MSG)
for k, n in _bad_n.items():
    BAD[f"optimize: num_iterations {k}"] = (lambda n=n: nlr.optimize(_w, _b, _X, _Y, n),
                                            lambda n=n: klr.optimize(*_tv(), _X, _Y, n), N_MSG)
    BAD[f"model: num_iterations {k}"] = (lambda n=n: nlr.model(_X, _Y, _X, _Y, n),
                                         lambda n=n: klr.keras_model(_X, _Y, _X, _Y, n), N_MSG)
    BAD[f"initialize_with_zeros: {k}"] = (lambda n=n: nlr.initialize_with_zeros(n),
                                          lambda n=n: klr.initialize_with_zeros(n), "dim .* must be a positive integer")
BAD["accuracy: probabilities"] = (lambda: nlr.accuracy(_Y * 0.7, _Y), lambda: klr.accuracy(_Y * 0.7, _Y),
                                  "Y_prediction must hold binary labels")
BAD["accuracy: Y transposed"] = (lambda: nlr.accuracy(_Y, _Y.T), lambda: klr.accuracy(_Y, _Y.T), "transposed")
BAD["optimize: record_every 0"] = (lambda: nlr.optimize(_w, _b, _X, _Y, 2, record_every=0),
                                   lambda: klr.optimize(*_tv(), _X, _Y, 2, record_every=0), "record_every")
BAD["model: X_train (m, n_x)"] = (lambda: nlr.model(_X.T, _Y, _X, _Y, 2), lambda: klr.keras_model(_X.T, _Y, _X, _Y, 2),
                                  r"pass X_train\.T")
BAD["model: X_test (m, n_x)"] = (lambda: nlr.model(_X, _Y, _X.T, _Y, 2), lambda: klr.keras_model(_X, _Y, _X.T, _Y, 2),
                                 r"X_test.*pass X_test\.T")
BAD["model: Y_test = 2·Y"] = (lambda: nlr.model(_X, _Y, _X, 2 * _Y, 2), lambda: klr.keras_model(_X, _Y, _X, 2 * _Y, 2),
                              "Y_test must hold binary")
BAD["optimize: α = 1e308 overflows w"] = (lambda: nlr.optimize(_w, _b, 100 * _X, _Y, 3, 1e308),
                                          lambda: klr.optimize(*_tv(), 100 * _X, _Y, 3, 1e308),
                                          r"training diverged at iteration \d+: w is not finite")


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_same_error_on_both_sides(case):
    numpy_call, tf_call, match = BAD[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the saturating course cost of the α = 1e308 case warns first
        same_error(numpy_call, tf_call, match=match)


def test_np_int64_counts_are_accepted_and_mixed_dtypes_are_cast():
    params, _, costs = nlr.optimize(_w, _b, _X, _Y, np.int64(3), record_every=np.int64(1))
    tparams, _, tcosts = klr.optimize(*_variables(_w, _b), _X, _Y, np.int64(3), record_every=np.int64(1))
    assert len(costs) == len(tcosts) == 3
    # a float32 tensor X beside float64 variables is cast to float64 (NumPy promotes it the same way)
    grads, _ = nlr.propagate(_w, _b, _X.astype(np.float32), _Y)
    tgrads, _ = klr.propagate(*_variables(_w, _b), tf.constant(_X, tf.float32), _Y)
    assert tgrads["dw"].dtype == tf.float64
    np.testing.assert_allclose(tgrads["dw"].numpy(), grads["dw"], rtol=1e-12)


def test_saturating_course_cost_warns_and_keeps_training():
    w, X, Y = np.array([[1.0]]), np.array([[40.0, -1.0]]), np.array([[0.0, 1.0]])
    with pytest.warns(UserWarning, match="not finite from iteration 0 on.*training went on"):
        params, _, costs = nlr.optimize(w, 0.0, X, Y, num_iterations=2, learning_rate=0.001, record_every=1)
    assert costs[0] == np.inf and np.isfinite(params["w"]).all()


def test_sigmoid_is_stable():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = nlr.sigmoid(np.array([-1e3, 0.0, 1e3]))
    np.testing.assert_array_equal(s, [0.0, 0.5, 1.0])
