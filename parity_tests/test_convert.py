"""A2: the course layout ⇄ Keras layout mapping of keras_impl.convert, proven both ways."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from keras_impl import convert
from numpy_impl.validation import check_X, check_Y, number_of_layers
from parity_tests.harness import concept


def _parameters(dtype, layer_dims=(3, 4, 2), seed=0):
    rng = np.random.default_rng(seed)
    return {k: rng.standard_normal(shape).astype(dtype)
            for l in range(1, len(layer_dims))
            for k, shape in ((f"W{l}", (layer_dims[l], layer_dims[l - 1])), (f"b{l}", (layer_dims[l], 1)))}


def _dense_model(layer_dims, activation=None):
    model = keras.Sequential([keras.Input((layer_dims[0],))] +
                             [keras.layers.Dense(n, activation=activation) for n in layer_dims[1:]])
    return model


@concept("A2")
def test_parameters_round_trip_through_dense_layers(parity):
    parameters = _parameters(parity.dtype)
    model = _dense_model((3, 4, 2))
    convert.set_dense_weights(model, parameters)
    back = convert.dense_weights_to_parameters(model)
    for key, value in parameters.items():
        parity.check(f"{key} -> Dense -> {key}", "layout", value, back[key])
    # and the Keras side holds the transposes, element by element
    parity.check("kernel1 = W1.T", "layout", parameters["W1"].T, model.layers[0].kernel)
    parity.check("bias1 = b1[:, 0]", "layout", parameters["b1"][:, 0], model.layers[0].bias)


@concept("A2")
def test_Z_course_layout_equals_dense_output(parity):
    # Z = W X + b in course layout is (x @ kernel + bias).T in Keras layout: same numbers, moved.
    parameters = _parameters(parity.dtype, (3, 2))
    X = np.random.default_rng(1).standard_normal((3, 5)).astype(parity.dtype)
    model = _dense_model((3, 2))
    convert.set_dense_weights(model, parameters)
    Z_keras = convert.inputs_from_keras(model(convert.inputs_to_keras(X)))
    parity.check("Z = W X + b", "forward", parameters["W1"] @ X + parameters["b1"], Z_keras)


@concept("A2")
def test_gradients_map_back_to_dW_db(parity):
    # d/dW of sum(W X + b) is 1·Xᵀ summed: dW[i, j] = Σ_m X[j, m], db[i] = m. Keras's kernel gradient,
    # transposed by convert, must give exactly those numbers.
    parameters = _parameters(parity.dtype, (3, 2))
    X = np.random.default_rng(2).standard_normal((3, 6)).astype(parity.dtype)
    model = _dense_model((3, 2))
    convert.set_dense_weights(model, parameters)
    with tf.GradientTape() as tape:
        out = tf.reduce_sum(model(convert.inputs_to_keras(X)))
    grads = convert.dense_grads_to_course(tape.gradient(out, model.trainable_variables), model)
    parity.check("dW1 = dkernel.T", "grad", np.ones((2, 1), parity.dtype) @ X.sum(axis=1, keepdims=True).T,
                 grads["dW1"])
    parity.check("db1 = dbias[:, None]", "grad", np.full((2, 1), 6, parity.dtype), grads["db1"])


@concept("A2")
def test_inputs_and_labels_round_trip(parity):
    X = np.arange(12, dtype=parity.dtype).reshape(3, 4)
    parity.check("X -> inputs -> X", "layout", X, convert.inputs_from_keras(convert.inputs_to_keras(X)))
    parity.check("inputs[i, j] = X[j, i]", "layout", X.T, convert.inputs_to_keras(X))
    Y = (np.arange(4) % 2).reshape(1, 4).astype(parity.dtype)
    parity.check("targets = Y.T", "layout", Y.T, convert.labels_to_keras(Y))


def test_set_dense_weights_rejects_wrong_shapes_and_keys():
    model = _dense_model((3, 4, 2))
    bad = _parameters("float32", (3, 5, 2))
    with pytest.raises(ValueError, match="W1 has shape"):
        convert.set_dense_weights(model, bad)
    missing = _parameters("float32", (3, 4, 2))
    del missing["b2"]
    with pytest.raises(KeyError, match="missing"):
        convert.set_dense_weights(model, missing)
    with pytest.raises(ValueError, match="3 layers"):
        convert.set_dense_weights(model, _parameters("float32", (3, 4, 2, 1)))


def test_course_layout_validation_names_the_expected_layout():
    X = np.zeros((400, 2))
    with pytest.raises(ValueError, match=r"looks like \(m, n_x\).*pass X.T"):
        check_X(X, n_x=2)
    with pytest.raises(ValueError, match="1-D"):
        check_Y(np.zeros(400), m=400)
    with pytest.raises(ValueError, match="m = 400 columns"):
        check_Y(np.zeros((1, 300)), m=400)
    with pytest.raises(ValueError, match="binary labels"):
        check_Y(np.array([[0, 1, 2.0]]), m=3, binary=True)
    with pytest.raises(ValueError, match="finite"):
        check_X(np.array([[0.0, np.nan]]))
    with pytest.raises(KeyError, match=r"missing key\(s\) \['b2'\]"):
        number_of_layers({"W1": np.zeros((2, 2)), "b1": np.zeros((2, 1)), "W2": np.zeros((1, 2))})
    with pytest.raises(ValueError, match="must chain|W2 has shape"):
        number_of_layers({"W1": np.zeros((3, 2)), "b1": np.zeros((3, 1)), "W2": np.zeros((1, 2)),
                          "b2": np.zeros((1, 1))})




@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 9), min_size=2, max_size=5), st.integers(0, 2**31 - 1))
def test_any_network_round_trips_through_dense_layers_exactly(layer_dims, seed):
    parameters = _parameters("float32", tuple(layer_dims), seed=seed)
    model = _dense_model(tuple(layer_dims))
    convert.set_dense_weights(model, parameters)
    back = convert.dense_weights_to_parameters(model)
    assert back.keys() == parameters.keys()
    for key, value in parameters.items():
        np.testing.assert_array_equal(back[key], value)
