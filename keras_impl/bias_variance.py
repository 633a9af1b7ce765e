"""Bias and variance from a Keras `History` (concept B2).

Mirrors `numpy_impl.bias_variance`:
- `error_rate(Y_prediction, Y)` (TF ops), `diagnose(train_error, dev_error, bayes_error, tolerance)` (the same
  rule, the same dict): same names, arguments and returns;
- `keras_learning_curves(X, Y, X_dev, Y_dev, parameters, learning_rate, num_epochs)` mirrors
  `learning_curves(...)` and returns `(parameters, keras.callbacks.History)`: a compiled `GradientTape` step per
  epoch on a Keras model (Dense layers started from `parameters`, `BinaryCrossentropy(from_logits=True)`,
  `SGD`), Keras's `BinaryAccuracy(threshold=0)` on the logits (ŷ = 1 iff ZL > 0, i.e. σ(ZL) > 0.5), and a real
  `History` callback fed the logs `fit` would give it; `keras_fit_learning_curves` is `model.fit` itself (a slow
  test proves the two Histories equal);
- `diagnose_from_keras_history(history, bayes_error, tolerance, epoch)` mirrors `diagnose_from_history`,
  reading `history.history["accuracy"]` and `["val_accuracy"]`.

With one batch per epoch, fit's `loss` and `accuracy` for epoch e come from the forward pass of update e
(the weights *before* it) while `val_loss` and `val_accuracy` are measured after it: the training error of
epoch e and its dev error belong to weights one step apart (negligible late in training, not at the start).
"""

from __future__ import annotations

from collections.abc import Mapping

import keras
import tensorflow as tf

from keras_impl import convert
from keras_impl.early_stopping import build_model
from keras_impl.losses import keras_binary_crossentropy
from keras_impl.optimization import keras_sgd
from numpy_impl.validation import check_count, check_learning_rate, check_X_Y, check_Y

# Which NumPy function (numpy_impl.bias_variance, or numpy_impl.<module>.<name>) each function here mirrors;
# the docs site pairs its code columns from this, parity_tests/test_twins.py checks it. None: no NumPy twin.
MIRRORS = {
    "B2": {
        "error_rate": "error_rate",
        "diagnose": "diagnose",
        "keras_learning_curves": "learning_curves",
        "keras_fit_learning_curves": "learning_curves",
        "diagnose_from_keras_history": "diagnose_from_history",
    },
}
# The Keras-block versions and how they map onto the notes' formulas.
KERAS_BLOCKS = {
    "keras_fit_learning_curves": (
        "model.fit(batch_size=m, shuffle=False, validation_data=(X_dev, Y_dev)) with BinaryAccuracy: History's 1 - "
        "accuracy and 1 - val_accuracy per epoch are the notes' train and dev errors."
    ),
    "diagnose_from_keras_history": (
        "avoidable bias = train error - Bayes error and variance = dev error - train error, read from a Keras "
        "History at one epoch."
    ),
}

REMEDIES = {
    "bias": "bigger network, train longer",
    "variance": "more data, regularization",
}


def error_rate(Y_prediction, Y) -> float:
    """The fraction of examples whose 0/1 prediction differs from the label.  Y_prediction, Y (1, m) -> float."""
    shape = tuple(tf.convert_to_tensor(Y_prediction).shape)
    if len(shape) != 2:
        raise ValueError(f"Y_prediction must be 2-D (1, m), got shape {shape}")
    P = tf.constant(check_Y(Y_prediction, m=shape[1], n_y=1, binary=True, name="Y_prediction"))
    Y = tf.constant(check_Y(Y, m=shape[1], n_y=1, binary=True), P.dtype)
    return float(tf.reduce_mean(tf.cast(tf.not_equal(P, Y), tf.float64)))


def _check_error(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"{name} must be an error rate in [0, 1] (a fraction, not a percentage), got {value!r}")
    return float(value)


def diagnose(train_error: float, dev_error: float, bayes_error: float = 0.0, tolerance: float = 0.02) -> dict:
    """avoidable bias = train - Bayes, variance = dev - train, each "high" above `tolerance`; the same dict as
    `numpy_impl.bias_variance.diagnose`."""
    train_error, dev_error = _check_error(train_error, "train_error"), _check_error(dev_error, "dev_error")
    bayes_error, tolerance = _check_error(bayes_error, "bayes_error"), _check_error(tolerance, "tolerance")
    if train_error < bayes_error:
        raise ValueError(f"train_error {train_error} is below bayes_error {bayes_error}: the Bayes error is the "
                         "lowest error possible (lower bayes_error, or check the errors)")
    avoidable_bias, variance = train_error - bayes_error, dev_error - train_error
    high_bias, high_variance = avoidable_bias > tolerance, variance > tolerance
    names = [n for n, high in (("high bias", high_bias), ("high variance", high_variance)) if high]
    focus = None
    if names:
        focus = "bias" if (high_bias and (not high_variance or avoidable_bias >= variance)) else "variance"
    return {"avoidable_bias": avoidable_bias, "variance": variance, "high_bias": high_bias,
            "high_variance": high_variance, "diagnosis": " and ".join(names) or "low bias and low variance",
            "focus": focus, "remedy": REMEDIES[focus] if focus else "none needed"}


