"""A10: one hyper-parameter record describes a network; NumPy and Keras build and train it the same way.

Parameters (W, b) are learned; hyper-parameters (layer_dims, activations, α, iterations, initialisation) are
chosen and stored once in `numpy_impl.hyperparameters.HyperParameters`. Here the record's non-default
choices (tanh then relu, He initialisation, α = 0.1) must reach both sides: the same shapes, the same
forward pass, the same SGD step and the same training run from the same initial parameters.
"""

from __future__ import annotations

import dataclasses
import functools

import keras
import numpy as np
import pytest
import tensorflow as tf

import numpy_impl.deep_network as nd
from keras_impl import convert
from keras_impl import hyperparameters as khp
from keras_impl._precision import keras_precision
from keras_impl.deep_network import keras_forward
from keras_impl.losses import keras_binary_crossentropy
from keras_impl.optimization import keras_sgd
from numpy_impl.datasets import load_digits_data
from numpy_impl.hyperparameters import INITIALIZATIONS, HyperParameters
from parity_tests.error_parity import same_error
from parity_tests.harness import Mapping, Parity, Tol, concept
from parity_tests.normwise import check

# The textbook⇄Keras mappings of A10, each proved by the rows of the comparison it names.
MAPPINGS = [
    Mapping("A10", "the hyper-parameters α, L, n[l], g[l], iterations, initialization, seed (one "
                    "record)",
            "the same record builds the Keras Sequential and keras_sgd(α); trained full batch it "
            "follows the NumPy run",
            "test_record_trains_the_same_on_both_sides"),
    Mapping("A10", "the record's initialization law (e.g. He: N(0, 2/n[l-1]))",
            "a Keras initializer of that law, untruncated (Keras's HeNormal truncates at 2σ' and "
            "fails the tail row)",
            "test_record_initialization_law"),
]

RECORD = HyperParameters(layer_dims=(64, 16, 8, 1), activations=("tanh", "relu", "sigmoid"), learning_rate=0.1,
                         num_iterations=150, initialization="he", seed=2)


@functools.lru_cache(maxsize=1)
def _digits():
    return load_digits_data(digit=3)


def _data(dtype):
    train_X, train_Y, test_X, test_Y = _digits()
    return train_X.astype(dtype), train_Y.astype(dtype), test_X.astype(dtype), test_Y.astype(dtype)


def _initial_parameters(hp, dtype):
    return {k: v.astype(dtype) for k, v in nd.initialize_parameters_from_record(hp).items()}


@concept("A10")
def test_record_builds_the_same_network(parity):
    X, Y, _, _ = _data(parity.dtype)
    parameters = _initial_parameters(RECORD, parity.dtype)
    model = khp.build_model(RECORD)
    shapes = RECORD.parameter_shapes()
    assert {k: v.shape for k, v in parameters.items()} == shapes, "NumPy did not build the record's network"
    keras_shapes = khp.parameter_shapes(model)
    check(parity, "parameter shapes: NumPy vs Keras, both built from the record", "layout",
                 np.array([parameters[k].shape for k in shapes]), np.array([keras_shapes[k] for k in shapes]))
    convert.set_dense_weights(model, parameters)
    AL, caches = nd.L_model_forward(X, parameters, RECORD.activations)
    AL_keras, ZL_keras = keras_forward(model, X)
    check(parity, "AL with the record's activations (tanh, relu, sigmoid)", "forward", AL, AL_keras)
    cost = nd.compute_cost(AL, Y)
    loss = keras_binary_crossentropy()
    check(parity, "cost", "cost", cost, loss(convert.labels_to_keras(Y), convert.inputs_to_keras(ZL_keras)))
    # one step of gradient descent with the record's α on both sides
    grads = nd.L_model_backward(AL, Y, caches, RECORD.activations)
    updated = nd.update_parameters(parameters, grads, RECORD.learning_rate)
    optimizer = keras_sgd(RECORD.learning_rate)
    with tf.GradientTape() as tape:
        keras_cost = loss(convert.labels_to_keras(Y), model(convert.inputs_to_keras(X), training=True))
    optimizer.apply_gradients(zip(tape.gradient(keras_cost, model.trainable_variables), model.trainable_variables,
                                  strict=True))
    stepped = convert.dense_weights_to_parameters(model)
    for key in parameters:
        check(parity, f"{key} after 1 step (SGD with the record's α)", "step", updated[key], stepped[key])


