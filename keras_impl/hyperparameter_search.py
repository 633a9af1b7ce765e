"""Hyper-parameter tuning by random search (concept B16), the Keras side: the same records drive Keras models.

The sampler is the NumPy side's (`numpy_impl.hyperparameter_search.sample_records`, seeded, drawing A10 records
on the notes' scales); a record is data, so this module takes the records it is given and builds each one's
Keras model and optimizer through `keras_impl.hyperparameters` (`build_model`, `keras_sgd`, the compiled
full-batch loop of `train_from_record`). Mirrors `numpy_impl.hyperparameter_search.evaluate_records` as
`keras_evaluate_records` (another name: it takes the initial parameters, since Keras's random generator cannot
draw NumPy's, and it returns plain dicts) and `best` as `keras_best`.

This module is part 2 (Keras blocks) only: a search is a loop over models, and each model's tape version is
`keras_impl.deep_network.L_layer_model`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import tensorflow as tf

from keras_impl import convert
from keras_impl.deep_network import keras_predict
from keras_impl.hyperparameters import train_from_record
from numpy_impl.hyperparameters import HyperParameters
from numpy_impl.validation import check_X_Y

# Which NumPy function (numpy_impl.hyperparameter_search, or numpy_impl.<module>.<name>) each function here mirrors;
# the docs site pairs its code columns from this, parity_tests/test_twins.py checks it. None: no NumPy twin.
MIRRORS = {
    "B16": {
        "keras_evaluate_records": "evaluate_records",
        "keras_best": "best",
    },
}
# The Keras-block versions and how they map onto the notes' formulas.
KERAS_BLOCKS = {
    "keras_evaluate_records": (
        "One Keras model per sampled record through hyperparameters.train_from_record (the record's layers, "
        "activations, α and iterations): the same dev accuracies as NumPy's evaluate_records."
    ),
}


def _accuracy(model, X, Y) -> float:
    prediction = keras_predict(model, X).numpy()
    return float(np.mean(prediction == Y))


def keras_evaluate_records(records: Sequence[HyperParameters], X, Y, X_dev, Y_dev,
                           initial_parameters: Sequence[Mapping] | None = None) -> list[dict]:
    """Train one Keras model per record (`train_from_record`: the record's layers, activations, α, iterations),
    started from `initial_parameters[i]` (course layout; default: the model's own initializer with the record's
    law and seed), on X (n_x, m), Y (1, m); score it on X_dev, Y_dev.

    -> one dict per record: {"record", "costs" (num_iterations,), "parameters" (course layout), "train_accuracy",
    "dev_accuracy"}, in Keras's floatx.
    """
    X, Y = check_X_Y(X, Y)
    X_dev, Y_dev = check_X_Y(X_dev, Y_dev)
    if initial_parameters is not None and len(initial_parameters) != len(records):
        raise ValueError(f"initial_parameters must hold one start per record ({len(records)}), "
                         f"got {len(initial_parameters)}")
    results = []
    for i, hp in enumerate(records):
        start = None if initial_parameters is None else initial_parameters[i]
        model, costs = train_from_record(X, Y, hp, start)
        dtype = model.trainable_variables[0].dtype
        results.append({"record": hp, "costs": tf.convert_to_tensor(costs).numpy(),
                        "parameters": convert.dense_weights_to_parameters(model),
                        "train_accuracy": _accuracy(model, X.astype(dtype), Y),
                        "dev_accuracy": _accuracy(model, X_dev.astype(dtype), Y_dev)})
    return results


def keras_best(results: Sequence[dict]) -> dict:
    """The result with the highest dev accuracy (ties: the lower final cost, then the earlier trial)."""
    if not results:
        raise ValueError("no trial results to choose from")
    return min(results, key=lambda r: (-r["dev_accuracy"], float(r["costs"][-1])))
