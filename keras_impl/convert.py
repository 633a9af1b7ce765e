"""Every transpose between the course layout and Keras's layout lives here (concept A2).

| course (notes)          | Keras                          | here                         |
|-------------------------|--------------------------------|------------------------------|
| `X (n_x, m)`            | inputs `(m, n_x)`              | `inputs_to_keras(X) = X.T`   |
| `Y (n_y, m)`            | targets `(m, n_y)`             | `labels_to_keras(Y) = Y.T`   |
| `W[l] (n_l, n_{l-1})`   | `Dense.kernel (n_{l-1}, n_l)`  | `kernel = W.T`               |
| `b[l] (n_l, 1)`         | `Dense.bias (n_l,)`            | `bias = b[:, 0]`             |
| `dW[l]`, `db[l]`        | kernel / bias gradients        | `dW = dkernel.T`, `db = dbias[:, None]` |

`Z = W X + b` in course layout is `(x @ kernel + bias).T` in Keras layout; the two are the same numbers,
moved, never recomputed. Every function validates shapes and says what it expected.
A `tf.Variable` model written in course layout needs none of this.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import tensorflow as tf

# Which NumPy function (numpy_impl.convert, or numpy_impl.<module>.<name>) each function here mirrors;
# the docs site pairs its code columns from this, parity_tests/test_twins.py checks it. None: no NumPy twin.
MIRRORS = {
    "A2": {
        "inputs_to_keras": "validation.check_X",
        "inputs_from_keras": None,
        "labels_to_keras": "validation.check_Y",
        "W_to_kernel": None,
        "kernel_to_W": None,
        "b_to_bias": None,
        "bias_to_b": None,
        "number_of_layers": "validation.number_of_layers",
        "set_dense_weights": None,
        "dense_weights_to_parameters": None,
        "dense_grads_to_course": None,
        "to_variables": None,
        "to_parameters": None,
    },
}


def _matrix(a, name: str) -> tf.Tensor:
    t = tf.convert_to_tensor(a)
    if t.shape.rank != 2:
        raise ValueError(f"{name} must be a 2-D matrix, got shape {tuple(t.shape)}")
    return t


def inputs_to_keras(X) -> tf.Tensor:
    """Course `X (n_x, m)` -> Keras inputs `(m, n_x)`."""
    return tf.transpose(_matrix(X, "X"))


def inputs_from_keras(x) -> tf.Tensor:
    """Keras inputs or outputs `(m, n)` -> course layout `(n, m)`."""
    return tf.transpose(_matrix(x, "x"))


def labels_to_keras(Y) -> tf.Tensor:
    """Course labels `Y (n_y, m)` -> Keras targets `(m, n_y)`."""
    return tf.transpose(_matrix(Y, "Y"))


def W_to_kernel(W) -> tf.Tensor:
    """`W (n_l, n_{l-1})` -> `Dense.kernel (n_{l-1}, n_l)`."""
    return tf.transpose(_matrix(W, "W"))


def kernel_to_W(kernel) -> tf.Tensor:
    """`Dense.kernel (n_{l-1}, n_l)` -> `W (n_l, n_{l-1})`; also `dkernel` -> `dW`."""
    return tf.transpose(_matrix(kernel, "kernel"))


def b_to_bias(b) -> tf.Tensor:
    """`b (n_l, 1)` -> `Dense.bias (n_l,)`."""
    b = _matrix(b, "b")
    if b.shape[1] != 1:
        raise ValueError(f"b must be a column (n_l, 1), got shape {tuple(b.shape)}")
    return b[:, 0]


def bias_to_b(bias) -> tf.Tensor:
    """`Dense.bias (n_l,)` -> `b (n_l, 1)`; also `dbias` -> `db`."""
    bias = tf.convert_to_tensor(bias)
    if bias.shape.rank != 1:
        raise ValueError(f"bias must be 1-D (n_l,), got shape {tuple(bias.shape)}")
    return bias[:, None]


def number_of_layers(parameters: Mapping) -> int:
    """L for course parameters `{"W1", "b1", ..., "WL", "bL"}`; a clear KeyError naming what is missing."""
    if not isinstance(parameters, Mapping):
        raise TypeError(f"parameters must be a dict {{'W1', 'b1', ...}}, got {type(parameters).__name__}")
    L = sum(1 for k in parameters if k.startswith("W") and k[1:].isdigit())
    missing = [f"{p}{l}" for l in range(1, L + 1) for p in "Wb" if f"{p}{l}" not in parameters]
    if L == 0 or missing:
        raise KeyError(f"parameters must hold W1, b1, ..., WL, bL; missing {missing or ['W1', 'b1']}, "
                       f"has {sorted(parameters)}")
    return L


def _dense_layers(model_or_layers) -> list:
    layers = getattr(model_or_layers, "layers", model_or_layers)
    return [layer for layer in layers if hasattr(layer, "kernel")]


def set_dense_weights(model_or_layers, parameters: Mapping) -> None:
    """Copy course parameters `{"W1", "b1", ...}` into the Dense layers of a model (in order).

    `kernel = W.T`, `bias = b[:, 0]`. The layers must already be built; shapes are checked layer by layer.
    """
    L = number_of_layers(parameters)
    dense = _dense_layers(model_or_layers)
    if len(dense) != L:
        raise ValueError(f"parameters describe {L} layers but the model has {len(dense)} Dense layers")
    for l, layer in enumerate(dense, start=1):
        kernel, bias = W_to_kernel(parameters[f"W{l}"]), b_to_bias(parameters[f"b{l}"])
        if tuple(layer.kernel.shape) != tuple(kernel.shape):
            raise ValueError(f"W{l} has shape {tuple(np.shape(parameters[f'W{l}']))}, so kernel {tuple(kernel.shape)}, "
                             f"but Dense layer {l} ({layer.name}) has kernel {tuple(layer.kernel.shape)}")
        if layer.bias is None or tuple(layer.bias.shape) != tuple(bias.shape):
            raise ValueError(f"b{l} does not fit the bias of Dense layer {l} ({layer.name})")
        layer.kernel.assign(tf.cast(kernel, layer.kernel.dtype))
        layer.bias.assign(tf.cast(bias, layer.bias.dtype))


def dense_weights_to_parameters(model_or_layers) -> dict[str, np.ndarray]:
    """The Dense layers' weights as course parameters `{"W1": kernel.T, "b1": bias[:, None], ...}`."""
    parameters = {}
    for l, layer in enumerate(_dense_layers(model_or_layers), start=1):
        parameters[f"W{l}"] = kernel_to_W(layer.kernel).numpy()
        parameters[f"b{l}"] = bias_to_b(layer.bias).numpy()
    return parameters


