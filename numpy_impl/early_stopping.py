"""Early stopping (concept B6): watch the dev-set cost after every epoch, stop when it stops improving.

The notes: monitor the model's performance on the dev set during training and stop once it no longer
improves, keeping the parameters from the best epoch. This module makes "no longer improves" exact, in the
form `keras.callbacks.EarlyStopping` uses (Keras 3), so that both sides stop at the same epoch:

- epochs are counted from 0; the first monitored value (epoch `start_from_epoch`) is always an improvement;
- `current` improves on `best` iff `current - min_delta < best` (mode "min"; `current + min_delta > best` for
  "max"): strict, so a tie is *not* an improvement, and neither is a gain of `min_delta` or less;
- `wait` counts epochs since the last improvement and is incremented *before* the test; an improvement resets
  it to 0 only if the value also beats `baseline` (when one is given);
- training stops at the first epoch > 0 with `wait >= patience`;
- with `restore_best_weights` the parameters of the best epoch are returned at the end, also when training
  never stopped early;
- the comparison is done in `compare_dtype`: Keras compares the monitored values as float32 tensors whatever
  the model's precision (a float64 run included), so two values closer than float32 resolves are a tie there;
  pass `compare_dtype="float32"` to reproduce Keras, the default float64 is the exact comparison.

`early_stopping(monitored, ...)` applies the rule to a list of values; `EarlyStopping` is the same rule as an
object for a training loop; `model_with_early_stopping` is full-batch gradient descent on the deep network
of `numpy_impl.deep_network` with the dev cost monitored after each update.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence

import numpy as np

from numpy_impl import deep_network as nd
from numpy_impl.validation import check_count, check_learning_rate, check_X_Y, number_of_layers

MODES = ("min", "max")


def _check_rule(patience, min_delta, mode, baseline, start_from_epoch, compare_dtype):
    check_count(patience, "patience", minimum=0)
    check_count(start_from_epoch, "start_from_epoch", minimum=0)
    if isinstance(min_delta, bool) or not isinstance(min_delta, numbers.Real) or not math.isfinite(min_delta) \
            or min_delta < 0:
        raise ValueError(f"min_delta must be a finite number >= 0, got {min_delta!r}")
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if baseline is not None and (isinstance(baseline, bool) or not isinstance(baseline, numbers.Real)
                                 or not math.isfinite(baseline)):
        raise ValueError(f"baseline must be None or a finite number, got {baseline!r}")
    if compare_dtype not in ("float32", "float64"):
        raise ValueError(f"compare_dtype must be 'float32' or 'float64', got {compare_dtype!r}")


def check_monitored(monitored) -> list[float]:
    """The monitored values as a list of Python floats, after checking: 1-D, non-empty, finite."""
    arr = np.asarray(monitored)
    if arr.ndim != 1 or arr.size == 0 or not (np.issubdtype(arr.dtype, np.number) and arr.dtype != bool):
        raise ValueError("monitored must be a non-empty 1-D sequence of numbers (one per epoch), "
                         f"got {monitored!r:.60}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"monitored must be finite: epoch {int(np.flatnonzero(~np.isfinite(arr))[0])} holds "
                         f"{arr[~np.isfinite(arr)][0]}")
    return [float(v) for v in arr]


class EarlyStopping:
    """The stopping rule as a state machine: call `update(epoch, current, parameters)` after every epoch.

    Attributes after each update: `wait`, `best`, `best_epoch`, `best_parameters` (a copy, with
    `restore_best_weights`), `stopped_epoch` (None until it stops) and `stop` (True once it has stopped).
    """

    def __init__(self, patience: int = 0, min_delta: float = 0.0, mode: str = "min", baseline: float | None = None,
                 restore_best_weights: bool = False, start_from_epoch: int = 0, compare_dtype: str = "float64"):
        _check_rule(patience, min_delta, mode, baseline, start_from_epoch, compare_dtype)
        self.patience, self.mode, self.baseline = patience, mode, baseline
        self.restore_best_weights, self.start_from_epoch = restore_best_weights, start_from_epoch
        self.compare = np.dtype(compare_dtype).type
        self.signed_delta = -abs(min_delta) if mode == "min" else abs(min_delta)
        self.wait, self.best, self.best_epoch, self.best_parameters = 0, None, 0, None
        self.stopped_epoch, self.stop = None, False

    def is_improvement(self, current: float, reference: float | None) -> bool:
        """`current - min_delta < reference` (mode "min"), compared in `compare_dtype`; always True if no reference."""
        if reference is None:
            return True
        shifted, reference = self.compare(current - self.signed_delta), self.compare(reference)
        return bool(shifted < reference) if self.mode == "min" else bool(shifted > reference)

    def update(self, epoch: int, current: float, parameters: Mapping | None = None) -> bool:
        """Take the monitored value of `epoch` (and that epoch's parameters); return True if training must stop."""
        if epoch < self.start_from_epoch:
            return False
        if self.restore_best_weights and self.best_parameters is None:
            self.best_parameters, self.best_epoch = _copy(parameters), epoch
        self.wait += 1
        if self.is_improvement(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_parameters = _copy(parameters)
            if self.baseline is None or self.is_improvement(current, self.baseline):
                self.wait = 0
            return False
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch, self.stop = epoch, True
        return self.stop


def _copy(parameters: Mapping | None):
    return None if parameters is None else {k: np.array(v, copy=True) for k, v in parameters.items()}


def early_stopping(monitored: Sequence[float], patience: int = 0, min_delta: float = 0.0, mode: str = "min",
                   baseline: float | None = None, restore_best_weights: bool = False, start_from_epoch: int = 0,
                   compare_dtype: str = "float64") -> dict:
    """The rule over a whole history of monitored values (one per epoch, epoch 0 first).

    Returns `{"stopped_epoch": int or None, "best_epoch": int, "best": float or None, "epochs_run": int,
    "restored_epoch": int}`: `epochs_run` counts the epochs trained (stopped_epoch + 1 when it stopped),
    `restored_epoch` is the epoch whose parameters training ends with (best_epoch with `restore_best_weights`,
    else the last epoch run).
    """
    values = check_monitored(monitored)
    stopper = EarlyStopping(patience, min_delta, mode, baseline, restore_best_weights, start_from_epoch, compare_dtype)
    for epoch, current in enumerate(values):
        if stopper.update(epoch, current, {"epoch": np.array(epoch)}):
            break
    epochs_run = epoch + 1
    restored = int(stopper.best_parameters["epoch"]) if stopper.best_parameters is not None else epochs_run - 1
    return {"stopped_epoch": stopper.stopped_epoch, "best_epoch": stopper.best_epoch, "best": stopper.best,
            "epochs_run": epochs_run, "restored_epoch": restored}


def model_with_early_stopping(X, Y, X_dev, Y_dev, parameters: Mapping, learning_rate, num_epochs: int,
                              patience: int = 0, min_delta: float = 0.0, restore_best_weights: bool = True,
                              compare_dtype: str = "float64"):
    """Full-batch gradient descent on the deep network, monitoring the dev cost J_dev after every update.

    X (n_x, m), Y (1, m), X_dev (n_x, m_dev), Y_dev (1, m_dev), `parameters` {"W1", "b1", ...} (the start).
    Epoch e: AL, caches = L_model_forward(X); J = cost from the logits ZL (the training cost *before* the
    update, what Keras's `History["loss"]` holds for one batch per epoch); the update; J_dev at the updated
    parameters (`History["val_loss"]`); then the stopping rule on J_dev.
    Returns `(parameters, history {"loss": [...], "val_loss": [...]}, stopper)`; `parameters` are the best
    epoch's with `restore_best_weights`, else the last ones. Stops with an error at the first non-finite cost.
    """
    X, Y = check_X_Y(X, Y)
    X_dev, Y_dev = check_X_Y(X_dev, Y_dev)
    learning_rate = check_learning_rate(learning_rate)
    num_epochs = check_count(num_epochs, "num_epochs")
    number_of_layers(parameters)
    if np.shape(parameters["W1"])[1] != X.shape[0] or X_dev.shape[0] != X.shape[0]:
        raise ValueError(f"W1 has shape {np.shape(parameters['W1'])}: X and X_dev must both have n_x = "
                         f"{np.shape(parameters['W1'])[1]} rows, got {X.shape} and {X_dev.shape}")
    stopper = EarlyStopping(patience, min_delta, "min", None, restore_best_weights, 0, compare_dtype)
    history = {"loss": [], "val_loss": []}
    parameters = dict(parameters)
    for epoch in range(num_epochs):
        try:
            # a saturated AL (dAL = ±inf) or an overflow stops the run here
            with np.errstate(divide="raise", over="raise", invalid="raise"):
                AL, caches = nd.L_model_forward(X, parameters)
                cost = nd.compute_cost_from_logits(caches[-1][1], Y)
                parameters = nd.update_parameters(parameters, nd.L_model_backward(AL, Y, caches), learning_rate)
                _, dev_caches = nd.L_model_forward(X_dev, parameters)
                dev_cost = nd.compute_cost_from_logits(dev_caches[-1][1], Y_dev)
        except FloatingPointError as exc:
            raise FloatingPointError(f"the cost became non-finite at epoch {epoch} ({exc}): try a smaller "
                                     "learning_rate") from None
        if not (np.isfinite(cost) and np.isfinite(dev_cost)):
            raise FloatingPointError(f"the cost became non-finite at epoch {epoch}: try a smaller learning_rate")
        history["loss"].append(float(cost))
        history["val_loss"].append(float(dev_cost))
        if stopper.update(epoch, float(dev_cost), parameters):
            break
    if restore_best_weights and stopper.best_parameters is not None:
        parameters = stopper.best_parameters
    return parameters, history, stopper
