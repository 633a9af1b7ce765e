"""A9: the deep L-layer network, hand-written NumPy backward vs GradientTape vs Keras Dense layers.

The network is the course's 4-layer model [n_x, 20, 7, 5, 1] ([LINEAR -> RELU] x 3 -> LINEAR -> SIGMOID) on
scikit-learn's digits, binary task "is it an 8?" (n_x = 64 pixels, m = 1438 training examples), started
from the course application's initialiser (np.random.seed(1), randn / sqrt(n_{l-1})). Keras gets the same
W, b through keras_impl.convert.
"""

from __future__ import annotations

import functools
import time
import warnings

import numpy as np
import pytest
import tensorflow as tf

import numpy_impl.deep_network as nd
from keras_impl import convert
from keras_impl import deep_network as kd
from keras_impl._precision import keras_precision
from numpy_impl.activations import sigmoid
from numpy_impl.datasets import load_digits_data
from parity_tests.harness import Parity, concept

LAYER_DIMS = (64, 20, 7, 5, 1)
DIGIT = 8
LEARNING_RATE = 0.1
NUM_ITERATIONS = 300  # the longest run that fits the report's budget; the course-length run is test_course_length_run


@functools.lru_cache(maxsize=1)
def _digits():
    return load_digits_data(digit=DIGIT)


def _data(dtype):
    train_X, train_Y, test_X, test_Y = _digits()
    return (train_X.astype(dtype), train_Y.astype(dtype)), (test_X.astype(dtype), test_Y.astype(dtype))


def _initial_parameters(dtype):
    return {k: v.astype(dtype) for k, v in nd.initialize_parameters_deep_application(LAYER_DIMS).items()}


def _keras_model(parameters):
    model = kd.build_model(LAYER_DIMS)
    convert.set_dense_weights(model, parameters)
    return model


@concept("A9")
def test_forward_and_cost(parity):
    (X, Y), _ = _data(parity.dtype)
    parameters = _initial_parameters(parity.dtype)
    AL, caches = nd.L_model_forward(X, parameters)
    variables = kd.variables_from_parameters(parameters)
    AL_tape, ZL_tape = kd.L_model_forward(X, variables)
    AL_keras, ZL_keras = kd.keras_forward(_keras_model(parameters), X)
    parity.check("AL (tape)", "forward", AL, AL_tape)
    parity.check("AL (Keras Dense layers)", "forward", AL, AL_keras)
    ZL = caches[-1][1]
    parity.check("ZL (Keras logits)", "forward", ZL, ZL_keras)
    cost = nd.compute_cost(AL, Y)
    parity.check("cost: course formula vs tape (from logits)", "cost", cost, kd.compute_cost_from_logits(ZL_tape, Y))
    loss = kd.keras_loss()
    parity.check("cost: course formula vs Keras BinaryCrossentropy(from_logits=True)", "cost", cost,
                 loss(convert.labels_to_keras(Y), convert.inputs_to_keras(ZL_keras)))
    parity.check("cost from logits", "cost", nd.compute_cost_from_logits(ZL, Y),
                 kd.compute_cost_from_logits(ZL_tape, Y))
    # where the naive course formula breaks (AL rounds to 0 or 1), the stable forms still agree
    Z_far = np.array([[-40.0, -20.0, 0.0, 20.0, 40.0, 40.0]], dtype=parity.dtype)
    Y_far = np.array([[1, 0, 1, 1, 0, 1]], dtype=parity.dtype)
    parity.check("cost from logits at |ZL| up to 40", "cost", nd.compute_cost_from_logits(Z_far, Y_far),
                 kd.compute_cost_from_logits(Z_far, Y_far))


