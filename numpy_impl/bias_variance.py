"""Bias and variance (concept B2): what the training and dev errors say, and what to do about it.

The notes: high bias means under-fitting (the training error itself is high), high variance means over-fitting
(the training error is low but the dev error much higher); the Bayes error (the lowest error any classifier can
reach on this data, approximated by human-level error) is the floor. So, with errors as fractions:

    avoidable bias = train error - Bayes error,     variance = dev error - train error,

and the remedies: high bias -> a bigger network, train longer; high variance -> more data, regularization.
`diagnose` calls each "high" when it exceeds `tolerance` (2 percentage points by default) and names the
larger one as the one to work on first.

`learning_curves` trains the deep network of `numpy_impl.deep_network` full-batch and records, per epoch, what
Keras's `History` records for one batch per epoch: `loss` and `accuracy` from the forward pass of the update
(the parameters *before* it), `val_loss` and `val_accuracy` on the dev set after it.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping

import numpy as np

from numpy_impl import deep_network as nd
from numpy_impl.validation import check_count, check_learning_rate, check_X_Y, check_Y, number_of_layers

REMEDIES = {
    "bias": "bigger network, train longer",
    "variance": "more data, regularization",
}


def error_rate(Y_prediction, Y) -> float:
    """The fraction of examples whose 0/1 prediction differs from the label.  Y_prediction, Y (1, m) -> float."""
    Y_prediction = np.asarray(Y_prediction)
    if Y_prediction.ndim != 2:
        raise ValueError(f"Y_prediction must be 2-D (1, m), got shape {Y_prediction.shape}")
    P = check_Y(Y_prediction, m=Y_prediction.shape[1], n_y=1, binary=True, name="Y_prediction")
    Y = check_Y(Y, m=P.shape[1], n_y=1, binary=True)
    return float(np.mean(P != Y))


def _check_error(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) \
            or not 0 <= value <= 1:
        raise ValueError(f"{name} must be an error rate in [0, 1] (a fraction, not a percentage), got {value!r}")
    return float(value)


def diagnose(train_error: float, dev_error: float, bayes_error: float = 0.0, tolerance: float = 0.02) -> dict:
    """The notes' diagnosis from three error rates in [0, 1].

    Returns {"avoidable_bias": train - Bayes, "variance": dev - train, "high_bias": bool, "high_variance": bool,
    "diagnosis": "high bias" | "high variance" | "high bias and high variance" | "low bias and low variance",
    "focus": "bias" | "variance" | None (the larger of the two, if any is high), "remedy": str}.
    """
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


def learning_curves(X, Y, X_dev, Y_dev, parameters: Mapping, learning_rate, num_epochs: int):
    """Full-batch gradient descent, recording Keras's History quantities every epoch.

    X (n_x, m), Y (1, m), X_dev (n_x, m_dev), Y_dev (1, m_dev), parameters {"W1", "b1", ...} (the start).
    Epoch e: forward on X -> loss J (from the logits ZL) and accuracy (ŷ = 1 iff ZL > 0, i.e. AL > 0.5), the
    update, then val_loss and val_accuracy on the dev set. Returns (parameters, history) with history
    {"loss", "accuracy", "val_loss", "val_accuracy"}: lists of num_epochs floats.
    """
    X, Y = check_X_Y(X, Y)
    X_dev, Y_dev = check_X_Y(X_dev, Y_dev)
    learning_rate = check_learning_rate(learning_rate)
    num_epochs = check_count(num_epochs, "num_epochs")
    number_of_layers(parameters)
    history = {"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": []}
    parameters = dict(parameters)
    for epoch in range(num_epochs):
        with np.errstate(divide="raise", over="raise", invalid="raise"):
            try:
                AL, caches = nd.L_model_forward(X, parameters)
                ZL = caches[-1][1]
                history["loss"].append(float(nd.compute_cost_from_logits(ZL, Y)))
                history["accuracy"].append(float(np.mean((ZL > 0) == (Y == 1))))
                parameters = nd.update_parameters(parameters, nd.L_model_backward(AL, Y, caches), learning_rate)
                ZL_dev = nd.L_model_forward(X_dev, parameters)[1][-1][1]
            except FloatingPointError as exc:
                raise FloatingPointError(f"the cost became non-finite at epoch {epoch} ({exc}): try a smaller "
                                         "learning_rate") from None
        history["val_loss"].append(float(nd.compute_cost_from_logits(ZL_dev, Y_dev)))
        history["val_accuracy"].append(float(np.mean((ZL_dev > 0) == (Y_dev == 1))))
    return parameters, history


def diagnose_from_history(history: Mapping, bayes_error: float = 0.0, tolerance: float = 0.02,
                          epoch: int = -1) -> dict:
    """`diagnose(1 - accuracy[epoch], 1 - val_accuracy[epoch], ...)` from a history dict of `learning_curves`.

    Note the offset (Keras's too): accuracy[e] is measured before update e, val_accuracy[e] after it.
    """
    if not isinstance(history, Mapping) or "accuracy" not in history or "val_accuracy" not in history:
        raise KeyError("history must hold 'accuracy' and 'val_accuracy' (train and dev accuracy per epoch); "
                       f"it has {sorted(history) if isinstance(history, Mapping) else type(history).__name__}")
    n = len(history["accuracy"])
    if isinstance(epoch, bool) or not isinstance(epoch, numbers.Integral) or not -n <= epoch < n:
        raise ValueError(f"epoch must be an integer in [-{n}, {n - 1}], got {epoch!r}")
    return diagnose(1 - history["accuracy"][epoch], 1 - history["val_accuracy"][epoch], bayes_error, tolerance)
