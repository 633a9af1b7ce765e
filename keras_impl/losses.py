"""Cost functions on the TF side (concept A3).

Part 1, tape: the notes' formulas written with TF ops in course layout (`(n_y, m)`, classes along axis 0),
gradients by `tf.GradientTape` (autodiff, no hand-written derivative).
Part 2, Keras: `keras.losses.*` applied in Keras layout `(m, n_y)` through `keras_impl.convert`, gradients by
tape as well. Keras losses are means where the notes sum, so a scale maps one to the other:

| notes (course layout)                          | Keras loss (Keras layout)                | J = Keras value × |
|------------------------------------------------|------------------------------------------|-------------------|
| J_1 = Σ abs(y - ŷ), J_2 = Σ (y - ŷ)²           | MeanAbsoluteError, MeanSquaredError      | n_y·m             |
| BCE J = -1/m Σ (Y log AL + (1-Y) log(1-AL))    | BinaryCrossentropy (mean over n_y and m) | n_y (1 in course) |
| CCE J = -1/m Σ Y log AL                        | CategoricalCrossentropy                  | 1                 |

Mirrors `numpy_impl.losses`: each function of part 1 has the NumPy name and arguments (a scalar tensor where
NumPy returns a scalar); `cost_and_grad_by_tape(name, ...)` and `keras_cost_and_grad(name, ...)` give
(J, its gradient) as NumPy's `name` and `name_backward` do. On concrete values every function first runs the
NumPy twin's checks (`numpy_impl.validation`): the same exception and message for the same bad input (labels
outside {0, 1}, AL outside [0, 1], shapes that differ or are transposed, NaN/inf, m = 0).

Keras's probability paths are not the textbook formulas at the edges (docs/traps.md, trap 3):
BinaryCrossentropy(from_logits=False) clips AL to [1e-7, 1-1e-7]; CategoricalCrossentropy also divides each
row by its sum first; and both silently switch to their logits path when AL is the output of
`keras.activations.sigmoid/softmax` (it carries its logits). Here predictions reach Keras as plain tensors.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import tensorflow as tf

from keras_impl import convert
from numpy_impl.validation import as_float_array, check_prediction_and_labels, check_yhat_y

# Which NumPy function (numpy_impl.losses, or numpy_impl.<module>.<name>) each function here mirrors;
# the docs site pairs its code columns from this, parity_tests/test_twins.py checks it. None: no NumPy twin.
MIRRORS = {
    "A3": {
        "L1": "L1",
        "L2": "L2",
        "binary_cross_entropy": "binary_cross_entropy",
        "binary_cross_entropy_from_logits": "binary_cross_entropy_from_logits",
        "categorical_cross_entropy": "categorical_cross_entropy",
        "categorical_cross_entropy_from_logits": "categorical_cross_entropy_from_logits",
        "cost_and_grad_by_tape": "binary_cross_entropy_backward",
        "keras_loss": "binary_cross_entropy",
        "keras_scale": None,
        "keras_cost_and_grad": "binary_cross_entropy_backward",
        "keras_binary_crossentropy": "binary_cross_entropy_from_logits",
    },
}
# The Keras-block versions and how they map onto the notes' formulas.
KERAS_BLOCKS = {
    "keras_loss": (
        "The keras.losses object for a notes' loss: MeanAbsoluteError / MeanSquaredError average over every element "
        "where J_1, J_2 sum; BinaryCrossentropy averages over the n_y outputs too; CategoricalCrossentropy sums "
        "over classes and averages over examples, as the notes' J."
    ),
    "keras_cost_and_grad": (
        "The Keras loss value times keras_scale (n_y·m for L1/L2, n_y for BCE, 1 for CCE) is the notes' J, and its "
        "gradient, moved to course layout, is the notes' dJ/dpred."
    ),
    "keras_binary_crossentropy": (
        "BinaryCrossentropy(from_logits=True): the mean over m of max(z, 0) - z·y + log(1 + e^(-|z|)), the notes' J "
        "computed from the logits; every Keras model of the project uses it."
    ),
}

# ---------------------------------------------------------------- part 1: TF ops and GradientTape


def _m(P: tf.Tensor) -> tf.Tensor:
    """The number of examples m (columns of P) in P's dtype."""
    return tf.cast(tf.shape(P)[1], P.dtype)