@concept("A9")
def test_every_gradient(parity):
    (X, Y), _ = _data(parity.dtype)
    parameters = _initial_parameters(parity.dtype)
    AL, caches = nd.L_model_forward(X, parameters)
    grads = nd.L_model_backward(AL, Y, caches)
    variables = kd.variables_from_parameters(parameters)
    _, tape_grads = kd.compute_grads(X, Y, variables)
    _, keras_grads = kd.keras_gradients(_keras_model(parameters), X, Y)
    L = len(LAYER_DIMS) - 1
    for l in range(1, L + 1):
        for p in ("W", "b"):
            parity.check(f"d{p}{l} (tape)", "grad", grads[f"d{p}{l}"], tape_grads[2 * (l - 1) + (p == "b")])
            parity.check(f"d{p}{l} (Keras)", "grad", grads[f"d{p}{l}"], keras_grads[f"d{p}{l}"])
    # the course's dA[l] carries no 1/m (it is applied in dW, db): dA[l] = m · ∂J/∂A[l]
    m = X.shape[1]
    for key, dA in kd.activation_grads(X, Y, variables).items():
        parity.check(f"{key} = m·∂J/∂A (tape)", "grad", grads[key], m * dA)


@concept("A9")
def test_one_update(parity):
    (X, Y), _ = _data(parity.dtype)
    parameters = _initial_parameters(parity.dtype)
    AL, caches = nd.L_model_forward(X, parameters)
    updated = nd.update_parameters(parameters, nd.L_model_backward(AL, Y, caches), LEARNING_RATE)
    variables = kd.variables_from_parameters(parameters)
    _, tape_grads = kd.compute_grads(X, Y, variables)
    kd.update_parameters(variables, tape_grads, LEARNING_RATE)
    tape = kd.parameters_from_variables(variables)
    model = _keras_model(parameters)
    optimizer = kd.keras_sgd(LEARNING_RATE)
    with tf.GradientTape() as t:
        cost = kd.keras_loss()(convert.labels_to_keras(Y), model(convert.inputs_to_keras(X), training=True))
    optimizer.apply_gradients(zip(t.gradient(cost, model.trainable_variables), model.trainable_variables,
                                  strict=True))
    keras_params = convert.dense_weights_to_parameters(model)
    for key in parameters:
        parity.check(f"{key} after 1 step (tape)", "step", updated[key], tape[key])
        parity.check(f"{key} after 1 step (Keras SGD)", "step", updated[key], keras_params[key])


@concept("A9")
def test_training_on_digits(parity):
    _train_three_ways_and_compare(parity, LEARNING_RATE, NUM_ITERATIONS)


@pytest.mark.slow
def test_course_length_run():
    """The course's L_layer_model run (3000 steps at α = 0.0075), float64, at the table's tolerances.

    Not in the report (it alone would take ~8 s of the report's minute). float64 only: in float32 the
    rounding of 3000 steps accumulates past the table's trajectory tolerance (measured up to 2e-4
    absolute on W1 at α = 0.1), and the 300-step report rows already cover float32.
    """
    with keras_precision("float64"):
        parity = Parity("A9", "float64", case="test_course_length_run")
        _train_three_ways_and_compare(parity, 0.0075, 3000)
    assert all(row.passed for row in parity.rows) and len(parity.rows) == 18


def _train_three_ways_and_compare(parity, learning_rate, num_iterations):
    """NumPy gradient descent vs the tape loop vs the compiled Keras loop, from the same start."""
    (X, Y), (test_X, test_Y) = _data(parity.dtype)
    parameters = _initial_parameters(parity.dtype)
    start = time.perf_counter()
    trained, costs = nd.gradient_descent(X, Y, parameters, learning_rate, num_iterations, record_every=1)
    t_numpy = time.perf_counter() - start
    start = time.perf_counter()
    variables = kd.variables_from_parameters(parameters)
    tape_costs = kd.L_layer_model(X, Y, variables, learning_rate, num_iterations)
    t_tape = time.perf_counter() - start
    start = time.perf_counter()
    model = _keras_model(parameters)
    keras_costs = kd.make_train_function(model, kd.keras_loss(), kd.keras_sgd(learning_rate))(X, Y, num_iterations)
    t_keras = time.perf_counter() - start
    n = num_iterations
    parity.check(f"cost curve ({n} steps, tape)", "trajectory", np.array(costs), tape_costs)
    parity.check(f"cost curve ({n} steps, Keras)", "trajectory", np.array(costs), keras_costs)
    tape, keras_params = kd.parameters_from_variables(variables), convert.dense_weights_to_parameters(model)
    for key in trained:
        parity.check(f"{key} after {n} steps (tape)", "trajectory", trained[key], tape[key])
        parity.check(f"{key} after {n} steps (Keras)", "trajectory", trained[key], keras_params[key])

    def accuracy(predictions, labels):
        return f"{100 * np.mean(np.asarray(predictions) == labels):.1f}%"

    parity.note(
        f"digits 'is it an {DIGIT}?' {list(LAYER_DIMS)}, α={learning_rate}, {n} full-batch steps "
        f"(m={X.shape[1]}, {100 * np.mean(test_Y == 0):.0f}% of the test set are not {DIGIT}s): "
        f"train/test accuracy NumPy {accuracy(nd.predict(X, Y, trained), Y)}/"
        f"{accuracy(nd.predict(test_X, test_Y, trained), test_Y)}, tape {accuracy(kd.predict(X, variables), Y)}/"
        f"{accuracy(kd.predict(test_X, variables), test_Y)}, Keras {accuracy(kd.keras_predict(model, X), Y)}/"
        f"{accuracy(kd.keras_predict(model, test_X), test_Y)}; final cost {costs[-1]:.4f}; time NumPy "
        f"{t_numpy:.2f} s, tape {t_tape:.2f} s, Keras {t_keras:.2f} s (incl. tracing)")


