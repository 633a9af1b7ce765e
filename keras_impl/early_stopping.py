"""Early stopping with Keras (concept B6): `keras.callbacks.EarlyStopping`, run as Keras runs it.

Mirrors `numpy_impl.early_stopping`:
- `keras_early_stopping(monitored, ...)` mirrors `early_stopping(monitored, ..., compare_dtype="float32")`: the
  real callback fed a scripted history, one `on_epoch_end` per value, on a one-weight model whose weight is set
  to the epoch number before each call, so the weight it restores names the epoch it restored. Same return dict.
- `keras_train_with_early_stopping(...)` and `keras_fit_with_early_stopping(...)` mirror
  `model_with_early_stopping(...)`: the first is a compiled `GradientTape` step per epoch that calls the
  callback's hooks as `fit` does; the second is `model.fit` with one full batch per epoch (`batch_size=m,
  shuffle=False`), `validation_data=(X_dev, Y_dev)` and the callback on `val_loss`. Same returns, the stopper
  being the callback.

Both train a Keras model: the rule is control flow around training, and the TF-side object that implements
it is the Keras callback, which needs a model to read and restore weights.

What the installed callback (Keras 3) does, read from `keras/src/callbacks/early_stopping.py` and proved by
the parity tests: improvement iff `current - min_delta < best` (strict, so a tie is no improvement); `wait`
is incremented before the test; stop at the first epoch > 0 with `wait >= patience`; an improvement resets
`wait` only if it also beats `baseline`; `restore_best_weights` restores the best epoch's weights at the end of
training even if it never stopped. The comparison goes through `keras.ops.less` on Python floats, which
become float32 tensors whatever floatx is: a float64 run cannot tell apart values closer than float32 does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import keras
import tensorflow as tf

from keras_impl import convert
from keras_impl.losses import keras_binary_crossentropy
from keras_impl.optimization import keras_sgd
from numpy_impl.validation import check_count, check_learning_rate, check_X_Y

# Which NumPy function (numpy_impl.early_stopping, or numpy_impl.<module>.<name>) each function here mirrors;
# the docs site pairs its code columns from this, parity_tests/test_twins.py checks it. None: no NumPy twin.
MIRRORS = {
    "B6": {
        "keras_early_stopping": "early_stopping",
        "build_model": None,
        "keras_train_with_early_stopping": "model_with_early_stopping",
        "keras_fit_with_early_stopping": "model_with_early_stopping",
    },
}
# The Keras-block versions and how they map onto the notes' formulas.
KERAS_BLOCKS = {
    "keras_early_stopping": (
        "keras.callbacks.EarlyStopping(monitor, patience, min_delta, mode, baseline, restore_best_weights, "
        "start_from_epoch) over a scripted history: the notes' rule (stop when the dev cost has not improved for "
        "`patience` epochs), with Keras's comparison made in float32."
    ),
    "keras_fit_with_early_stopping": (
        "model.fit(batch_size=m, shuffle=False, validation_data=(X_dev, Y_dev), callbacks=[EarlyStopping(...)]): "
        "full-batch training stopped by the dev cost."
    ),
}

MODES = ("min", "max")


def _check_monitored(monitored) -> list[float]:
    # Python lists as float64 (a float32 tensor would round the values before Keras sees them)
    values = tf.convert_to_tensor(monitored, dtype_hint=tf.float64) if not isinstance(monitored, tf.Tensor) \
        else monitored
    if values.shape.rank != 1 or values.shape[0] == 0 or not (values.dtype.is_floating or values.dtype.is_integer):
        raise ValueError("monitored must be a non-empty 1-D sequence of numbers (one per epoch), "
                         f"got {monitored!r:.60}")
    values = [float(v) for v in values.numpy()]
    bad = [e for e, v in enumerate(values) if v != v or v in (float("inf"), float("-inf"))]
    if bad:
        raise ValueError(f"monitored must be finite: epoch {bad[0]} holds {values[bad[0]]}")
    return values


def _check_rule(patience, min_delta, mode, baseline, start_from_epoch):
    check_count(patience, "patience", minimum=0)
    check_count(start_from_epoch, "start_from_epoch", minimum=0)
    finite = isinstance(min_delta, (int, float)) and not isinstance(min_delta, bool) and abs(min_delta) < float("inf")
    if not finite or min_delta < 0:
        raise ValueError(f"min_delta must be a finite number >= 0, got {min_delta!r}")
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if baseline is not None and (isinstance(baseline, bool) or not isinstance(baseline, (int, float))
                                 or not abs(baseline) < float("inf")):
        raise ValueError(f"baseline must be None or a finite number, got {baseline!r}")


def keras_early_stopping(monitored: Sequence[float], patience: int = 0, min_delta: float = 0.0, mode: str = "min",
                         baseline: float | None = None, restore_best_weights: bool = False,
                         start_from_epoch: int = 0) -> dict:
    """The Keras callback over a scripted history; `{"stopped_epoch", "best_epoch", "best", "epochs_run",
    "restored_epoch"}` as in `numpy_impl.early_stopping.early_stopping` (stopped_epoch None if it never stopped).
    """
    values = _check_monitored(monitored)
    _check_rule(patience, min_delta, mode, baseline, start_from_epoch)
    floatx = keras.config.floatx()
    model = keras.Sequential([keras.Input((1,), dtype=floatx), keras.layers.Dense(1, use_bias=False)])
    model.stop_training = False
    callback = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, min_delta=min_delta, mode=mode,
                                             baseline=baseline, restore_best_weights=restore_best_weights,
                                             start_from_epoch=start_from_epoch)
    callback.set_model(model)
    callback.on_train_begin()
    for epoch, current in enumerate(values):
        model.layers[0].kernel.assign([[float(epoch)]])
        callback.on_epoch_end(epoch, {"val_loss": current})
        if model.stop_training:
            break
    callback.on_train_end()
    stopped = epoch if model.stop_training else None  # Keras's own stopped_epoch is 0 when it did not stop
    return {"stopped_epoch": stopped, "best_epoch": int(callback.best_epoch),
            "best": None if callback.best is None else float(callback.best), "epochs_run": epoch + 1,
            "restored_epoch": int(round(float(model.layers[0].kernel.numpy()[0, 0])))}


def build_model(layer_dims: Sequence[int]) -> keras.Sequential:
    """`Sequential([Input((n_x,), dtype=floatx), Dense(n_1, relu), ..., Dense(n_L)])`, the last layer linear (logits).

    The input's dtype is set explicitly to floatx (`keras.Input` takes the floatx current when it is created;
    measured in Keras 3.15: float64 inside a float64 precision block, float32 outside, rounding float64 data).
    """
    dims = list(layer_dims)
    layers = [keras.Input((dims[0],), dtype=keras.config.floatx())]
    for l in range(1, len(dims)):
        layers.append(keras.layers.Dense(dims[l], activation="relu" if l < len(dims) - 1 else None, name=f"layer{l}"))
    return keras.Sequential(layers)


def _start(X, Y, X_dev, Y_dev, parameters, learning_rate, num_epochs):
    X, Y = check_X_Y(X, Y)
    X_dev, Y_dev = check_X_Y(X_dev, Y_dev)
    learning_rate = check_learning_rate(learning_rate)
    num_epochs = check_count(num_epochs, "num_epochs")
    L = convert.number_of_layers(parameters)
    if parameters["W1"].shape[1] != X.shape[0] or X_dev.shape[0] != X.shape[0]:
        raise ValueError(f"W1 has shape {tuple(parameters['W1'].shape)}: X and X_dev must both have n_x = "
                         f"{parameters['W1'].shape[1]} rows, got {X.shape} and {X_dev.shape}")
    model = build_model([X.shape[0]] + [int(parameters[f"W{l}"].shape[0]) for l in range(1, L + 1)])
    convert.set_dense_weights(model, parameters)
    floatx = keras.config.floatx()
    data = [tf.cast(convert.inputs_to_keras(X), floatx), tf.cast(convert.labels_to_keras(Y), floatx),
            tf.cast(convert.inputs_to_keras(X_dev), floatx), tf.cast(convert.labels_to_keras(Y_dev), floatx)]
    return model, data, learning_rate, num_epochs


def _check_history(history: dict) -> None:
    bad = [e for e, (J, J_dev) in enumerate(zip(history["loss"], history["val_loss"], strict=True))
           if not (abs(J) < float("inf") and abs(J_dev) < float("inf"))]
    if bad:
        raise FloatingPointError(f"the cost became non-finite at epoch {bad[0]}: try a smaller learning_rate")


def keras_train_with_early_stopping(X, Y, X_dev, Y_dev, parameters: Mapping, learning_rate, num_epochs: int,
                                    patience: int = 0, min_delta: float = 0.0, restore_best_weights: bool = True):
    """What `model.fit` does around the callback, written out: one compiled full-batch step per epoch.

    Epoch e: J on (X, Y) and its gradients by tape, `SGD.apply_gradients`; J_dev at the updated weights; then
    `callback.on_epoch_end(e, {"loss": J, "val_loss": J_dev})` and a stop if it set `model.stop_training`;
    `on_train_end` restores the best weights. The same numbers as `keras_fit_with_early_stopping` (a slow test
    proves it) without fit's per-epoch overhead (~80 ms an epoch on two busy cores, measured).
    Same arguments and returns as `numpy_impl.early_stopping.model_with_early_stopping`.
    """
    model, (x, y, x_dev, y_dev), learning_rate, num_epochs = _start(X, Y, X_dev, Y_dev, parameters, learning_rate,
                                                                    num_epochs)
    loss, optimizer = keras_binary_crossentropy(), keras_sgd(learning_rate)
    optimizer.build(model.trainable_variables)

    @tf.function
    def epoch_step():
        with tf.GradientTape() as tape:
            cost = loss(y, model(x, training=True))
        optimizer.apply_gradients(zip(tape.gradient(cost, model.trainable_variables), model.trainable_variables,
                                      strict=True))
        return cost, loss(y_dev, model(x_dev, training=False))

    callback = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, min_delta=min_delta,
                                             restore_best_weights=restore_best_weights)
    callback.set_model(model)
    model.stop_training = False
    callback.on_train_begin()
    history = {"loss": [], "val_loss": []}
    for epoch in range(num_epochs):
        cost, dev_cost = epoch_step()
        history["loss"].append(float(cost))
        history["val_loss"].append(float(dev_cost))
        _check_history(history)
        callback.on_epoch_end(epoch, {"loss": history["loss"][-1], "val_loss": history["val_loss"][-1]})
        if model.stop_training:
            break
    callback.on_train_end()
    return convert.dense_weights_to_parameters(model), history, callback


def keras_fit_with_early_stopping(X, Y, X_dev, Y_dev, parameters: Mapping, learning_rate, num_epochs: int,
                                  patience: int = 0, min_delta: float = 0.0, restore_best_weights: bool = True):
    """`model.fit(batch_size=m, shuffle=False, validation_data=(X_dev, Y_dev), callbacks=[EarlyStopping])`.

    X (n_x, m), Y (1, m), X_dev, Y_dev in course layout (moved through convert); the model is the deep network
    [LINEAR -> RELU] x (L-1) -> LINEAR with `BinaryCrossentropy(from_logits=True)` and `SGD(α)`, started from
    `parameters`. Returns `(parameters, history {"loss": [...], "val_loss": [...]}, callback)`.
    """
    model, (x, y, *dev), learning_rate, num_epochs = _start(X, Y, X_dev, Y_dev, parameters, learning_rate, num_epochs)
    model.compile(optimizer=keras_sgd(learning_rate), loss=keras_binary_crossentropy(), jit_compile=False)
    callback = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, min_delta=min_delta,
                                             restore_best_weights=restore_best_weights)
    fit = model.fit(x, y, batch_size=X.shape[1], epochs=num_epochs, shuffle=False, validation_data=tuple(dev),
                    callbacks=[callback, keras.callbacks.TerminateOnNaN()], verbose=0)
    history = {"loss": [float(v) for v in fit.history["loss"]], "val_loss": [float(v) for v in fit.history["val_loss"]]}
    _check_history(history)
    return convert.dense_weights_to_parameters(model), history, callback
