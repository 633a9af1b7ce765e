"""A1: linear regression as a one-neuron network (house prices), NumPy vs GradientTape vs Keras Dense(1).

The course cost is J = 1/(2m) Σ (ŷ - y)²; Keras's MeanSquaredError is 1/m Σ (ŷ - y)² = 2J. The mapping
(J = MSE/2, dW = ∇MSE/2, SGD learning rate α/2) lives in keras_impl/linear_regression.py; the rows below
prove it, and one row proves that without it Keras takes the course step of 2α.
"""

from __future__ import annotations

import numpy as np
import pytest

import numpy_impl.linear_regression as nlin
from keras_impl import convert
from keras_impl import linear_regression as klin
from parity_tests.error_parity import same_error
from parity_tests.harness import Mapping, Tol, concept

# The textbook⇄Keras mappings of A1, each proved by the rows of the comparison it names.
MAPPINGS = [
    Mapping("A1", "Ŷ = W X + b, W (1, n_x), b (1, 1), X (n_x, m)",
            "Dense(1) with kernel = Wᵀ and bias = b[:, 0], fed X.T",
            "test_forward_is_W_X_plus_b"),
    Mapping("A1", "J = 1/(2m) Σ (ŷ - y)², W := W - α dW",
            "MeanSquaredError = 1/m Σ (ŷ - y)² = 2J, so SGD(α/2) takes the course step",
            "test_keras_dense_mse_sgd_house_prices"),
    Mapping("A1", "the course step with α",
            "SGD(α) on MSE, without the factor 2 in mind, is course gradient descent with 2α",
            "test_keras_without_the_mapping_takes_twice_the_step"),
]

STEPS, LEARNING_RATE = 100, 0.1


def _house_case(dtype):
    """The house data (size, bedrooms -> price) and a nonzero start W, b, in `dtype`."""
    X, Y = nlin.load_house_prices()
    W, b = np.array([[0.5, -0.2]]), np.array([[0.3]])
    return W.astype(dtype), b.astype(dtype), X.astype(dtype), Y.astype(dtype)


def _variables(W, b):
    """Course W (1, n_x), b (1, 1) as tf.Variables in their dtype, through the project's one factory."""
    return tuple(convert.to_variables({"W": W, "b": b}).values())


def _numpy_run(W, b, X, Y, learning_rate=LEARNING_RATE, steps=STEPS):
    grads, cost = nlin.propagate(W, b, X, Y)
    one, _, _ = nlin.optimize(W, b, X, Y, 1, learning_rate)
    many, _, costs = nlin.optimize(W, b, X, Y, steps, learning_rate)
    return {"cost": cost, "dW": grads["dW"], "db": grads["db"], "W1": one["W"], "b1": one["b"],
            "costs": np.array(costs), "W": many["W"], "b": many["b"]}


def _check_run(parity, ref, other, label, steps=STEPS):
    parity.check(f"cost J = 1/(2m) Σ(ŷ-y)² ({label})", "cost", ref["cost"], other["cost"])
    parity.check(f"dW ({label})", "grad", ref["dW"], other["dW"])
    parity.check(f"db ({label})", "grad", ref["db"], other["db"])
    parity.check(f"W after 1 step ({label})", "step", ref["W1"], other["W1"])
    parity.check(f"b after 1 step ({label})", "step", ref["b1"], other["b1"])
    parity.check(f"cost curve ({steps} steps, {label})", "trajectory", ref["costs"], other["costs"],
                 tol=Tol(parity.tolerance("trajectory").rtol, 0.0),
                 why="atol 0: J falls to ~0.02 within a few steps; every cost is held relatively")
    parity.check(f"W after {steps} steps ({label})", "trajectory", ref["W"], other["W"])
    parity.check(f"b after {steps} steps ({label})", "trajectory", ref["b"], other["b"])