@concept("A10")
def test_record_trains_the_same_on_both_sides(parity):
    X, Y, test_X, test_Y = _data(parity.dtype)
    parameters = _initial_parameters(RECORD, parity.dtype)
    trained, costs = nd.L_layer_model_from_record(X, Y, RECORD, parameters=parameters, record_every=1)
    model, keras_costs = khp.train_from_record(X, Y, RECORD, parameters=parameters)
    n = RECORD.num_iterations
    check(parity, f"cost curve ({n} steps)", "trajectory", np.array(costs), keras_costs)
    keras_params = convert.dense_weights_to_parameters(model)
    for key in trained:
        check(parity, f"{key} after {n} steps", "trajectory", trained[key], keras_params[key])

    def accuracy(predictions, labels):
        return f"{100 * np.mean(np.asarray(predictions) == labels):.1f}%"

    keras_AL = [keras_forward(model, data)[0] for data in (X, test_X)]
    parity.note(f"record {RECORD.to_dict()} on digits 'is it a 3?': train/test accuracy NumPy "
                f"{accuracy(nd.predict(X, Y, trained, RECORD.activations), Y)}/"
                f"{accuracy(nd.predict(test_X, test_Y, trained, RECORD.activations), test_Y)}, Keras "
                f"{accuracy(keras_AL[0].numpy() > 0.5, Y)}/{accuracy(keras_AL[1].numpy() > 0.5, test_Y)}; "
                f"{sum(np.prod(s) for s in RECORD.parameter_shapes().values())} parameters learned, "
                f"6 hyper-parameters chosen")


# The fraction of draws beyond 2σ: 4.55% for a normal law, 0 for Keras's truncated normals (HeNormal, LecunNormal,
# GlorotNormal redraw beyond 2σ' = 2.27σ, so 2σ < |w| <= 2.27σ keeps 2.1%, well outside the tolerance). With
# 2·10^5 draws per side the count has a relative standard error of 1.05% per side; 6% is ~4 of them for the
# difference of two samples.
TAIL_TOL = (Tol(6e-2, 0.0), "two independent samples of 2e5 draws: the fraction beyond 2σ (4.55%) has a relative "
                            "standard error of 1.05% per side; a truncated normal gives 0 to 2.1%")


def _tail_mass(W, sigma: float) -> np.ndarray:
    """The fraction of the entries of W with |w| > 2σ (σ: the law's standard deviation), in W's dtype."""
    W = np.asarray(W)
    return np.asarray(np.mean(np.abs(W) > 2 * sigma), dtype=W.dtype)


def check_initialization_law(parity, kernel_initializer=khp.kernel_initializer):
    """The law of W1 that the record asks for, NumPy's randn vs the Keras initializer `khp.build_model` uses.

    NumPy's randn and Keras's initializers never draw the same numbers; what the record fixes is the law. Two
    statistics per initialisation on W1 (400 x 500 = 2e5 draws): the std (relative standard error 0.16% per
    side) and the fraction beyond 2σ, which tells an untruncated normal from Keras's truncated ones (HeNormal
    has the same std as the notes' He, 0.063221 vs 0.063282 here: the std alone cannot see the difference).
    `kernel_initializer` is replaceable so that a test can feed the wrong initializer and see these rows fail.
    """
    for initialization in ("small", "xavier", "he"):
        hp = HyperParameters(layer_dims=(500, 400, 1), initialization=initialization, seed=5)
        W1 = _initial_parameters(hp, parity.dtype)["W1"]
        model = khp.build_dense_model(hp.layer_dims, hp.activations, [kernel_initializer(hp, 1),
                                                                       kernel_initializer(hp, 2)])
        kernel = model.layers[0].kernel.numpy()
        sigma = float(nd.SCALES[initialization](hp.layer_dims[0]))
        check(parity, f"std of W1, '{initialization}' init: NumPy randn vs Keras initializer", "statistic",
                     np.std(W1), tf.math.reduce_std(kernel))
        check(parity, f"fraction of W1 beyond 2σ, '{initialization}' init (normal: 4.55%, truncated: 0)", "statistic",
                     _tail_mass(W1, sigma), _tail_mass(kernel, sigma), tol=TAIL_TOL[0], why=TAIL_TOL[1])


