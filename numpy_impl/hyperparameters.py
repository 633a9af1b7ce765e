"""Parameters vs hyper-parameters: the neutral record that both sides read (concept A10).

**Parameters** are what gradient descent *learns*: `W1, b1, ..., WL, bL` (`W[l] (n_l, n_{l-1})`,
`b[l] (n_l, 1)`), kept in the `parameters` dict and changed by every update `W := W - α dW`.
**Hyper-parameters** are what *we choose* before training and what control the parameters' values: the
learning rate α, the number of iterations, the number of layers L and of units per layer (`layer_dims`),
the activation of every layer, how the parameters are initialised (and the seed). The notes: "hyperparameters
determine the final values of W and b"; finding good ones is an empirical loop (try, look at the cost, retry).

`HyperParameters` holds only the choices, validated once, with no math: `numpy_impl.deep_network`
(`initialize_parameters_from_record`, `L_layer_model_from_record`) and `keras_impl.hyperparameters`
(`build_model`, `kernel_initializer`, `train_from_record`) read the same record, so one description of a model
drives both implementations. This module is data only, which is why `keras_impl` may import it.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Mapping, Sequence

HIDDEN_ACTIVATIONS = ("relu", "tanh", "sigmoid")
OUTPUT_ACTIVATIONS = ("sigmoid",)  # the cost is binary cross-entropy, so the output layer is a sigmoid unit
INITIALIZATIONS = {
    "small": "W[l] = randn(n_l, n_{l-1}) * 0.01 (the course's initialize_parameters_deep, seed 3)",
    "xavier": "W[l] = randn(n_l, n_{l-1}) / sqrt(n_{l-1}) (the course application's initialiser, seed 1)",
    "he": "W[l] = randn(n_l, n_{l-1}) * sqrt(2 / n_{l-1})",
}  # biases always start at zero


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return int(value)


@dataclasses.dataclass(frozen=True)
class HyperParameters:
    """The choices that describe an L-layer binary classifier and its training by gradient descent.

    layer_dims: `(n_x, n_1, ..., n_L)`, the input size then the units of each layer (L = len - 1 >= 1).
    activations: one name per layer, `g[1], ..., g[L]`; hidden layers from `HIDDEN_ACTIVATIONS`, the output
        layer `"sigmoid"`. Default: `("relu",) * (L-1) + ("sigmoid",)`, the course's
        [LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID.
    learning_rate: α > 0 of `W := W - α dW`.   num_iterations: full-batch gradient-descent steps.
    initialization: a key of `INITIALIZATIONS`.   seed: `np.random.seed(seed)` before drawing W1, W2, ...
    The defaults (α = 0.0075, 3000 iterations, "xavier", seed 1) are the course's `L_layer_model`.
    """

    layer_dims: tuple[int, ...]
    activations: tuple[str, ...] | None = None
    learning_rate: float = 0.0075
    num_iterations: int = 3000
    initialization: str = "xavier"
    seed: int = 1

    def __post_init__(self):
        if isinstance(self.layer_dims, (str, bytes)) or not isinstance(self.layer_dims, Sequence):
            raise TypeError(f"layer_dims must be a sequence of ints (n_x, n_1, ..., n_L), got {self.layer_dims!r}")
        dims = tuple(_positive_int(n, f"layer_dims[{i}]") for i, n in enumerate(self.layer_dims))
        if len(dims) < 2:
            raise ValueError(f"layer_dims must list n_x and at least one layer, got {dims}")
        L = len(dims) - 1
        activations = self.activations
        if activations is None:
            activations = ("relu",) * (L - 1) + ("sigmoid",)
        if isinstance(activations, str) or not isinstance(activations, Sequence):
            raise TypeError(f"activations must be a sequence of names, one per layer, got {activations!r}")
        activations = tuple(activations)
        if len(activations) != L:
            raise ValueError(f"activations must name one activation per layer: layer_dims {dims} has L = {L} "
                             f"layers, got {len(activations)} activations {activations}")
        for l, name in enumerate(activations[:-1], start=1):
            if name not in HIDDEN_ACTIVATIONS:
                raise ValueError(f"activation of hidden layer {l} must be one of {HIDDEN_ACTIVATIONS}, got {name!r}")
        if activations[-1] not in OUTPUT_ACTIVATIONS:
            raise ValueError(f"the output layer's activation must be one of {OUTPUT_ACTIVATIONS} (binary "
                             f"cross-entropy cost), got {activations[-1]!r}")
        if isinstance(self.learning_rate, bool) or not isinstance(self.learning_rate, numbers.Real):
            raise TypeError(f"learning_rate must be a real number, got {self.learning_rate!r}")
        if not (math.isfinite(self.learning_rate) and self.learning_rate > 0):
            raise ValueError(f"learning_rate must be finite and > 0, got {self.learning_rate}")
        if not isinstance(self.initialization, str) or self.initialization not in INITIALIZATIONS:
            raise ValueError(f"initialization must be one of {sorted(INITIALIZATIONS)}, got {self.initialization!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, numbers.Integral) or not 0 <= self.seed < 2**32:
            raise ValueError(f"seed must be an integer in [0, 2**32), got {self.seed!r}")
        object.__setattr__(self, "layer_dims", dims)
        object.__setattr__(self, "activations", activations)
        object.__setattr__(self, "learning_rate", float(self.learning_rate))
        object.__setattr__(self, "num_iterations", _positive_int(self.num_iterations, "num_iterations"))
        object.__setattr__(self, "seed", int(self.seed))

    @property
    def L(self) -> int:
        """The number of layers with parameters (the input layer is not counted)."""
        return len(self.layer_dims) - 1

    def parameter_shapes(self) -> dict[str, tuple[int, int]]:
        """The shapes of the *parameters* these hyper-parameters imply: `W[l] (n_l, n_{l-1})`, `b[l] (n_l, 1)`."""
        dims = self.layer_dims
        return {key: shape for l in range(1, len(dims))
                for key, shape in ((f"W{l}", (dims[l], dims[l - 1])), (f"b{l}", (dims[l], 1)))}

    def to_dict(self) -> dict:
        """A plain dict (lists, str, numbers) that `from_dict` turns back into an equal record."""
        out = dataclasses.asdict(self)
        out["layer_dims"], out["activations"] = list(self.layer_dims), list(self.activations)
        return out

    @classmethod
    def from_dict(cls, d: Mapping) -> HyperParameters:
        """The record described by `d`; unknown keys are an error (a typo must not be silently ignored)."""
        if not isinstance(d, Mapping):
            raise TypeError(f"from_dict expects a dict, got {type(d).__name__}")
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - fields)
        if unknown:
            raise KeyError(f"unknown hyper-parameter(s) {unknown}; known: {sorted(fields)}")
        if "layer_dims" not in d:
            raise KeyError("from_dict needs at least 'layer_dims'")
        return cls(**d)