@concept("A1")
def test_tape_house_prices(parity):
    W, b, X, Y = _house_case(parity.dtype)
    tW, tb = _variables(W, b)
    grads, cost = klin.gd_step(tW, tb, X, Y, LEARNING_RATE)
    one = {"W": tW.numpy(), "b": tb.numpy()}
    many, _, costs = klin.optimize(*_variables(W, b), X, Y, STEPS, LEARNING_RATE)
    tape = {"cost": cost, "dW": grads["dW"], "db": grads["db"], "W1": one["W"], "b1": one["b"],
            "costs": costs, "W": many["W"], "b": many["b"]}
    _check_run(parity, _numpy_run(W, b, X, Y), tape, "tape")


@concept("A1")
def test_keras_dense_mse_sgd_house_prices(parity):
    # Keras: Dense(1) + MeanSquaredError + SGD(α/2). Its cost is MSE = 2J and its gradients 2·dW, 2·db;
    # `propagate` maps them back (J = MSE/2, dW = ∇MSE/2) and SGD(α/2)·∇MSE is the course step α·dW.
    W, b, X, Y = _house_case(parity.dtype)
    ref = _numpy_run(W, b, X, Y)
    model = klin.KerasLinearRegression(W, b, LEARNING_RATE)
    grads, J = model.propagate(X, Y)
    mse = model.mse(X, Y)
    parity.check("Keras MSE = 2J", "cost", 2 * ref["cost"], mse)
    first_cost = model.step(X, Y)  # the first step eagerly, the other 99 in the tf.function loop of `fit`
    one = model.parameters()
    costs = np.concatenate([[first_cost.numpy()], model.fit(X, Y, STEPS - 1)])
    many = model.parameters()
    keras_run = {"cost": J, "dW": grads["dW"], "db": grads["db"], "W1": one["W"], "b1": one["b"],
                 "costs": costs, "W": many["W"], "b": many["b"]}
    _check_run(parity, ref, keras_run, "Keras")


@concept("A1")
def test_keras_without_the_mapping_takes_twice_the_step(parity):
    # SGD(α) on MSE, as one writes it without the 1/2 in mind, is course gradient descent with 2α:
    # the mapping is needed, and its factor is exactly 2.
    W, b, X, Y = _house_case(parity.dtype)
    doubled = _numpy_run(W, b, X, Y, learning_rate=2 * LEARNING_RATE, steps=1)
    model = klin.KerasLinearRegression(W, b, LEARNING_RATE, map_learning_rate=False)
    model.step(X, Y)
    after = model.parameters()
    parity.check("W after 1 step, SGD(α) on MSE = course step with 2α", "step", doubled["W1"], after["W"])
    parity.check("b after 1 step, SGD(α) on MSE = course step with 2α", "step", doubled["b1"], after["b"])


@concept("A1")
def test_from_zeros_propagate_and_20_steps(parity):
    # initialize_with_zeros (float64, the course's zeros) cast to the row's dtype; propagate's grads at zero
    W0, b0 = (a.astype(parity.dtype) for a in nlin.initialize_with_zeros(2))
    _, _, X, Y = _house_case(parity.dtype)
    grads, cost = nlin.propagate(W0, b0, X, Y)
    tgrads, tcost = klin.propagate(*_variables(W0, b0), X, Y)
    parity.check("cost at W = 0, b = 0 (tape propagate)", "cost", cost, tcost)
    parity.check("dW at W = 0 (tape propagate)", "grad", grads["dW"], tgrads["dW"])
    parity.check("db at b = 0 (tape propagate)", "grad", grads["db"], tgrads["db"])
    params, _, _ = nlin.optimize(W0, b0, X, Y, 20, LEARNING_RATE)
    tparams, _, _ = klin.optimize(*_variables(W0, b0), X, Y, 20, LEARNING_RATE)
    parity.check("W after 20 steps from zeros", "trajectory", params["W"], tparams["W"])


