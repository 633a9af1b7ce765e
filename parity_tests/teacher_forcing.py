"""Teacher forcing for the A7 parity rows: one step of the TF side from every state of NumPy's recorded run.

Test machinery, not part of the project's API. `record_train` runs the loop of `numpy_impl.shallow_network.train`
(its own per-step functions) and keeps every state and gradient; `one_step_from_each_state` takes one
gradient-descent step from each of S stacked parameter sets with the part-1 functions of
`keras_impl.shallow_network` (tf.matmul broadcasts W1 (S, n_h, n_x) against X); `one_step_from_each_state_keras`
does the same through the Keras model, one set after the other in a compiled loop.
"""

from __future__ import annotations

from collections.abc import Mapping

import keras
import numpy as np
import tensorflow as tf

import numpy_impl.shallow_network as sn
from keras_impl import convert
from keras_impl import shallow_network as ks
from keras_impl.losses import keras_binary_crossentropy
from keras_impl.optimization import keras_sgd

PARAMETER_KEYS, GRAD_KEYS = sn.PARAMETER_KEYS, sn.GRAD_KEYS


def record_train(X, Y, parameters: Mapping, num_iterations: int, learning_rate: float = 1.2):
    """`sn.train`'s run, recorded: (final, costs (N,), history {"W1" (N+1, n_h, n_x), ..., "dW1" (N, n_h, n_x)}).

    history["W1"][i] is W1 before update i (index 0: the start, index N: the result) and history["dW1"][i]
    the gradient update i used: W1[i+1] = W1[i] - α·dW1[i]. The same per-step computations as `sn.train`
    (its private forward, cost, backward and update, in the same order), so the costs are bit-identical.
    """
    X, Y = np.asarray(X), np.asarray(Y).astype(np.asarray(X).dtype)
    parameters = {k: parameters[k] for k in PARAMETER_KEYS}
    costs = np.empty(num_iterations, dtype=X.dtype)
    history = {k: np.empty((num_iterations + 1, *np.shape(parameters[k])), X.dtype) for k in PARAMETER_KEYS}
    history |= {f"d{k}": np.empty((num_iterations, *np.shape(parameters[k])), X.dtype) for k in PARAMETER_KEYS}
    for i in range(num_iterations):
        A2, cache = sn._forward(X, parameters)
        costs[i] = sn._cost(A2, Y)
        grads = sn._backward(parameters, cache, X, Y)
        for key in PARAMETER_KEYS:
            history[key][i], history[f"d{key}"][i] = parameters[key], grads[f"d{key}"]
        parameters = sn._update(parameters, grads, learning_rate)
    for key in PARAMETER_KEYS:
        history[key][num_iterations] = parameters[key]
    return parameters, costs, history


def _step_from_each_state(X, Y, W1, b1, W2, b2, learning_rate):
    """One step on stacked variables (S, ...), in graph mode: -> (J (S,), grads (S, ...)); updates in place."""
    parameters = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    costs, grads = ks.compute_grads(X, Y, parameters)
    ks.update_parameters(parameters, grads, learning_rate)
    return costs, grads


# One trace per shape; no tensor-dependent control flow, so no AutoGraph (faster tracing).
_compiled_step_from_each_state = tf.function(_step_from_each_state, autograph=False)


def _stacked_states(states: Mapping) -> int:
    """The number S of parameter sets stacked in `states` {"W1" (S, n_h, n_x), ...}, after checking shapes."""
    shapes = {k: np.shape(states[k]) for k in PARAMETER_KEYS if k in states}
    if len(shapes) < len(PARAMETER_KEYS):
        raise KeyError(f"states is missing key(s) {[k for k in PARAMETER_KEYS if k not in states]}; "
                       f"it has {sorted(states)}")
    if any(len(shape) != 3 for shape in shapes.values()) or len({shape[0] for shape in shapes.values()}) != 1:
        raise ValueError("states must stack S parameter sets on a leading axis: W1 (S, n_h, n_x), b1 (S, n_h, 1), "
                         f"W2 (S, n_y, n_h), b2 (S, n_y, 1); got {shapes}")
    return shapes["W1"][0]