# ---------------------------------------------------------------- the course's own check values

def test_initializers_give_the_course_numbers():
    p = nd.initialize_parameters_deep([5, 4, 3])
    assert p["W1"].shape == (4, 5) and p["W2"].shape == (3, 4)
    np.testing.assert_allclose(p["W1"][0], [0.01788628, 0.0043651, 0.00096497, -0.01863493, -0.00277388], atol=1e-8)
    np.testing.assert_allclose(p["W2"][0], [-0.01185047, -0.0020565, 0.01486148, 0.00236716], atol=1e-8)
    assert not p["b1"].any() and p["b2"].shape == (3, 1)
    p = nd.initialize_parameters(3, 2, 1)
    np.testing.assert_allclose(p["W1"], [[0.01624345, -0.00611756, -0.00528172],
                                         [-0.01072969, 0.00865408, -0.02301539]], atol=1e-8)
    np.testing.assert_allclose(p["W2"], [[0.01744812, -0.00761207]], atol=1e-8)
    np.random.seed(1)
    expected = np.random.randn(20, 64) / np.sqrt(64)
    np.testing.assert_array_equal(nd.initialize_parameters_deep_application(LAYER_DIMS)["W1"], expected)


def test_forward_gives_the_course_numbers():
    np.random.seed(1)
    A, W, b = np.random.randn(3, 2), np.random.randn(1, 3), np.random.randn(1, 1)
    Z, cache = nd.linear_forward(A, W, b)
    np.testing.assert_allclose(Z, [[3.26295337, -1.23429987]], atol=1e-8)
    assert cache[0] is A and cache[1] is W and cache[2] is b
    np.random.seed(2)
    A_prev, W, b = np.random.randn(3, 2), np.random.randn(1, 3), np.random.randn(1, 1)
    A, ((A0, _, _), Z) = nd.linear_activation_forward(A_prev, W, b, "sigmoid")
    np.testing.assert_allclose(A, [[0.96890023, 0.11013289]], atol=1e-8)
    assert A0 is A_prev
    A, _ = nd.linear_activation_forward(A_prev, W, b, "relu")
    np.testing.assert_allclose(A, [[3.43896131, 0.0]], atol=1e-8)
    np.random.seed(6)
    X = np.random.randn(5, 4)
    parameters = {}
    for l, (n, n_prev) in enumerate([(4, 5), (3, 4), (1, 3)], start=1):
        parameters[f"W{l}"], parameters[f"b{l}"] = np.random.randn(n, n_prev), np.random.randn(n, 1)
    AL, caches = nd.L_model_forward(X, parameters)
    np.testing.assert_allclose(AL, [[0.03921668, 0.70498921, 0.19734387, 0.04728177]], atol=1e-8)
    assert len(caches) == 3


def test_cost_gives_the_course_number():
    assert nd.compute_cost(np.array([[0.8, 0.9, 0.4]]), np.array([[1, 1, 0]])) == pytest.approx(0.2797765635793422,
                                                                                                 rel=1e-14)