@concept("A1")
def test_forward_is_W_X_plus_b(parity):
    # The neuron without activation: Ŷ = W X + b in course layout equals Dense(1)'s output, moved back.
    W, b, X, _ = _house_case(parity.dtype)
    model = klin.KerasLinearRegression(W, b, LEARNING_RATE)
    Y_hat = nlin.forward(W, b, X)
    parity.check("Ŷ = W X + b (Dense(1))", "forward", Y_hat,
                 convert.inputs_from_keras(model.model(convert.inputs_to_keras(X))))
    parity.check("Ŷ = W X + b (tf.matmul)", "forward", Y_hat, klin.forward(*_variables(W, b), X))
    _, _, _, Y = _house_case(parity.dtype)
    parity.check("compute_cost(Ŷ, Y) = 1/(2m) Σ(Ŷ - Y)²", "cost", nlin.compute_cost(Y_hat, Y),
                 klin.compute_cost(Y_hat, Y))


# ---------------------------------------------------------------- plain tests


def test_house_data_is_seeded_and_in_course_layout():
    X, Y = nlin.load_house_prices(m=25, seed=3)
    X2, Y2 = nlin.load_house_prices(m=25, seed=3)
    assert X.shape == (2, 25) and Y.shape == (1, 25)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(Y, Y2)
    assert set(np.unique(X[1])) <= {1.0, 2.0, 3.0, 4.0, 5.0}


def test_house_data_is_the_documented_one():
    # Pinned: the default data set is what optimize's docstring analyses (and what the notebook prints), so a
    # change of seed or generator must show up here. RandomState's stream is fixed by NumPy's compatibility policy.
    X, Y = nlin.load_house_prices()
    np.testing.assert_allclose(X[:, :3], [[1.91715241, 2.31645448, 2.0466321], [3.0, 3.0, 4.0]], rtol=1e-8)
    np.testing.assert_allclose(Y[0, :3], [3.87356759, 4.33855528, 4.36431171], rtol=1e-8)
    # optimize's docstring: λ_max of the Hessian 1/m X̃X̃ᵀ is ≈ 14.7, so GD converges iff α < 2/λ_max ≈ 0.136
    X_tilde = np.vstack([X, np.ones((1, X.shape[1]))])
    lambda_max = np.linalg.eigvalsh(X_tilde @ X_tilde.T / X.shape[1])[-1]
    assert lambda_max == pytest.approx(14.69, abs=0.01)


def test_gradient_descent_fits_the_house_prices():
    X, Y = nlin.load_house_prices()
    W, b = nlin.initialize_with_zeros(2)
    params, _, costs = nlin.optimize(W, b, X, Y, num_iterations=3000, learning_rate=0.1)
    assert costs[-1] < 0.02 < costs[0]
    # gradient descent reaches the least-squares solution of [W b] from the normal equations
    A = np.vstack([X, np.ones((1, X.shape[1]))]).T
    exact = np.linalg.lstsq(A, Y.ravel(), rcond=None)[0]
    # GD contracts the error by |1 - α λ_min| = 0.9916 per step: after 3000 steps it is ~1e-11 relative (measured)
    np.testing.assert_allclose(np.append(params["W"], params["b"]), exact, rtol=1e-9)


def test_gradients_match_finite_differences():
    # dW = 1/m (Ŷ - Y) Xᵀ and db against a two-sided difference of J (the notes' cost with 1/2). J is quadratic
    # in W and b, so the two-sided difference has no truncation error, only rounding: u·J/ε ~ 1e-12 relative.
    W, b, X, Y = _house_case(np.dtype("float64"))
    grads, _ = nlin.propagate(W, b, X, Y)
    eps = 1e-4
    for j in range(W.shape[1]):
        E = np.zeros_like(W)
        E[0, j] = eps
        numeric = (nlin.propagate(W + E, b, X, Y)[1] - nlin.propagate(W - E, b, X, Y)[1]) / (2 * eps)
        assert grads["dW"][0, j] == pytest.approx(numeric, rel=1e-9)
    numeric = (nlin.propagate(W, b + eps, X, Y)[1] - nlin.propagate(W, b - eps, X, Y)[1]) / (2 * eps)
    assert grads["db"][0, 0] == pytest.approx(numeric, rel=1e-9)


def test_optimize_leaves_W_b_untouched_and_float32_stays_float32():
    W, b, X, Y = _house_case(np.dtype("float32"))
    W0, b0 = W.copy(), b.copy()
    params, grads, costs = nlin.optimize(W, b, X, Y, num_iterations=5, learning_rate=np.float64(0.1))
    np.testing.assert_array_equal(W, W0)
    np.testing.assert_array_equal(b, b0)
    assert params["W"].dtype == np.float32 and grads["dW"].dtype == np.float32 and len(costs) == 5