def _yhat_y(yhat, y) -> tuple[tf.Tensor, tf.Tensor]:
    """The NumPy twin's checks (same shape, finite) on concrete values; y in yhat's dtype."""
    if tf.executing_eagerly():  # concrete values: check them as NumPy does, before any op runs
        check_yhat_y(yhat, y)
    yhat = yhat if tf.is_tensor(yhat) else tf.constant(as_float_array(yhat, "yhat"))
    return yhat, tf.cast(y, yhat.dtype)


def L1(yhat, y) -> tf.Tensor:
    """J_1 = Σ|y - ŷ| over every element.  yhat, y: the same shape -> scalar tensor (NumPy: a float)."""
    yhat, y = _yhat_y(yhat, y)
    return tf.reduce_sum(tf.abs(y - yhat))


def L2(yhat, y) -> tf.Tensor:
    """J_2 = Σ(y - ŷ)² over every element.  yhat, y: the same shape -> scalar tensor (NumPy: a float)."""
    yhat, y = _yhat_y(yhat, y)
    return tf.reduce_sum(tf.square(y - yhat))


_CHECKS = {  # name -> (what the prediction is called, must be probabilities, labels one-hot), as in NumPy
    "binary_cross_entropy": ("AL", True, False),
    "binary_cross_entropy_from_logits": ("Z", False, False),
    "categorical_cross_entropy": ("AL", True, True),
    "categorical_cross_entropy_from_logits": ("Z", False, True),
}


def _checked(name: str, pred, Y) -> tuple[tf.Tensor, tf.Tensor]:
    """The NumPy twin's checks of the loss `name` on concrete values; pred as a tensor, Y in its dtype."""
    if tf.executing_eagerly():
        if name in _CHECKS:
            label, probabilities, one_hot = _CHECKS[name]
            check_prediction_and_labels(pred, Y, label, probabilities=probabilities, one_hot=one_hot)
        else:
            check_yhat_y(pred, Y)
    pred = pred if tf.is_tensor(pred) else tf.constant(as_float_array(pred, "prediction"))
    return pred, tf.cast(Y, pred.dtype)


def binary_cross_entropy(AL, Y) -> tf.Tensor:
    """J = -1/m Σ (Y log AL + (1-Y) log(1-AL)), textbook (inf/nan at AL = 0 or 1).  AL, Y (n_y, m) -> scalar."""
    AL, Y = _checked("binary_cross_entropy", AL, Y)
    return -tf.reduce_sum(Y * tf.math.log(AL) + (1 - Y) * tf.math.log(1 - AL)) / _m(AL)


def binary_cross_entropy_from_logits(Z, Y) -> tf.Tensor:
    """J = 1/m Σ [max(Z, 0) - Z·Y + log(1 + e^(-|Z|))].  Z, Y (n_y, m) -> scalar.

    max(Z, 0) and -|Z| are written with one `tf.where` on Z >= 0, not with relu and abs: the sum is smooth
    at z = 0 but each piece has a kink there, and autodiff takes 0 for relu'(0) and abs'(0), so the relu/abs
    version's tape gradient at z = 0 is -y/m instead of (σ(0) - y)/m = (0.5 - y)/m.
    """
    Z, Y = _checked("binary_cross_entropy_from_logits", Z, Y)
    positive = Z >= 0
    relu_Z = tf.where(positive, Z, tf.zeros_like(Z))
    minus_abs_Z = tf.where(positive, -Z, Z)
    return tf.reduce_sum(relu_Z - Z * Y + tf.math.log1p(tf.exp(minus_abs_Z))) / _m(Z)


def categorical_cross_entropy(AL, Y) -> tf.Tensor:
    """J = -1/m Σ Y log AL over classes (axis 0) and examples, textbook.  AL, Y (C, m) -> scalar."""
    AL, Y = _checked("categorical_cross_entropy", AL, Y)
    return -tf.reduce_sum(Y * tf.math.log(AL)) / _m(AL)


def categorical_cross_entropy_from_logits(Z, Y) -> tf.Tensor:
    """J = -1/m Σ Y·log softmax(Z), `tf.nn.log_softmax` over the classes (axis 0).  Z, Y (C, m) -> scalar."""
    Z, Y = _checked("categorical_cross_entropy_from_logits", Z, Y)
    return -tf.reduce_sum(Y * tf.nn.log_softmax(Z, axis=0)) / _m(Z)


