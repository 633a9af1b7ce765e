"""B18: softmax regression and a softmax network, NumPy by hand vs GradientTape vs Keras Dense + cross-entropy.

Data: scikit-learn's digits, all 10 classes (n_x = 64 pixels in [0, 1], one-hot Y (10, m), m = 1438 training
examples). Two models: softmax regression [64, 10] and a network [64, 32, 16, 10] (ReLU hidden layers),
started from `randn / sqrt(n_{l-1})` (np.random.seed(1)) with random non-zero biases, copied to Keras through
keras_impl.convert. Keras gets the same J two ways: CategoricalCrossentropy(from_logits=True) on one-hot
targets and SparseCategoricalCrossentropy(from_logits=True) on the class indices.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numpy_impl.deep_network as nd
import numpy_impl.softmax as ns
from keras_impl import convert
from keras_impl import softmax as ks
from keras_impl._precision import keras_precision
from keras_impl.optimization import keras_sgd
from numpy_impl.datasets import load_digits_data
from parity_tests.error_parity import same_error
from parity_tests.harness import Mapping, Parity, Tol, concept

REGRESSION = (64, 10)
NETWORK = (64, 32, 16, 10)
LEARNING_RATE = 0.2  # at 0.5 the network's float32 and float64 runs part by 0.09 in cost near step 67 (chaotic)
NUM_ITERATIONS = 50  # report rows (float32: by 200 steps a ReLU unit of the network flips on rounding, 4e-5 in W1)


FLOAT32_WHY = ("float32: atol = min(table atol, rtol·max|tf|), relative to the row's largest entry, never looser "
               "than the table (sums over many examples with cancellation leave a small entry an absolute error "
               "~ eps·max|entry|, not eps·|entry|, so most entries are judged by atol)")

# The textbook⇄Keras mappings of B18, each proved by the rows of the comparison it names.
MAPPINGS = [
    Mapping("B18", "A[L] = softmax(Z[L]) over the classes, Z[L] (C, m)",
            "a linear Dense(C) returns the logits (m, C) = Z[L].T; moved back, softmax over axis 0 gives the course's "
            "A[L] (regression and network)",
            "test_forward_and_cost"),
    Mapping("B18", "J = -1/m Σ Y log A[L], Y one-hot (C, m)",
            "CategoricalCrossentropy(from_logits=True) on the one-hot Y.T (m, C), and "
            "SparseCategoricalCrossentropy(from_logits=True) on the class indices: both equal the course's J",
            "test_forward_and_cost"),
    Mapping("B18", "J from the logits, -1/m Σ Y·log softmax(Z[L])",
            "tf.nn.log_softmax over the classes (softmax_cost_from_logits): the same J, also at logits up to ±900",
            "test_forward_and_cost"),
    Mapping("B18", "dZ[L] = A[L] - Y and dA[l] without 1/m (the course applies it in dW, db only)",
            "autodiff of the mean loss: m·∂J/∂Z[L] and m·∂J/∂A[l] are the course's dZ[L], dA[l]; dW, db from either "
            "Keras loss equal the course's",
            "test_every_gradient"),
    Mapping("B18", "one full-batch step W := W - α dW, b := b - α db",
            "one apply_gradients of SGD(α) on the CategoricalCrossentropy gradients: the course's parameters",
            "test_one_step"),
    Mapping("B18", "softmax_gradient_descent for 50 steps, then ŷ = argmax_c A[L]",
            "make_train_function with SGD(α) (the sparse loss too, for softmax regression): the cost curve and the "
            "parameters; argmax of the Keras logits gives the same test-set classes",
            "test_training_on_digits"),
]


def check(parity, quantity: str, kind: str, numpy_value, tf_value):
    """`parity.check` with the table's tolerance in float64; in float32 an atol scaled to the row (FLOAT32_WHY).

    Softmax probabilities (mostly < 0.1 over 10 classes) and the gradients of a mean over m are small
    numbers; in float32 most of their entries are judged by atol. The atol used, min(table atol,
    rtol·max|tf|), is the table's for rows of size >= 0.1 and shrinks with smaller rows: never looser.
    """
    if parity.dtype != np.float32:
        return parity.check(quantity, kind, numpy_value, tf_value)
    table = parity.tolerance(kind)
    scale = float(np.max(np.abs(np.asarray(tf_value, dtype=np.float64))))
    return parity.check(quantity, kind, numpy_value, tf_value, tol=Tol(table.rtol, min(table.atol, table.rtol * scale)),
                        why=FLOAT32_WHY)


@functools.lru_cache(maxsize=1)
def _digits():
    return load_digits_data()


def _data(dtype):
    train_X, train_Y, test_X, test_Y = _digits()
    return (train_X.astype(dtype), train_Y.astype(dtype)), (test_X.astype(dtype), test_Y.astype(dtype))


def _initial_parameters(layer_dims, dtype):
    """The application initialiser (randn / sqrt(n_prev), seed 1) plus random biases b ~ 0.1·N(0, 1)."""
    parameters = nd.initialize_parameters_deep_application(layer_dims)
    rng = np.random.default_rng(7)
    for key in parameters:
        if key.startswith("b"):
            parameters[key] = 0.1 * rng.standard_normal(parameters[key].shape)
    return {k: v.astype(dtype) for k, v in parameters.items()}


def _keras_model(layer_dims, parameters):
    model = ks.build_softmax_model(layer_dims)
    convert.set_dense_weights(model, parameters)
    return model


_LOSSES = {"cce": ks.keras_categorical_crossentropy, "sparse": ks.keras_sparse_categorical_crossentropy}


@functools.cache
def _trainer(layer_dims, loss: str, dtype: str):
    """(model, its compiled `make_train_function` trainer with SGD(α)) per network, loss and dtype: built and
    traced once, in the dtype's Keras precision, and shared by the one-step and the training rows."""
    model = ks.build_softmax_model(layer_dims)
    return model, ks.make_train_function(model, _LOSSES[loss](), keras_sgd(LEARNING_RATE))