def test_bad_shapes_are_rejected():
    W, b, X, Y = _house_case(np.dtype("float64"))
    with pytest.raises(ValueError, match=r"looks like \(m, n_x\).*pass X.T"):
        nlin.propagate(W, b, X.T, Y)
    with pytest.raises(ValueError, match=r"W must be a row of shape \(1, n_x\)"):
        nlin.propagate(W.T, b, X, Y)
    with pytest.raises(ValueError, match=r"b must have shape \(1, 1\)"):
        nlin.propagate(W, 0.3, X, Y)
    with pytest.raises(ValueError, match="m = 30 columns"):
        nlin.propagate(W, b, X, Y[:, :10])
    with pytest.raises(ValueError, match="m .* integer >= 2"):
        nlin.load_house_prices(m=1)
    with pytest.raises(ValueError, match="record_every must be an integer >= 1"):
        nlin.optimize(W, b, X, Y, record_every=0)
    with pytest.raises(ValueError, match="learning_rate must be a finite number > 0"):
        nlin.optimize(W, b, X, Y, learning_rate=np.nan)
    with pytest.raises(ValueError, match="W must be finite"):
        nlin.forward(W * np.nan, b, X)
    with pytest.raises(ValueError, match="b must be finite"):
        nlin.propagate(W, b * np.inf, X, Y)


def test_compute_cost_checks_the_prediction_too():
    X, Y = nlin.load_house_prices()
    Y_hat = np.zeros_like(Y)
    assert nlin.compute_cost(Y_hat, Y) == pytest.approx(np.sum(Y**2) / (2 * Y.shape[1]), rel=1e-15)
    with pytest.raises(ValueError, match=r"Y_hat must have n_y = 1 rows, got shape \(30, 1\)"):
        nlin.compute_cost(Y_hat.T, Y)
    with pytest.raises(ValueError, match=r"Y_hat must be 2-D.*reshape\(1, -1\)"):
        nlin.compute_cost(Y_hat.ravel(), Y)
    with pytest.raises(ValueError, match="Y_hat must be finite"):
        nlin.compute_cost(Y_hat + np.nan, Y)
    with pytest.raises(ValueError, match=r"Y must have m = 30 columns.*transposed"):
        nlin.compute_cost(Y_hat, Y.T)


_W, _b, _X, _Y = _house_case(np.dtype("float64"))
LR_MSG, N_MSG = "learning_rate must be a finite number > 0", "num_iterations must be an integer >= 1"


def _tv(W=_W, b=_b):
    return _variables(np.asarray(W), np.asarray(b))


_bad_X = {
    "X (m, n_x)": (_X.T, r"looks like \(m, n_x\).*pass X\.T"), "X 1-D": (_X[0], "must be 2-D"),
    "X NaN": (_X * np.nan, "X must be finite"), "X m = 0": (_X[:, :0], "m = 0"), "X complex": (_X * 1j, "must be real"),
}
_bad_Y = {
    "Y 1-D": (_Y[0], "1-D"), "Y transposed": (_Y.T, "transposed"), "Y too few columns": (_Y[:, :10], "m = 30"),
    "Y inf": (_Y * np.inf, "Y must be finite"),
}
_bad_Wb = {
    "W a column": (_W.T, _b, r"W must be a row"), "W NaN": (_W * np.nan, _b, "W must be finite"),
    "b a scalar": (_W, np.array(0.3), r"b must have shape \(1, 1\)"), "b inf": (_W, _b * np.inf, "b must be finite"),
    "float32 W, float64 b": (_W.astype(np.float32), _b, "W and b must have the same dtype"),
}
BAD = {}
for k, (X, msg) in _bad_X.items():
    BAD[f"propagate: {k}"] = (lambda X=X: nlin.propagate(_W, _b, X, _Y),
                              lambda X=X: klin.propagate(*_tv(), X, _Y), msg)
    BAD[f"forward: {k}"] = (lambda X=X: nlin.forward(_W, _b, X), lambda X=X: klin.forward(*_tv(), X), msg)
    BAD[f"Keras fit: {k}"] = (lambda X=X: nlin.optimize(_W, _b, X, _Y, 2),
                              lambda X=X: klin.KerasLinearRegression(_W, _b, 0.1).fit(X, _Y, 2), msg)