def test_backward_gives_the_course_numbers():
    np.random.seed(1)
    dZ, A, W, b = np.random.randn(3, 4), np.random.randn(5, 4), np.random.randn(3, 5), np.random.randn(3, 1)
    dA_prev, dW, db = nd.linear_backward(dZ, (A, W, b))
    np.testing.assert_allclose(dA_prev[0], [-1.15171336, 0.06718465, -0.3204696, 2.09812712], atol=1e-8)
    np.testing.assert_allclose(dW[0], [0.07313866, -0.0976715, -0.87585828, 0.73763362, 0.00785716], atol=1e-8)
    np.testing.assert_allclose(db, [[-0.14713786], [-0.11313155], [-0.13209101]], atol=1e-8)
    np.random.seed(2)
    dA, A, W, b, Z = (np.random.randn(1, 2), np.random.randn(3, 2), np.random.randn(1, 3), np.random.randn(1, 1),
                      np.random.randn(1, 2))
    dA_prev, dW, db = nd.linear_activation_backward(dA, ((A, W, b), Z), "sigmoid")
    np.testing.assert_allclose(dA_prev[:, 0], [0.11017994, 0.09466817, -0.05743092], atol=1e-8)
    np.testing.assert_allclose(dW, [[0.10266786, 0.09778551, -0.01968084]], atol=1e-8)
    np.testing.assert_allclose(db, [[-0.05729622]], atol=1e-8)
    dA_prev, dW, db = nd.linear_activation_backward(dA, ((A, W, b), Z), "relu")
    np.testing.assert_allclose(dA_prev, [[0.44090989, 0.0], [0.37883606, 0.0], [-0.2298228, 0.0]], atol=1e-8)
    np.testing.assert_allclose(dW, [[0.44513824, 0.37371418, -0.10478989]], atol=1e-8)
    np.testing.assert_allclose(db, [[-0.20837892]], atol=1e-8)
    np.random.seed(3)
    AL, Y = np.random.randn(1, 2), np.array([[1, 0]])
    A1, W1, b1, Z1 = np.random.randn(4, 2), np.random.randn(3, 4), np.random.randn(3, 1), np.random.randn(3, 2)
    A2, W2, b2, Z2 = np.random.randn(3, 2), np.random.randn(1, 3), np.random.randn(1, 1), np.random.randn(1, 2)
    grads = nd.L_model_backward(AL, Y, [((A1, W1, b1), Z1), ((A2, W2, b2), Z2)])
    assert sorted(grads) == ["dA0", "dA1", "dW1", "dW2", "db1", "db2"]
    np.testing.assert_allclose(grads["dW1"][0], [0.41010002, 0.07807203, 0.13798444, 0.10502167], atol=1e-8)
    np.testing.assert_allclose(grads["dW1"][1], 0.0)
    np.testing.assert_allclose(grads["db1"], [[-0.22007063], [0.0], [-0.02835349]], atol=1e-8)
    np.testing.assert_allclose(grads["dA1"], [[0.12913162, -0.44014127], [-0.14175655, 0.48317296],
                                              [0.01663708, -0.05670698]], atol=1e-8)


def test_update_gives_the_course_numbers_and_leaves_params_alone():
    np.random.seed(2)
    params = {"W1": np.random.randn(3, 4), "b1": np.random.randn(3, 1), "W2": np.random.randn(1, 3),
              "b2": np.random.randn(1, 1)}
    np.random.seed(3)
    grads = {"dW1": np.random.randn(3, 4), "db1": np.random.randn(3, 1), "dW2": np.random.randn(1, 3),
             "db2": np.random.randn(1, 1)}
    before = {k: v.copy() for k, v in params.items()}
    parameters = nd.update_parameters(params, grads, 0.1)
    np.testing.assert_allclose(parameters["W1"][0], [-0.59562069, -0.09991781, -2.14584584, 1.82662008], atol=1e-8)
    np.testing.assert_allclose(parameters["b1"], [[-0.04659241], [-1.28888275], [0.53405496]], atol=1e-8)
    np.testing.assert_allclose(parameters["W2"], [[-0.55569196, 0.0354055, 1.32964895]], atol=1e-8)
    np.testing.assert_allclose(parameters["b2"], [[-0.84610769]], atol=1e-8)
    for key, value in before.items():
        np.testing.assert_array_equal(params[key], value)