def _shared_model(layer_dims, dtype, parameters, loss="cce"):
    """The cached model of `_trainer(layer_dims, loss, dtype)` with `parameters` copied in."""
    model, _ = _trainer(tuple(layer_dims), loss, dtype)
    convert.set_dense_weights(model, parameters)
    return model


def _trained_keras(layer_dims, loss, dtype, parameters, X, Y, num_iterations):
    """The cached model of `_trainer`, reset to `parameters` and trained: (model, costs). Plain SGD keeps no
    state besides its step counter, which the update does not use."""
    model = _shared_model(layer_dims, dtype, parameters, loss)
    return model, _trainer(tuple(layer_dims), loss, dtype)[1](X, Y, num_iterations)


@concept("B18")
def test_forward_and_cost(parity):
    (X, Y), _ = _data(parity.dtype)
    y = ns.labels_from_one_hot(Y)
    parity.check("class indices y from one-hot Y", "layout", y, ks.labels_from_one_hot(Y))
    for name, dims in (("regression", REGRESSION), ("network", NETWORK)):
        parameters = _initial_parameters(dims, parity.dtype)
        AL, caches = ns.softmax_forward(X, parameters)
        ZL = caches[-1][1]
        AL_tape, ZL_tape = ks.softmax_forward_logits(X, convert.to_variables(parameters))
        model = _shared_model(dims, parity.dtype_name, parameters)
        AL_keras, ZL_keras = ks.keras_softmax_forward(model, X)
        check(parity, f"AL = softmax(ZL) ({name}, tape)", "forward", AL, AL_tape)
        check(parity, f"ZL ({name}, Keras Dense)", "forward", ZL, ZL_keras)
        check(parity, f"AL ({name}, Keras)", "forward", AL, AL_keras)
        cost = ns.softmax_cost(AL, Y)
        check(parity, f"J course formula ({name}, NumPy vs tape)", "cost", cost, ks.softmax_cost(AL_tape, Y))
        check(parity, f"J from logits ({name}, NumPy vs tape)", "cost", ns.softmax_cost_from_logits(ZL, Y),
                     ks.softmax_cost_from_logits(ZL_tape, Y))
        check(parity, f"J course formula vs Keras CategoricalCrossentropy ({name})", "cost", cost,
                     ks.keras_categorical_crossentropy()(convert.labels_to_keras(Y), convert.inputs_to_keras(ZL_keras)))
        check(parity, f"J course formula vs Keras SparseCategoricalCrossentropy ({name})", "cost", cost,
                     ks.keras_sparse_categorical_crossentropy()(convert.labels_to_keras(y),
                                                                convert.inputs_to_keras(ZL_keras)))
    # far logits: the course formula overflows to inf; both stable forms agree
    Z_far = np.array([[-800.0, 5.0, 900.0], [800.0, -5.0, 0.0], [0.0, 0.0, -900.0]], dtype=parity.dtype)
    Y_far = np.eye(3, dtype=parity.dtype)
    check(parity, "J from logits at |ZL| up to 900", "cost", ns.softmax_cost_from_logits(Z_far, Y_far),
                 ks.softmax_cost_from_logits(Z_far, Y_far))