for k, (Y, msg) in _bad_Y.items():
    BAD[f"optimize: {k}"] = (lambda Y=Y: nlin.optimize(_W, _b, _X, Y, 2),
                             lambda Y=Y: klin.optimize(*_tv(), _X, Y, 2), msg)
    BAD[f"compute_cost: {k}"] = (lambda Y=Y: nlin.compute_cost(_W @ _X, Y), lambda Y=Y: klin.compute_cost(_W @ _X, Y),
                                 msg)
    BAD[f"Keras propagate: {k}"] = (lambda Y=Y: nlin.propagate(_W, _b, _X, Y),
                                    lambda Y=Y: klin.KerasLinearRegression(_W, _b, 0.1).propagate(_X, Y), msg)
for k, (W, b, msg) in _bad_Wb.items():
    BAD[f"propagate: {k}"] = (lambda W=W, b=b: nlin.propagate(W, b, _X, _Y),
                              lambda W=W, b=b: klin.propagate(*_tv(W, b), _X, _Y), msg)
    BAD[f"Keras class: {k}"] = (lambda W=W, b=b: nlin.forward(W, b, _X),
                                lambda W=W, b=b: klin.KerasLinearRegression(W, b, 0.1), msg)
for k, lr in {"negative": -0.1, "zero": 0, "NaN": np.nan, "True": True, "str": "0.1"}.items():
    BAD[f"optimize: α {k}"] = (lambda lr=lr: nlin.optimize(_W, _b, _X, _Y, 2, lr),
                               lambda lr=lr: klin.optimize(*_tv(), _X, _Y, 2, lr), LR_MSG)
    BAD[f"Keras class: α {k}"] = (lambda lr=lr: nlin.optimize(_W, _b, _X, _Y, 2, lr),
                                  lambda lr=lr: klin.KerasLinearRegression(_W, _b, lr), LR_MSG)
for k, n in {"0": 0, "negative": -2, "float": 2.0, "bool": True, "str": "3"}.items():
    BAD[f"optimize: num_iterations {k}"] = (lambda n=n: nlin.optimize(_W, _b, _X, _Y, n),
                                            lambda n=n: klin.optimize(*_tv(), _X, _Y, n), N_MSG)
    BAD[f"Keras fit: num_iterations {k}"] = (lambda n=n: nlin.optimize(_W, _b, _X, _Y, n),
                                             lambda n=n: klin.KerasLinearRegression(_W, _b, 0.1).fit(_X, _Y, n), N_MSG)
BAD["optimize: record_every 0"] = (lambda: nlin.optimize(_W, _b, _X, _Y, 2, record_every=0),
                                   lambda: klin.optimize(*_tv(), _X, _Y, 2, record_every=0), "record_every")
BAD["optimize: α = 0.5 diverges"] = (lambda: nlin.optimize(_W, _b, _X, _Y, 2000, 0.5),
                                     lambda: klin.optimize(*_tv(), _X, _Y, 2000, 0.5),
                                     r"training diverged at iteration \d+: .* not finite .*0.5; try a smaller")


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_same_error_on_both_sides(case):
    numpy_call, tf_call, match = BAD[case]
    same_error(numpy_call, tf_call, match=match)


def test_np_int64_counts_are_accepted_on_both_sides():
    assert len(nlin.optimize(_W, _b, _X, _Y, np.int64(4))[2]) == 4
    assert len(klin.optimize(*_tv(), _X, _Y, np.int64(4))[2]) == 4
    assert nlin.initialize_with_zeros(np.int64(2))[0].shape == (1, 2)
    with pytest.raises(ValueError, match="n_x .* must be a positive integer, got True"):
        nlin.initialize_with_zeros(True)