TAPE_LOSSES: dict[str, Callable[[tf.Tensor, tf.Tensor], tf.Tensor]] = {
    "L1": L1,
    "L2": L2,
    "binary_cross_entropy": binary_cross_entropy,
    "binary_cross_entropy_from_logits": binary_cross_entropy_from_logits,
    "categorical_cross_entropy": categorical_cross_entropy,
    "categorical_cross_entropy_from_logits": categorical_cross_entropy_from_logits,
}


def _name(name: str) -> str:
    if name not in TAPE_LOSSES:
        raise ValueError(f"unknown loss {name!r}; expected one of {sorted(TAPE_LOSSES)}")
    return name


def cost_and_grad_by_tape(name: str, pred, Y) -> tuple[tf.Tensor, tf.Tensor]:
    """(J, dpred) for the loss `name` of part 1: pred is yhat, AL or Z in course layout, dpred = ∂J/∂pred."""
    loss = TAPE_LOSSES[_name(name)]
    pred, Y = _checked(name, pred, Y)
    with tf.GradientTape() as tape:
        tape.watch(pred)  # a constant tensor, not a Variable: the tape must be told to record it
        cost = loss(pred, Y)
    return cost, tape.gradient(cost, pred)


# ---------------------------------------------------------------- part 2: keras.losses


def keras_loss(name: str, dtype: str) -> keras.losses.Loss:
    """A new `keras.losses` object computing in `dtype` for the notes' loss `name` (default reduction)."""
    builders = {
        "L1": lambda: keras.losses.MeanAbsoluteError(dtype=dtype),
        "L2": lambda: keras.losses.MeanSquaredError(dtype=dtype),
        "binary_cross_entropy": lambda: keras.losses.BinaryCrossentropy(from_logits=False, dtype=dtype),
        "binary_cross_entropy_from_logits": lambda: keras.losses.BinaryCrossentropy(from_logits=True, dtype=dtype),
        "categorical_cross_entropy": lambda: keras.losses.CategoricalCrossentropy(from_logits=False, dtype=dtype),
        "categorical_cross_entropy_from_logits":
            lambda: keras.losses.CategoricalCrossentropy(from_logits=True, dtype=dtype),
    }
    return builders[_name(name)]()


def keras_scale(name: str, shape) -> int:
    """The notes' J = Keras value × keras_scale for course-layout labels of `shape` (n_y, m).

    MAE/MSE average over all n_y·m elements where J_1, J_2 sum; BinaryCrossentropy averages over n_y
    as well as over m where the notes' J only averages over m; CategoricalCrossentropy sums over the classes
    and averages over m, as the notes' J does.
    """
    n_y, m = shape
    return {"L1": n_y * m, "L2": n_y * m, "binary_cross_entropy": n_y,
            "binary_cross_entropy_from_logits": n_y}.get(_name(name), 1)


def keras_cost_and_grad(name: str, pred, Y) -> tuple[tf.Tensor, tf.Tensor]:
    """(J, dpred) from the Keras loss for `name`, in the notes' scale and course layout.

    pred (yhat, AL or Z) and Y are `(n_y, m)`; both go to Keras layout `(m, n_y)` through convert (AL has the
    labels' layout). The tape watches the course-layout pred, so dpred = ∂J/∂pred comes back in course layout.
    """
    pred, Y = _checked(_name(name), pred, Y)
    if pred.shape.rank != 2:
        raise ValueError(f"the prediction must be 2-D (n_y, m), got shape {pred.shape}")
    loss = keras_loss(name, pred.dtype.name)
    scale = tf.constant(keras_scale(name, pred.shape), dtype=pred.dtype)
    with tf.GradientTape() as tape:
        tape.watch(pred)
        cost = loss(convert.labels_to_keras(Y), convert.labels_to_keras(pred)) * scale
    return cost, tape.gradient(cost, pred)


def keras_binary_crossentropy() -> keras.losses.BinaryCrossentropy:
    """`BinaryCrossentropy(from_logits=True)` in Keras's current floatx: the project's one BCE factory.

    From logits on purpose (docs/traps.md, trap 3): `max(z, 0) - z·y + log(1 + e^-|z|)` per example, averaged
    over m, finite for every z. Its dtype is fixed at construction (trap 2): create it inside the precision
    it runs in.
    """
    return keras.losses.BinaryCrossentropy(from_logits=True, dtype=keras.config.floatx())
