"""One hyper-parameter record builds the Keras model, its optimizer and its training loop (concept A10).

The record (`numpy_impl.hyperparameters.HyperParameters`, data only) holds what we *choose*: `layer_dims`
(L and the units per layer), the activations, the learning rate α, the number of iterations, the
initialisation and its seed. What training *learns*, the parameters W, b, lives in the model's Dense
kernels and biases (`kernel = W.T`, `bias = b[:, 0]`, see `keras_impl.convert`). NumPy reads the same record
in `numpy_impl.deep_network.L_layer_model_from_record`.

| hyper-parameter | NumPy (`numpy_impl.deep_network`)          | Keras (here)                                        |
|-----------------|--------------------------------------------|-----------------------------------------------------|
| layer_dims      | `W[l] (n_l, n_{l-1})`, `b[l] (n_l, 1)`      | `Dense(n_l)` per layer, `Input((n_x,))`             |
| activations     | `g[l]` in `L_model_forward`                 | `Dense(activation=g[l])`; output sigmoid in the loss |
| learning_rate   | `W := W - α dW`                             | `optimization.keras_sgd(α)` (docs/traps.md, trap 1) |
| num_iterations  | full-batch loop                             | compiled full-batch loop (`tf.function`, `tf.range`) |
| initialization  | `randn(n_l, n_{l-1}) * scale`, seeded       | `RandomNormal` / untruncated `VarianceScaling`      |

The two random generators never draw the same numbers, so the parity suite copies the NumPy initial
parameters into the Keras model; the record's initialisation still sets the Keras model's own law.

This module is part 2 (Keras blocks) only: the tape version of the same network (part 1) is
`keras_impl.deep_network.gradient_descent`, which takes `hp.activations`, `hp.learning_rate` and
`hp.num_iterations` as arguments, as NumPy's does.

Which NumPy function each function mirrors: `kernel_initializer(hp, l)` draws layer l's kernel with the law of
`numpy_impl.deep_network.initialize_parameters_from_record` (the Keras initializers of
`keras_impl.initialization.DENSE_INITIALIZERS`, the project's one Keras definition of each law);
`build_model(hp)` is the network `initialize_parameters_from_record(hp)` sets up; `train_from_record` is
`L_layer_model_from_record`; `parameter_shapes(model)` is `HyperParameters.parameter_shapes()`.
"""

from __future__ import annotations

from collections.abc import Mapping

import keras
import numpy as np

from keras_impl import convert
from keras_impl.deep_network import build_model as build_dense_model
from keras_impl.deep_network import make_train_function
from keras_impl.initialization import DENSE_INITIALIZERS
from keras_impl.optimization import keras_sgd
from numpy_impl.hyperparameters import HyperParameters
from numpy_impl.validation import number_of_layers

# Which NumPy function (numpy_impl.hyperparameters, or numpy_impl.<module>.<name>) each function here mirrors;
# the docs site pairs its code columns from this, parity_tests/test_twins.py checks it. None: no NumPy twin.
MIRRORS = {
    "A10": {
        "kernel_initializer": "deep_network.initialize_parameters_from_record",
        "build_model": None,
        "train_from_record": "deep_network.L_layer_model_from_record",
        "parameter_shapes": None,
    },
}
# The Keras-block versions and how they map onto the notes' formulas.
KERAS_BLOCKS = {
    "kernel_initializer": (
        "The record's initialization law as a Keras initializer seeded hp.seed + l: the same law (std and tails) as "
        "NumPy's initialize_parameters_from_record, not the same draws."
    ),
    "train_from_record": (
        "The record's Sequential model trained with keras_sgd(hp.learning_rate) full batch: one fit step per course "
        "gradient-descent iteration of L_layer_model_from_record."
    ),
}


def kernel_initializer(hp: HyperParameters, l: int) -> keras.initializers.Initializer:
    """The Keras initializer of layer l's kernel with the law of `hp.initialization`, seeded `hp.seed + l`.

    "small": N(0, 0.01²); "xavier": N(0, 1/n_{l-1}); "he": N(0, 2/n_{l-1}), untruncated like the notes' randn
    (Keras's HeNormal/GlorotNormal are truncated normals, so they are not used: the A10 row
    "tail mass beyond 2σ" tells the two apart).
    """
    _check_record(hp)
    return DENSE_INITIALIZERS[hp.initialization](hp.seed + l)


def build_model(hp: HyperParameters) -> keras.Sequential:
    """The Sequential of Dense layers the record describes (hidden activations from `hp.activations`)."""
    _check_record(hp)
    initializers = [kernel_initializer(hp, l) for l in range(1, hp.L + 1)]
    return build_dense_model(hp.layer_dims, hp.activations, initializers)


def train_from_record(X, Y, hp: HyperParameters, parameters: Mapping | None = None):
    """Build the record's model and `keras_sgd(hp.learning_rate)`, optionally copy `parameters` in, train
    `hp.num_iterations` steps.

    X (n_x, m), Y (1, m) in course layout -> (model, costs (num_iterations,)), cost of each iteration before
    its update. The loop is compiled once (`make_train_function`); `parameters` (course layout) go in
    through `convert.set_dense_weights`.
    """
    model = build_model(hp)
    if parameters is not None:
        number_of_layers(parameters)  # the checks of L_layer_model_from_record, with its messages
        shapes = {k: np.shape(v) for k, v in parameters.items()}
        if shapes != hp.parameter_shapes():
            raise ValueError(f"parameters do not fit the record's layer_dims {hp.layer_dims}: expected shapes "
                             f"{hp.parameter_shapes()}, got {shapes}")
        convert.set_dense_weights(model, parameters)
    costs = make_train_function(model, keras_sgd(hp.learning_rate))(X, Y, hp.num_iterations)
    return model, costs


def parameter_shapes(model: keras.Model) -> dict[str, tuple[int, int]]:
    """The model's learned parameters in course layout and their shapes, to compare with `hp.parameter_shapes()`."""
    return {k: tuple(np.shape(v)) for k, v in convert.dense_weights_to_parameters(model).items()}


def _check_record(hp) -> None:
    if not isinstance(hp, HyperParameters):
        raise TypeError(f"hp must be a HyperParameters record, got {type(hp).__name__}")