def one_step_from_each_state(X, Y, states: Mapping, learning_rate: float = 1.2, chunk_size: int = 2000):
    """One gradient-descent step by tape from each of S parameter sets {"W1" (S, n_h, n_x), ...}.

    All S sets go through `ks.forward_propagation`, `ks.compute_cost` (J (S,): the sum runs over the last two
    axes), `ks.compute_grads` (the tape differentiates Σ_s J_s; J_s depends on set s only) and
    `ks.update_parameters`, in one `tf.function` call per chunk of `chunk_size` sets. ->
    (costs J (S,), grads {"dW1" (S, n_h, n_x), ...}, next {"W1" (S, n_h, n_x), ...}), next = θ - α·dθ.
    """
    S = _stacked_states(states)
    dtype = tf.convert_to_tensor(states["W1"]).dtype
    X, Y = tf.convert_to_tensor(X, dtype=dtype), tf.cast(Y, dtype)
    alpha = tf.constant(learning_rate, dtype=dtype)
    costs, grads, after = [], {f"d{k}": [] for k in PARAMETER_KEYS}, {k: [] for k in PARAMETER_KEYS}
    for start in range(0, S, chunk_size):
        variables = convert.to_variables({k: states[k][start:start + chunk_size] for k in PARAMETER_KEYS})
        chunk_costs, chunk_grads = _compiled_step_from_each_state(
            X, Y, *(variables[k] for k in PARAMETER_KEYS), alpha)
        costs.append(chunk_costs.numpy())
        for key in PARAMETER_KEYS:
            grads[f"d{key}"].append(chunk_grads[f"d{key}"].numpy())
            after[key].append(variables[key].numpy())
    return (np.concatenate(costs), {k: np.concatenate(v) for k, v in grads.items()},
            {k: np.concatenate(v) for k, v in after.items()})


def one_step_from_each_state_keras(X, Y, states: Mapping, learning_rate: float = 1.2):
    """One `keras_sgd` step of the Keras model from each of S parameter sets, one after the other, compiled.

    Copy set s into the model (`convert.set_dense_weights`), `keras_binary_crossentropy()` and its tape
    gradients, `SGD.apply_gradients`, then read the gradients and the new weights back in course layout
    (through `convert`). Computes in Keras's floatx. -> (losses (S,), grads {...}, next {...}).
    """
    S = _stacked_states(states)
    _, n_h, n_x = np.shape(states["W1"])
    model = ks.build_model(n_x, n_h)
    dense1, dense2 = model.layers
    optimizer, loss_fn = keras_sgd(learning_rate), keras_binary_crossentropy()
    optimizer.build(model.trainable_variables)
    position = {id(v): i for i, v in enumerate(model.trainable_variables)}
    dtype = keras.config.floatx()
    x = convert.inputs_to_keras(tf.convert_to_tensor(X, dtype=dtype))
    y = tf.cast(convert.labels_to_keras(Y), dtype)

    @tf.autograph.experimental.do_not_convert  # no tensor-dependent control flow: traces ~3x faster
    def one_step(state: dict) -> dict:
        convert.set_dense_weights(model, state)
        loss, grads = ks.loss_and_gradients(model, loss_fn, x, y)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        values = {"loss": loss}
        for l, layer in ((1, dense1), (2, dense2)):
            values[f"dW{l}"] = convert.kernel_to_W(grads[position[id(layer.kernel)]])
            values[f"db{l}"] = convert.bias_to_b(grads[position[id(layer.bias)]])
            values[f"W{l}"], values[f"b{l}"] = convert.kernel_to_W(layer.kernel), convert.bias_to_b(layer.bias)
        return values

    @tf.function
    def loop(W1, b1, W2, b2):
        outputs = {key: tf.TensorArray(dtype, size=S) for key in ("loss", *GRAD_KEYS, *PARAMETER_KEYS)}
        for s in tf.range(S):
            values = one_step({"W1": W1[s], "b1": b1[s], "W2": W2[s], "b2": b2[s]})
            outputs = {key: array.write(s, values[key]) for key, array in outputs.items()}
        return {key: array.stack() for key, array in outputs.items()}

    out = {k: v.numpy() for k, v in loop(*(tf.convert_to_tensor(states[k]) for k in PARAMETER_KEYS)).items()}
    return out["loss"], {k: out[k] for k in GRAD_KEYS}, {k: out[k] for k in PARAMETER_KEYS}