def _start(X, Y, X_dev, Y_dev, parameters, learning_rate, num_epochs):
    X, Y = check_X_Y(X, Y)
    X_dev, Y_dev = check_X_Y(X_dev, Y_dev)
    learning_rate = check_learning_rate(learning_rate)
    num_epochs = check_count(num_epochs, "num_epochs")
    L = convert.number_of_layers(parameters)
    model = build_model([X.shape[0]] + [int(parameters[f"W{l}"].shape[0]) for l in range(1, L + 1)])
    convert.set_dense_weights(model, parameters)
    floatx = keras.config.floatx()
    data = [tf.cast(convert.inputs_to_keras(X), floatx), tf.cast(convert.labels_to_keras(Y), floatx),
            tf.cast(convert.inputs_to_keras(X_dev), floatx), tf.cast(convert.labels_to_keras(Y_dev), floatx)]
    return model, data, learning_rate, num_epochs


def keras_learning_curves(X, Y, X_dev, Y_dev, parameters: Mapping, learning_rate, num_epochs: int):
    """What `fit(batch_size=m, shuffle=False, validation_data=...)` records, from a compiled tape step per epoch.

    Returns (parameters, history): a `keras.callbacks.History` whose `history` holds "loss", "accuracy",
    "val_loss", "val_accuracy" (one float per epoch), the accuracies from `keras.metrics.BinaryAccuracy`.
    """
    model, (x, y, x_dev, y_dev), learning_rate, num_epochs = _start(X, Y, X_dev, Y_dev, parameters, learning_rate,
                                                                    num_epochs)
    loss, optimizer = keras_binary_crossentropy(), keras_sgd(learning_rate)
    optimizer.build(model.trainable_variables)
    accuracy, val_accuracy = keras.metrics.BinaryAccuracy(threshold=0.0), keras.metrics.BinaryAccuracy(threshold=0.0)

    @tf.function
    def epoch_step():
        accuracy.reset_state()
        val_accuracy.reset_state()
        with tf.GradientTape() as tape:
            ZL = model(x, training=True)
            cost = loss(y, ZL)
        accuracy.update_state(y, ZL)
        optimizer.apply_gradients(zip(tape.gradient(cost, model.trainable_variables), model.trainable_variables,
                                      strict=True))
        ZL_dev = model(x_dev, training=False)
        val_accuracy.update_state(y_dev, ZL_dev)
        return cost, accuracy.result(), loss(y_dev, ZL_dev), val_accuracy.result()

    history = keras.callbacks.History()
    history.set_model(model)
    history.on_train_begin()
    for epoch in range(num_epochs):
        values = [float(v) for v in epoch_step()]
        if not all(abs(v) < float("inf") for v in values):
            raise FloatingPointError(f"the cost became non-finite at epoch {epoch}: try a smaller learning_rate")
        history.on_epoch_end(epoch, dict(zip(("loss", "accuracy", "val_loss", "val_accuracy"), values, strict=True)))
    return convert.dense_weights_to_parameters(model), history


def keras_fit_learning_curves(X, Y, X_dev, Y_dev, parameters: Mapping, learning_rate, num_epochs: int):
    """`model.fit(batch_size=m, epochs, shuffle=False, validation_data=(X_dev, Y_dev))` with
    `metrics=[BinaryAccuracy(threshold=0)]` -> (parameters, the History fit returns)."""
    model, (x, y, *dev), learning_rate, num_epochs = _start(X, Y, X_dev, Y_dev, parameters, learning_rate, num_epochs)
    model.compile(optimizer=keras_sgd(learning_rate), loss=keras_binary_crossentropy(),
                  metrics=[keras.metrics.BinaryAccuracy(threshold=0.0, name="accuracy")], jit_compile=False)
    history = model.fit(x, y, batch_size=int(x.shape[0]), epochs=num_epochs, shuffle=False,
                        validation_data=tuple(dev), verbose=0)
    return convert.dense_weights_to_parameters(model), history


def diagnose_from_keras_history(history, bayes_error: float = 0.0, tolerance: float = 0.02, epoch: int = -1) -> dict:
    """`diagnose(1 - accuracy[epoch], 1 - val_accuracy[epoch], ...)` from a Keras `History` (or its dict)."""
    logs = getattr(history, "history", history)
    if not isinstance(logs, Mapping) or "accuracy" not in logs or "val_accuracy" not in logs:
        raise KeyError("history must hold 'accuracy' and 'val_accuracy' (train and dev accuracy per epoch); "
                       f"it has {sorted(logs) if isinstance(logs, Mapping) else type(logs).__name__}")
    n = len(logs["accuracy"])
    if isinstance(epoch, bool) or not isinstance(epoch, int) or not -n <= epoch < n:
        raise ValueError(f"epoch must be an integer in [-{n}, {n - 1}], got {epoch!r}")
    return diagnose(1 - float(logs["accuracy"][epoch]), 1 - float(logs["val_accuracy"][epoch]), bayes_error,
                    tolerance)