@concept("B18")
def test_every_gradient(parity):
    (X, Y), _ = _data(parity.dtype)
    y = ns.labels_from_one_hot(Y)
    m = X.shape[1]
    for name, dims in (("regression", REGRESSION), ("network", NETWORK)):
        parameters = _initial_parameters(dims, parity.dtype)
        L = len(dims) - 1
        AL, caches = ns.softmax_forward(X, parameters)
        grads = ns.softmax_backward(AL, Y, caches)
        _, tape = ks.softmax_grads(X, Y, convert.to_variables(parameters))
        model = _shared_model(dims, parity.dtype_name, parameters)
        _, cce = ks.keras_softmax_gradients(model, X, Y, ks.keras_categorical_crossentropy())
        _, sparse = ks.keras_softmax_gradients(model, X, y, ks.keras_sparse_categorical_crossentropy())
        # the course's dZ[L] = AL - Y and dA[l] carry no 1/m: they are m times the tape's ∂J/∂
        check(parity, f"dZ{L} = AL - Y = m·∂J/∂ZL ({name}, tape)", "grad", grads[f"dZ{L}"], m * tape[f"dZ{L}"])
        for l in range(1, L):
            check(parity, f"dA{l} = m·∂J/∂A{l} ({name}, tape)", "grad", grads[f"dA{l}"], m * tape[f"dA{l}"])
        for l in range(1, L + 1):
            for p in "Wb":
                key = f"d{p}{l}"
                check(parity, f"{key} ({name}, tape)", "grad", grads[key], tape[key])
                check(parity, f"{key} ({name}, Keras CategoricalCrossentropy)", "grad", grads[key], cce[key])
                check(parity, f"{key} ({name}, Keras SparseCategoricalCrossentropy)", "grad", grads[key],
                             sparse[key])


@concept("B18")
def test_one_step(parity):
    (X, Y), _ = _data(parity.dtype)
    parameters = _initial_parameters(NETWORK, parity.dtype)
    updated, _ = ns.softmax_gradient_descent(X, Y, parameters, LEARNING_RATE, 1)
    variables = convert.to_variables(parameters)
    _, tape_grads = ks.softmax_grads(X, Y, variables)
    ks.update_variables(variables, tape_grads, LEARNING_RATE)
    model, _ = _trained_keras(NETWORK, "cce", parity.dtype_name, parameters, X, Y, 1)
    keras_params = convert.dense_weights_to_parameters(model)
    tape_params = convert.to_parameters(variables)
    for key in parameters:
        check(parity, f"{key} after 1 step (tape)", "step", updated[key], tape_params[key])
        check(parity, f"{key} after 1 step (Keras SGD)", "step", updated[key], keras_params[key])


@concept("B18")
def test_training_on_digits(parity):
    _train_and_compare(parity, NUM_ITERATIONS)


def _train_and_compare(parity, num_iterations):
    """NumPy gradient descent vs the tape loop vs Keras (CCE and sparse CCE) from the same start."""
    (X, Y), (test_X, test_Y) = _data(parity.dtype)
    y, test_y = ns.labels_from_one_hot(Y), ns.labels_from_one_hot(test_Y)
    n = num_iterations
    accuracies = []
    for name, dims in (("regression", REGRESSION), ("network", NETWORK)):
        parameters = _initial_parameters(dims, parity.dtype)
        trained, costs = ns.softmax_gradient_descent(X, Y, parameters, LEARNING_RATE, n)
        variables = convert.to_variables(parameters)
        tape_costs = ks.softmax_train_tape(X, Y, variables, LEARNING_RATE, n)
        model, keras_costs = _trained_keras(dims, "cce", parity.dtype_name, parameters, X, Y, n)
        check(parity, f"cost curve ({name}, {n} steps, tape)", "trajectory", np.array(costs), tape_costs)
        check(parity, f"cost curve ({name}, {n} steps, Keras CCE)", "trajectory", np.array(costs), keras_costs)
        tape_params = convert.to_parameters(variables)
        keras_params = convert.dense_weights_to_parameters(model)
        for key in trained:
            check(parity, f"{key} after {n} steps ({name}, tape)", "trajectory", trained[key], tape_params[key])
            check(parity, f"{key} after {n} steps ({name}, Keras)", "trajectory", trained[key], keras_params[key])
        if name == "regression":  # the sparse loss once more, over a whole run (its gradients are checked above)
            sparse_model, sparse_costs = _trained_keras(dims, "sparse", parity.dtype_name, parameters, X, y, n)
            check(parity, f"cost curve ({name}, {n} steps, Keras sparse CCE)", "trajectory", np.array(costs),
                  sparse_costs)
            sparse_params = convert.dense_weights_to_parameters(sparse_model)
            for key in trained:
                check(parity, f"{key} after {n} steps ({name}, Keras sparse)", "trajectory", trained[key],
                      sparse_params[key])

        predicted = ns.softmax_predict(test_X, trained)
        parity.check(f"test-set classes after {n} steps ({name}, tape)", "layout", predicted,
                     ks.softmax_predict(test_X, variables))
        parity.check(f"test-set classes after {n} steps ({name}, Keras)", "layout", predicted,
                     ks.keras_softmax_predict(model, test_X))

        def acc(pred, labels):
            return f"{100 * np.mean(np.asarray(pred) == labels):.1f}%"

        accuracies.append(
            f"{name} {list(dims)}: NumPy {acc(ns.softmax_predict(X, trained), y)}/"
            f"{acc(ns.softmax_predict(test_X, trained), test_y)}, tape {acc(ks.softmax_predict(X, variables), y)}/"
            f"{acc(ks.softmax_predict(test_X, variables), test_y)}, Keras {acc(ks.keras_softmax_predict(model, X), y)}/"
            f"{acc(ks.keras_softmax_predict(model, test_X), test_y)}")
    parity.note(f"digits, 10 classes, α={LEARNING_RATE}, {n} full-batch steps, train/test accuracy: "
                + "; ".join(accuracies))