# ---------------------------------------------------------------- the training drivers

def test_L_layer_model_is_the_application_init_then_gradient_descent():
    (X, Y), _ = _data(np.float64)
    parameters, costs = nd.L_layer_model(X, Y, LAYER_DIMS, learning_rate=0.05, num_iterations=201)
    assert len(costs) == 3  # i = 0, 100, 200
    expected, expected_costs = nd.gradient_descent(X, Y, nd.initialize_parameters_deep_application(LAYER_DIMS),
                                                   0.05, 201)
    assert costs == expected_costs and costs[-1] < costs[0]
    for key, value in expected.items():
        np.testing.assert_array_equal(parameters[key], value)


def test_two_layer_model_matches_the_general_loop(capsys):
    (X, Y), _ = _data(np.float64)
    parameters, costs = nd.two_layer_model(X, Y, (64, 7, 1), learning_rate=0.1, num_iterations=101, print_cost=True)
    expected, expected_costs = nd.gradient_descent(X, Y, nd.initialize_parameters(64, 7, 1), 0.1, 101)
    assert costs == expected_costs and len(costs) == 2
    for key, value in expected.items():
        np.testing.assert_array_equal(parameters[key], value)
    assert capsys.readouterr().out.splitlines() == [f"Cost after iteration 0: {costs[0]}",
                                                    f"Cost after iteration 100: {costs[1]}"]


def test_float32_stays_float32():
    (X, Y), _ = _data(np.float32)
    parameters, costs = nd.gradient_descent(X, Y, _initial_parameters(np.float32), np.float64(0.1), 3)
    assert all(v.dtype == np.float32 for v in parameters.values()) and costs[0].dtype == np.float32


# ---------------------------------------------------------------- numerics and bad input

def test_course_cost_breaks_where_the_logits_form_does_not():
    Z = np.array([[40.0, -40.0]])
    Y = np.array([[0, 1]])
    AL = sigmoid(Z)  # [1.0, 4.2e-18]: σ(40) rounds to exactly 1.0 in float64, so log(1 - AL) = -inf
    assert AL[0, 0] == 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert nd.compute_cost(AL, Y) == np.inf
    assert nd.compute_cost_from_logits(Z, Y) == pytest.approx(40.0, rel=1e-15)


def test_bad_input_is_named():
    parameters = _initial_parameters(np.float64)
    (X, Y), _ = _data(np.float64)
    with pytest.raises(ValueError, match=r"looks like \(m, n_x\)"):
        nd.L_model_forward(X.T, parameters)
    del parameters["b3"]
    with pytest.raises(KeyError, match="b3"):
        nd.L_model_forward(X, parameters)
    with pytest.raises(ValueError, match="binary labels"):
        nd.compute_cost(np.full((1, 3), 0.5), np.array([[0, 1, 2]]))
    with pytest.raises(ValueError, match="probabilities"):
        nd.compute_cost(np.array([[0.5, 1.5]]), np.array([[0, 1]]))
    with pytest.raises(ValueError, match="activation must be one of"):
        nd.linear_activation_forward(X, np.ones((2, 64)), np.zeros((2, 1)), "softplus")
    with pytest.raises(ValueError, match=r"W \(n_l, n_prev\)"):
        nd.linear_forward(X, np.ones((2, 63)), np.zeros((2, 1)))
    with pytest.raises(ValueError, match="caches must be"):
        nd.L_model_backward(np.full((1, 2), 0.5), np.array([[0, 1]]), [])
    with pytest.raises(ValueError, match="one activation per layer"):
        nd.L_model_forward(X, _initial_parameters(np.float64), ["relu", "sigmoid"])


def test_update_checks_keys_shapes_and_learning_rate():
    params = {"W1": np.ones((2, 3)), "b1": np.zeros((2, 1))}
    with pytest.raises(KeyError, match=r"grads is missing key\(s\) \['db1'\]"):
        nd.update_parameters(params, {"dW1": np.ones((2, 3))}, 0.1)
    with pytest.raises(ValueError, match="b1 and db1 must have the same shape"):
        nd.update_parameters(params, {"dW1": np.ones((2, 3)), "db1": np.ones((2,))}, 0.1)
    for bad in (0, -0.1, float("nan")):
        with pytest.raises(ValueError, match="learning_rate must be"):
            nd.update_parameters(params, {"dW1": np.ones((2, 3)), "db1": np.ones((2, 1))}, bad)