@concept("A10")
def test_record_initialization_law(parity):
    check_initialization_law(parity)


def test_initialization_law_rows_fail_for_the_truncated_HeNormal():
    # The wrong initializer for the record's "he" (Keras's HeNormal, truncated at 2σ'): the std row still
    # passes (same std by construction), the tail-mass row fails.
    def wrong(hp, l):
        if hp.initialization == "he":
            return keras.initializers.HeNormal(seed=hp.seed + l)
        return khp.kernel_initializer(hp, l)

    parity = Parity("A10", "float64", strict=False)
    with keras_precision("float64"):
        check_initialization_law(parity, wrong)
    verdict = {row.quantity: row.passed for row in parity.rows}
    assert verdict["std of W1, 'he' init: NumPy randn vs Keras initializer"]
    assert not verdict["fraction of W1 beyond 2σ, 'he' init (normal: 4.55%, truncated: 0)"]
    assert all(passed for quantity, passed in verdict.items() if "'he'" not in quantity)


# ---------------------------------------------------------------- the record itself

def test_defaults_are_the_course_L_layer_model():
    hp = HyperParameters(layer_dims=[12, 20, 7, 5, 1])
    assert hp.layer_dims == (12, 20, 7, 5, 1) and hp.L == 4
    assert hp.activations == ("relu", "relu", "relu", "sigmoid")
    assert (hp.learning_rate, hp.num_iterations, hp.initialization, hp.seed) == (0.0075, 3000, "xavier", 1)
    assert hp.parameter_shapes() == {"W1": (20, 12), "b1": (20, 1), "W2": (7, 20), "b2": (7, 1), "W3": (5, 7),
                                     "b3": (5, 1), "W4": (1, 5), "b4": (1, 1)}


def test_every_initialization_of_the_record_has_a_numpy_scale():
    assert set(nd.SCALES) == set(INITIALIZATIONS)


def test_record_reproduces_the_course_initialisers():
    dims = (6, 5, 3, 1)
    pairs = [(HyperParameters(dims, initialization="small", seed=3), nd.initialize_parameters_deep(dims)),
             (HyperParameters(dims), nd.initialize_parameters_deep_application(dims))]
    for hp, expected in pairs:
        got = nd.initialize_parameters_from_record(hp)
        assert sorted(got) == sorted(expected)
        for key in expected:
            np.testing.assert_array_equal(got[key], expected[key])
    np.random.seed(4)
    expected_W1 = np.random.randn(5, 6) * np.sqrt(2 / 6)
    he = nd.initialize_parameters_from_record(HyperParameters(dims, initialization="he", seed=4))
    np.testing.assert_array_equal(he["W1"], expected_W1)


def test_training_from_the_default_record_is_the_course_L_layer_model():
    X, Y, _, _ = _data(np.float64)
    hp = HyperParameters(layer_dims=(64, 10, 1), num_iterations=101, learning_rate=0.05)
    parameters, costs = nd.L_layer_model_from_record(X, Y, hp)
    expected, expected_costs = nd.L_layer_model(X, Y, (64, 10, 1), learning_rate=0.05, num_iterations=101)
    assert costs == expected_costs and len(costs) == 2
    for key, value in expected.items():
        np.testing.assert_array_equal(parameters[key], value)


def test_dict_round_trip_and_frozen():
    d = RECORD.to_dict()
    assert d == {"layer_dims": [64, 16, 8, 1], "activations": ["tanh", "relu", "sigmoid"], "learning_rate": 0.1,
                 "num_iterations": 150, "initialization": "he", "seed": 2}
    assert HyperParameters.from_dict(d) == RECORD
    with pytest.raises(dataclasses.FrozenInstanceError):
        RECORD.learning_rate = 1.0
    assert dataclasses.replace(RECORD, learning_rate=0.5).learning_rate == 0.5