@pytest.mark.slow
def test_course_length_softmax_run():
    """1000 full-batch steps in float64 (not in the report: ~10x its rows' work): the three sides still agree
    at the table's trajectory tolerance, and the network reaches > 90% test accuracy on the 10 digits."""
    with keras_precision("float64"):
        parity = Parity("B18", "float64", case="test_course_length_softmax_run")
        (X, Y), (test_X, test_Y) = _data(np.float64)
        parameters = _initial_parameters(NETWORK, np.float64)
        trained, costs = ns.softmax_gradient_descent(X, Y, parameters, LEARNING_RATE, 1000)
        variables = convert.to_variables(parameters)
        tape_costs = ks.softmax_train_tape(X, Y, variables, LEARNING_RATE, 1000)
        model = _keras_model(NETWORK, parameters)
        keras_costs = ks.make_train_function(model, ks.keras_categorical_crossentropy(), keras_sgd(LEARNING_RATE))(
            X, Y, 1000)
        parity.check("cost curve (1000 steps, tape)", "trajectory", np.array(costs), tape_costs)
        parity.check("cost curve (1000 steps, Keras)", "trajectory", np.array(costs), keras_costs)
        tape_params, keras_params = convert.to_parameters(variables), convert.dense_weights_to_parameters(model)
        for key in trained:
            parity.check(f"{key} after 1000 steps (tape)", "trajectory", trained[key], tape_params[key])
            parity.check(f"{key} after 1000 steps (Keras)", "trajectory", trained[key], keras_params[key])
        test_y = ns.labels_from_one_hot(test_Y)
        accuracies = [np.mean(np.asarray(p) == test_y) for p in (
            ns.softmax_predict(test_X, trained), ks.softmax_predict(test_X, variables),
            ks.keras_softmax_predict(model, test_X))]
    assert accuracies[0] > 0.9 and accuracies[0] == accuracies[1] == accuracies[2], accuracies


# ---------------------------------------------------------------- plain tests


def test_softmax_regression_is_multiclass_logistic_regression():
    """With C = 2, softmax regression's P(class 1) is σ(z1 - z0): the sigmoid of the logit difference."""
    from numpy_impl.activations import sigmoid

    rng = np.random.default_rng(0)
    X = rng.standard_normal((3, 5))
    parameters = {"W1": rng.standard_normal((2, 3)), "b1": rng.standard_normal((2, 1))}
    AL, caches = ns.softmax_forward(X, parameters)
    ZL = caches[-1][1]
    np.testing.assert_allclose(AL[1], sigmoid(ZL[1] - ZL[0]), rtol=1e-14)
    np.testing.assert_allclose(AL.sum(axis=0), 1.0, rtol=1e-15)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 6), min_size=1, max_size=3), st.integers(2, 5), st.integers(1, 12),
       st.sampled_from(ns.HIDDEN), st.integers(0, 2**31 - 1))