def dense_grads_to_course(grads: Sequence, model) -> dict[str, np.ndarray]:
    """Gradients w.r.t. `model.trainable_variables` -> `{"dW1": dkernel1.T, "db1": dbias1[:, None], ...}`.

    Each gradient is matched to its Dense layer through the identity of its variable, so the order of
    `trainable_variables` is looked up, not assumed.
    """
    variables = list(model.trainable_variables)
    if len(grads) != len(variables):
        raise ValueError(f"expected one gradient per trainable variable ({len(variables)}), got {len(grads)}")
    position = {id(v): i for i, v in enumerate(variables)}
    out = {}
    for l, layer in enumerate(_dense_layers(model), start=1):
        out[f"dW{l}"] = kernel_to_W(grads[position[id(layer.kernel)]]).numpy()
        out[f"db{l}"] = bias_to_b(grads[position[id(layer.bias)]]).numpy()
    return out


def to_variables(parameters: Mapping, dtype=None) -> dict[str, tf.Variable]:
    """A course parameters dict of arrays `{"W1", "b1", ...}` -> the same keys as `tf.Variable`s, course layout.

    The one way the project turns course parameters into variables (the values are copied, the layout kept).
    `dtype` defaults to the dtype of each array (float32 parameters give float32 variables).
    """
    return {k: tf.Variable(tf.convert_to_tensor(v, dtype=dtype), name=k) for k, v in parameters.items()}


def to_parameters(variables: Mapping) -> dict[str, np.ndarray]:
    """The inverse of `to_variables`: `{"W1": tf.Variable, ...}` -> `{"W1": ndarray, ...}`."""
    return {k: np.asarray(v.numpy() if hasattr(v, "numpy") else v) for k, v in variables.items()}
