"""Hyper-parameter tuning by random search, coarse to fine (concept B16).

The notes: try random values, not a grid (in a grid each value of the important hyper-parameter, α, is tried
only as often as there are rows; at random every trial tries a new α); sample on the right *scale*:

- the learning rate on a log scale: r uniform on [log10 α_low, log10 α_high], α = 10^r (α in [1e-4, 1]: as many
  trials in [1e-4, 1e-3] as in [0.1, 1], where a uniform draw would put 90% of them above 0.1);
- a momentum-like β on a log scale of 1 - β: r uniform on [log10(1 - β_high), log10(1 - β_low)], β = 1 - 10^r
  (β in [0.9, 0.999]: the average's window 1/(1 - β) from 10 to 1000 spread evenly by decade; β near 1 is where a
  small change of β matters most);
- unit counts and layer counts uniformly among integers.
Then coarse to fine: look at the best trials, shrink the ranges around them (`refine`), sample again there.

Every trial is an A10 record (`numpy_impl.hyperparameters.HyperParameters`): the sampler draws records, and a
record drives a NumPy model here (`evaluate_records`) and a Keras model in keras_impl/hyperparameter_search.py,
so the same seeded search runs on both sides. The record has no β (its models train by plain gradient descent):
`sample_beta` is the notes' β scale, for a search over momentum-like parameters, and `SearchSpace` samples it
only when asked (`beta_range`), returning the β's beside the records.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np

from numpy_impl.deep_network import L_layer_model_from_record, initialize_parameters_from_record, predict
from numpy_impl.hyperparameters import HIDDEN_ACTIVATIONS, INITIALIZATIONS, HyperParameters
from numpy_impl.validation import check_count, check_learning_rate, check_X_Y


def sample_learning_rate(rng: np.random.RandomState, low=1e-4, high=1.0, size=None):
    """α = 10^r, r ~ U[log10 low, log10 high] (the notes' log scale).  -> a float, or an array of `size`."""
    check_learning_rate(low, "low")
    check_learning_rate(high, "high")
    if not low <= high:
        raise ValueError(f"the learning-rate range needs low <= high, got [{low}, {high}]")
    return 10.0 ** rng.uniform(math.log10(low), math.log10(high), size)


def sample_beta(rng: np.random.RandomState, low=0.9, high=0.999, size=None):
    """β = 1 - 10^r, r ~ U[log10(1 - high), log10(1 - low)] (log scale of 1 - β).  -> a float or an array."""
    if not (isinstance(low, float | int) and isinstance(high, float | int) and 0 <= low < high < 1):
        raise ValueError(f"the beta range needs 0 <= low < high < 1, got [{low!r}, {high!r}]")
    return 1.0 - 10.0 ** rng.uniform(math.log10(1 - high), math.log10(1 - low), size)


@dataclasses.dataclass(frozen=True)
class SearchSpace:
    """Where the search samples: ranges and choices for the record's fields.

    learning_rate_range (α_low, α_high): log scale.   hidden_units_range (n_low, n_high): integers, inclusive.
    hidden_layers_range (L_low, L_high): hidden layers, inclusive.   activations, initializations: choices.
    beta_range: (β_low, β_high) on the log scale of 1 - β, or None (no β sampled).
    n_x and the iterations come from the problem: `layer_dims = (n_x, n_1, ..., 1)`, `num_iterations`.
    """

    n_x: int
    num_iterations: int = 300
    learning_rate_range: tuple[float, float] = (1e-4, 1.0)
    hidden_units_range: tuple[int, int] = (2, 32)
    hidden_layers_range: tuple[int, int] = (1, 3)
    activations: tuple[str, ...] = ("relu", "tanh")
    initializations: tuple[str, ...] = ("he", "xavier")
    beta_range: tuple[float, float] | None = None

    def __post_init__(self):
        check_count(self.n_x, "n_x")
        check_count(self.num_iterations, "num_iterations")
        low, high = self.learning_rate_range
        check_learning_rate(low, "learning_rate_range[0]")
        check_learning_rate(high, "learning_rate_range[1]")
        if not low <= high:
            raise ValueError(f"learning_rate_range needs low <= high, got {self.learning_rate_range}")
        for name in ("hidden_units_range", "hidden_layers_range"):
            a, b = getattr(self, name)
            if not check_count(a, f"{name}[0]") <= check_count(b, f"{name}[1]"):
                raise ValueError(f"{name} needs low <= high, got {(a, b)}")
        bad = [g for g in self.activations if g not in HIDDEN_ACTIVATIONS] or not self.activations
        if bad:
            raise ValueError(f"activations must be a non-empty choice among {HIDDEN_ACTIVATIONS}, "
                             f"got {self.activations}")
        bad = [i for i in self.initializations if i not in INITIALIZATIONS] or not self.initializations
        if bad:
            raise ValueError(f"initializations must be a non-empty choice among {sorted(INITIALIZATIONS)}, got "
                             f"{self.initializations}")
        if self.beta_range is not None:
            sample_beta(np.random.RandomState(0), *self.beta_range)  # validates the range


def sample_records(space: SearchSpace, n_trials: int, seed: int = 0) -> list[HyperParameters]:
    """`n_trials` records drawn at random from `space` with `np.random.RandomState(seed)`.

    Per record, in this order: α (log scale), the number of hidden layers, each layer's units, one hidden
    activation for all hidden layers, the initialisation; the record's seed is `seed + trial` (each trial's
    own initial weights). The same `(space, n_trials, seed)` gives the same records on every machine.
    """
    n_trials = check_count(n_trials, "n_trials")
    rng = np.random.RandomState(seed)
    records = []
    for trial in range(n_trials):
        alpha = float(sample_learning_rate(rng, *space.learning_rate_range))
        L_hidden = int(rng.randint(space.hidden_layers_range[0], space.hidden_layers_range[1] + 1))
        units = tuple(int(n) for n in rng.randint(space.hidden_units_range[0], space.hidden_units_range[1] + 1,
                                                  L_hidden))
        g = space.activations[rng.randint(len(space.activations))]
        init = space.initializations[rng.randint(len(space.initializations))]
        records.append(HyperParameters(layer_dims=(space.n_x, *units, 1), activations=(g,) * L_hidden + ("sigmoid",),
                                       learning_rate=alpha, num_iterations=space.num_iterations,
                                       initialization=init, seed=seed + trial))
    return records


def sample_betas(space: SearchSpace, n_trials: int, seed: int = 0) -> np.ndarray:
    """The trials' β's, `(n_trials,)`, from their own stream (`RandomState(seed + 10**6)`); needs `beta_range`."""
    if space.beta_range is None:
        raise ValueError("this search space samples no beta: give it beta_range=(low, high)")
    return sample_beta(np.random.RandomState(seed + 10**6), *space.beta_range, size=check_count(n_trials, "n_trials"))


@dataclasses.dataclass(frozen=True)
class TrialResult:
    """One trial: the record, the cost of every iteration (num_iterations,), the final parameters and the
    training and dev accuracies (fractions in [0, 1])."""

    record: HyperParameters
    costs: np.ndarray
    parameters: dict
    train_accuracy: float
    dev_accuracy: float


def accuracy(X, Y, parameters, activations) -> float:
    """The fraction of examples with (AL > 0.5) = Y.  X (n_x, m), Y (1, m)."""
    return float(np.mean(predict(X, Y, parameters, activations) == Y))


def evaluate_records(records: Sequence[HyperParameters], X, Y, X_dev, Y_dev, dtype=np.float64) -> list[TrialResult]:
    """Train one NumPy model per record (full-batch gradient descent, `record.num_iterations` steps, the record's
    initialisation and seed) on X (n_x, m), Y (1, m); score it on the dev set X_dev, Y_dev.  -> one result each.

    `dtype`: the arithmetic (data and initial parameters are cast to it).
    """
    X, Y = check_X_Y(X, Y)
    X_dev, Y_dev = check_X_Y(X_dev, Y_dev)
    X, Y, X_dev, Y_dev = (a.astype(dtype) for a in (X, Y, X_dev, Y_dev))
    results = []
    for hp in records:
        start = {k: v.astype(dtype) for k, v in initialize_parameters_from_record(hp).items()}
        parameters, costs = L_layer_model_from_record(X, Y, hp, parameters=start, record_every=1)
        results.append(TrialResult(hp, np.array(costs, dtype=dtype), parameters,
                                   accuracy(X, Y, parameters, hp.activations),
                                   accuracy(X_dev, Y_dev, parameters, hp.activations)))
    return results


def best(results: Sequence[TrialResult]) -> TrialResult:
    """The trial with the highest dev accuracy (ties: the lower final cost, then the earlier trial)."""
    if not results:
        raise ValueError("no trial results to choose from")
    return min(results, key=lambda r: (-r.dev_accuracy, float(r.costs[-1])))


def refine(space: SearchSpace, results: Sequence[TrialResult], top_k: int = 3, widen: float = 2.0) -> SearchSpace:
    """Coarse to fine: the ranges spanned by the `top_k` best trials (by `best`'s order), α's range widened by a
    factor `widen` on each side (log scale) and kept inside the old one; units and layers spanned exactly;
    the choices kept to those the best trials used.  -> the finer SearchSpace.
    """
    top_k = check_count(top_k, "top_k")
    if not (isinstance(widen, float | int) and widen >= 1):
        raise ValueError(f"widen must be a number >= 1, got {widen!r}")
    ranked = sorted(results, key=lambda r: (-r.dev_accuracy, float(r.costs[-1])))[:top_k]
    if not ranked:
        raise ValueError("no trial results to refine around")
    alphas = [r.record.learning_rate for r in ranked]
    low = max(min(alphas) / widen, space.learning_rate_range[0])
    high = min(max(alphas) * widen, space.learning_rate_range[1])
    units = [n for r in ranked for n in r.record.layer_dims[1:-1]]
    layers = [r.record.L - 1 for r in ranked]
    return dataclasses.replace(
        space, learning_rate_range=(low, high), hidden_units_range=(min(units), max(units)),
        hidden_layers_range=(min(layers), max(layers)),
        activations=tuple(sorted({r.record.activations[0] for r in ranked})),
        initializations=tuple(sorted({r.record.initialization for r in ranked})))


def random_search(X, Y, X_dev, Y_dev, space: SearchSpace, n_coarse=12, n_fine=8, seed=0, top_k=3):
    """The notes' procedure: `n_coarse` random trials, `refine` around the `top_k` best, `n_fine` trials there.

    -> (chosen TrialResult, coarse results, fine space, fine results). The fine round samples with `seed + 1`.
    """
    coarse = evaluate_records(sample_records(space, n_coarse, seed), X, Y, X_dev, Y_dev)
    fine_space = refine(space, coarse, top_k)
    fine = evaluate_records(sample_records(fine_space, n_fine, seed + 1), X, Y, X_dev, Y_dev)
    return best([*coarse, *fine]), coarse, fine_space, fine