def test_backward_by_hand_equals_the_tape_for_any_network(hidden_dims, C, m, hidden, seed):
    """Every gradient by hand vs by tape (float64) over random layer sizes, classes, m, hidden activation."""
    rng = np.random.default_rng(seed)
    dims = [3, *hidden_dims, C]
    parameters = {}
    for l in range(1, len(dims)):
        parameters[f"W{l}"] = rng.normal(size=(dims[l], dims[l - 1]))
        parameters[f"b{l}"] = rng.normal(size=(dims[l], 1))
    X, Y = rng.normal(size=(3, m)), np.eye(C)[:, rng.integers(0, C, m)]
    AL, caches = ns.softmax_forward(X, parameters, hidden)
    grads = ns.softmax_backward(AL, Y, caches, hidden)
    _, tape = ks.softmax_grads(X, Y, convert.to_variables(parameters), hidden)
    for key in parameters:
        np.testing.assert_allclose(grads[f"d{key}"], tape[f"d{key}"].numpy(), rtol=1e-9, atol=1e-13)


def test_float32_stays_float32():
    (X, Y), _ = _data(np.float32)
    trained, costs = ns.softmax_gradient_descent(X, Y, _initial_parameters(NETWORK, np.float32), 0.2, 2)
    assert all(v.dtype == np.float32 for v in trained.values()) and costs[0].dtype == np.float32


def _bad_inputs():
    (X, Y), _ = _data(np.float64)
    p = _initial_parameters(REGRESSION, np.float64)
    Z = np.zeros((3, 2))
    two_ones = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    return [
        ("X in (m, n_x) layout", lambda f: f.forward(X.T, p), r"pass X\.T"),
        ("Y not one-hot", lambda f: f.cost_from_logits(Z, two_ones), "one-hot"),
        ("Y transposed", lambda f: f.cost_from_logits(Z, np.eye(3)[:, :2].T), "transposed"),
        ("ZL with NaN", lambda f: f.cost_from_logits(np.full((3, 2), np.nan), np.eye(3)[:, :2]), "finite"),
        ("AL columns not summing to 1", lambda f: f.cost(np.full((3, 2), 0.5), np.eye(3)[:, :2]), "sum to 1"),
        ("labels 2 in Y", lambda f: f.cost_from_logits(Z, 2 * np.eye(3)[:, :2]), "binary labels"),
        ("one-hot Y with two 1s", lambda f: f.labels(two_ones), "one-hot"),
        ("1-D Y", lambda f: f.labels(np.ones(3)), r"\(C, m\)"),
        ("unknown hidden activation", lambda f: f.forward(X, _initial_parameters(NETWORK, np.float64), "softplus"),
         "hidden must be one of"),
        ("learning rate 0", lambda f: f.train(X, Y, p, 0, 1), "learning_rate must be"),
        ("learning rate True", lambda f: f.train(X, Y, p, True, 1), "learning_rate must be"),
        ("learning rate '0.1'", lambda f: f.train(X, Y, p, "0.1", 1), "learning_rate must be"),
        ("negative iterations", lambda f: f.train(X, Y, p, 0.1, -1), "num_iterations must be"),
        ("Y with 9 classes", lambda f: f.train(X, Y[:9], p, 0.1, 1), "n_y = 10 rows"),
        ("missing b1", lambda f: f.forward(X, {"W1": p["W1"]}), "missing key"),
        ("diverging run", lambda f: f.train(X, Y, p, 1e306, 5), r"diverged at iteration 1: cost is not finite"),
    ]


class _NumPy:
    forward = staticmethod(ns.softmax_forward)
    cost = staticmethod(ns.softmax_cost)
    cost_from_logits = staticmethod(ns.softmax_cost_from_logits)
    labels = staticmethod(ns.labels_from_one_hot)
    train = staticmethod(lambda X, Y, p, lr, n: ns.softmax_gradient_descent(X, Y, p, lr, n))


class _TF:
    forward = staticmethod(lambda X, p, hidden="relu": ks.softmax_forward_logits(X, convert.to_variables(p), hidden))
    cost = staticmethod(ks.softmax_cost)
    cost_from_logits = staticmethod(ks.softmax_cost_from_logits)
    labels = staticmethod(ks.labels_from_one_hot)
    train = staticmethod(lambda X, Y, p, lr, n: ks.softmax_train_tape(X, Y, convert.to_variables(p), lr, n))


@pytest.mark.parametrize("case", _bad_inputs(), ids=lambda c: c[0])
def test_bad_input_same_error_both_sides(case):
    _, call, match = case
    same_error(lambda: call(_NumPy), lambda: call(_TF), match=match)


def test_keras_model_rejects_bad_layer_dims():
    with pytest.raises(ValueError, match="layer_dims must be a list of positive ints"):
        ks.build_softmax_model([64])
    with pytest.raises(ValueError, match="hidden must be one of"):
        ks.build_softmax_model([64, 10], hidden="softplus")