@pytest.mark.parametrize("kwargs, error, match", [
    ({"layer_dims": (4,)}, ValueError, "at least one layer"),
    ({"layer_dims": (4, 0, 1)}, ValueError, r"layer_dims\[1\] must be >= 1"),
    ({"layer_dims": (4, 2.5, 1)}, TypeError, "must be an integer"),
    ({"layer_dims": "4,3,1"}, TypeError, "sequence of ints"),
    ({"layer_dims": (4, 3, 1), "activations": ("relu",)}, ValueError, "L = 2 layers, got 1"),
    ({"layer_dims": (4, 3, 1), "activations": ("softplus", "sigmoid")}, ValueError, "hidden layer 1"),
    ({"layer_dims": (4, 3, 1), "activations": ("relu", "relu")}, ValueError, "output layer's activation"),
    ({"layer_dims": (4, 1), "learning_rate": 0}, ValueError, "learning_rate must be finite and > 0"),
    ({"layer_dims": (4, 1), "learning_rate": float("nan")}, ValueError, "learning_rate must be finite"),
    ({"layer_dims": (4, 1), "learning_rate": "0.1"}, TypeError, "learning_rate must be a real number"),
    ({"layer_dims": (4, 1), "num_iterations": 0}, ValueError, "num_iterations must be >= 1"),
    ({"layer_dims": (4, 1), "initialization": "zeros"}, ValueError, "initialization must be one of"),
    ({"layer_dims": (4, 1), "initialization": ["he"]}, ValueError, "initialization must be one of"),
    ({"layer_dims": (4, 1), "seed": -1}, ValueError, "seed must be an integer"),
])
def test_bad_records_are_named(kwargs, error, match):
    with pytest.raises(error, match=match):
        HyperParameters(**kwargs)


def test_from_dict_rejects_unknown_and_missing_keys():
    with pytest.raises(KeyError, match=r"unknown hyper-parameter\(s\) \['learning_rat'\]"):
        HyperParameters.from_dict({"layer_dims": [4, 1], "learning_rat": 0.1})
    with pytest.raises(KeyError, match="needs at least 'layer_dims'"):
        HyperParameters.from_dict({"learning_rate": 0.1})


def test_consumers_check_the_record_and_the_parameters():
    X, Y, _, _ = _data(np.float64)
    with pytest.raises(TypeError, match="HyperParameters record"):
        nd.L_layer_model_from_record(X, Y, {"layer_dims": (64, 1)})
    with pytest.raises(ValueError, match="do not fit the record's layer_dims"):
        nd.L_layer_model_from_record(X, Y, RECORD, parameters=nd.initialize_parameters_deep((64, 5, 1)))
    with pytest.raises(TypeError, match="HyperParameters record"):
        khp.build_model(RECORD.to_dict())


def _record_cases():
    X, Y, _, _ = _data(np.float64)
    X, Y = X[:, :20], Y[:, :20]
    hp = HyperParameters(layer_dims=(64, 3, 1), num_iterations=2)
    return [
        ("not a record", X, Y, hp.to_dict(), None, "hp must be a HyperParameters record, got dict"),
        ("parameters of another network", X, Y, hp, nd.initialize_parameters_deep((64, 5, 1)),
         "do not fit the record's layer_dims"),
        ("parameters missing b2", X, Y, hp, {k: v for k, v in nd.initialize_parameters_from_record(hp).items()
                                             if k != "b2"}, "missing"),
        ("X as (m, n_x)", X.T, Y, hp, None, "pass X.T"),
        ("labels outside {0, 1}", X, Y + 0.5, hp, None, "binary labels"),
        ("Y with the wrong number of columns", X, Y[:, :5], hp, None, "m = 20 columns"),
    ]


@pytest.mark.parametrize("case", _record_cases(), ids=lambda c: c[0])
def test_record_consumers_reject_like_numpy(case):
    _, X, Y, hp, parameters, match = case
    with keras_precision("float64"):
        same_error(lambda: nd.L_layer_model_from_record(X, Y, hp, parameters=parameters),
                   lambda: khp.train_from_record(X, Y, hp, parameters=parameters), match=match)