def test_training_checks_labels_against_the_network():
    (X, Y), _ = _data(np.float64)
    with pytest.raises(ValueError, match="m = 1438 columns"):
        nd.L_layer_model(X, Y[:, :-1], LAYER_DIMS, num_iterations=1)
    with pytest.raises(ValueError, match="n_x, n_h, n_y"):
        nd.two_layer_model(X, Y, LAYER_DIMS, num_iterations=1)
    with pytest.raises(ValueError, match="layers_dims must be a list of positive ints"):
        nd.L_layer_model(X, Y, (64,), num_iterations=1)
    with pytest.raises(ValueError, match="num_iterations must be an integer >= 0"):
        nd.L_layer_model(X, Y, LAYER_DIMS, num_iterations=-5)
    with pytest.raises(ValueError, match="num_iterations must be an integer >= 0"):
        nd.gradient_descent(X, Y, _initial_parameters(np.float64), 0.1, 2.5)
    with pytest.raises(ValueError, match="learning_rate must be"):
        nd.two_layer_model(X, Y, (64, 7, 1), learning_rate=float("nan"), num_iterations=1)


def test_non_finite_values_and_bad_sizes_are_named():
    (X, Y), _ = _data(np.float64)
    parameters = _initial_parameters(np.float64)
    with pytest.raises(ValueError, match="W must be finite"):
        nd.L_model_forward(X, {**parameters, "W2": np.full((7, 20), np.nan)})
    with pytest.raises(ValueError, match="A must be finite"):
        nd.linear_forward(np.full((2, 3), np.inf), np.ones((1, 2)), np.zeros((1, 1)))
    with pytest.raises(ValueError, match="AL must be finite"):
        nd.compute_cost(np.array([[np.nan, 0.5]]), np.array([[0, 1]]))
    with pytest.raises(ValueError, match="ZL must be finite"):
        nd.compute_cost_from_logits(np.array([[np.nan, 0.5]]), np.array([[0, 1]]))
    with pytest.raises(ValueError, match="dW1 must be finite"):
        nd.update_parameters(parameters, {f"d{k}": np.full_like(v, np.nan) for k, v in parameters.items()}, 0.1)
    with pytest.raises(ValueError, match="learning_rate must be"):
        nd.update_parameters(parameters, {f"d{k}": np.zeros_like(v) for k, v in parameters.items()}, True)
    AL, caches = nd.L_model_forward(X, parameters)
    with pytest.raises(ValueError, match="caches must come from the L_model_forward that gave AL"):
        nd.L_model_backward(AL, Y, caches[:2])
    with pytest.raises(ValueError, match=r"\(n_x, n_h, n_y\) must be a list of positive ints"):
        nd.initialize_parameters(2, 0, 1)
    with pytest.raises(ValueError, match=r"\(n_x, n_h, n_y\) must be a list of positive ints"):
        nd.initialize_parameters(2, 2.5, 1)
    with pytest.raises(ValueError, match="layer_dims must be a list of positive ints"):
        nd.initialize_parameters_deep([2, True, 1])


def test_tf_side_rejects_bad_structures():
    variables = kd.variables_from_parameters(_initial_parameters(np.float64))
    with pytest.raises(ValueError, match="even, non-zero count"):
        kd.L_model_forward(np.zeros((64, 3)), variables[:-1])
    with pytest.raises(ValueError, match=r"X must be \(n_x, m\) with n_x = 64"):
        kd.L_model_forward(np.zeros((3, 64)), variables)
    with pytest.raises(ValueError, match="output layer must be 'sigmoid'"):
        kd.build_model(LAYER_DIMS, ["relu", "relu", "relu", "relu"])
    with pytest.raises(ValueError, match="hidden activations must be among"):
        kd.build_model(LAYER_DIMS, ["relu", "leaky_relu", "relu", "sigmoid"])
    with pytest.raises(KeyError, match="missing"):
        kd.variables_from_parameters({"W1": np.ones((2, 2))})

