"""Multi-replica (data-parallel) training with `tf.distribute` (concept X1).

Which NumPy function (numpy_impl/multi_replica.py) each function here mirrors:

- `split_batch(strategy, x, y)` mirrors `split_batch`: the global batch as one contiguous shard per replica
  (here a distributed value, one shard on each device).
- `replica_step(...)`, run by `strategy.run` on every replica, mirrors `replica_cost_and_grads`; the
  optimizer's all-reduce (SUM) of the gradients mirrors `all_reduce_sum`.
- `make_step(...)` (`strategy.run(replica_step)`, then a SUM reduce) and `deep_steps(strategy, ...)` mirror
  `sharded_cost_and_grads`; `l2_penalty` mirrors `regularization.l2_regularization_cost`; `bn_step(strategy, ...)`
  mirrors the full-batch batch-norm step of `numpy_impl.batch_normalization` (`bn_model_backward`'s gradients).
- `deep_steps` and `bn_step` take one SGD step under any strategy and return the reduced cost, the applied
  gradient and the parameters after the step; with the default strategy (`tf.distribute.get_strategy()`, one
  device) the same code is the single-device full-batch step.
- `configure_logical_cpus`, `mirrored_strategy`, `build_dense_model` and the subprocess entry (`run_request`,
  `main`) have no NumPy twin.

The per-replica loss is `tf.nn.compute_average_loss(per_example_loss, global_batch_size=G)` (Σ over the shard
/ G, not the shard's mean) plus `tf.nn.scale_regularization_loss(λ/(2m) Σ ‖kernel‖²)` (the penalty / R);
`optimizer.apply_gradients` inside `strategy.run` sums the replicas' gradients before the update. Batch norm
uses `BatchNormalization(synchronized=True)`: μ and σ² of the global batch, all-reduced (Keras computes them
as E[z²] - E[z]², not as E[(z - μ)²]).

`MirroredStrategy` over two logical CPU devices needs `tf.config.set_logical_device_configuration` before
TensorFlow runs any op, so `python -m keras_impl.multi_replica` does the multi-replica part in a fresh
process: it reads the inputs as JSON on stdin and writes the results as JSON on stdout (no pickle, no files).
The same functions run across machines under `tf.distribute.MultiWorkerMirroredStrategy()` with `TF_CONFIG`
set on every worker (docs/multi_replica.md).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence

import keras
import numpy as np
import tensorflow as tf

from keras_impl import batch_normalization as kb
from keras_impl import convert
from keras_impl.optimization import keras_sgd
from numpy_impl.validation import check_count, check_lambd

# Which NumPy function (numpy_impl.multi_replica, or numpy_impl.<module>.<name>) each function here mirrors;
# the docs site pairs its code columns from this, parity_tests/test_twins.py checks it. None: no NumPy twin.
MIRRORS = {
    "X1": {
        "configure_logical_cpus": None,
        "mirrored_strategy": None,
        "split_batch": "split_batch",
        "l2_penalty": "regularization.l2_regularization_cost",
        "replica_step": "replica_cost_and_grads",
        "make_step": "sharded_cost_and_grads",
        "build_dense_model": None,
        "deep_steps": "sharded_cost_and_grads",
        "bn_step": "batch_normalization.bn_model_backward",
        "run_request": None,
        "main": None,
    },
}
# The Keras-block versions and how they map onto the notes' formulas.
KERAS_BLOCKS = {
    "make_step": (
        "strategy.run(replica_step) on every replica, then strategy.reduce(SUM): each replica's loss is "
        "compute_average_loss over the global batch G, so the sum over replicas is the full-batch J and its "
        "gradient, as NumPy's all-reduce sum of the shards' parts."
    ),
    "deep_steps": (
        "An SGD step of the deep network under MirroredStrategy over two logical CPUs: the same parameters after it "
        "as one full-batch step (the replicas' gradients summed by the all-reduce)."
    ),
    "bn_step": (
        "BatchNormalization(synchronized=True) under the strategy: μ and σ² of the global batch, all-reduced over "
        "the replicas, so one keras_sgd step is the full-batch batch-norm step (and its moving averages)."
    ),
}

NUM_REPLICAS = 2


def configure_logical_cpus(num_replicas: int = NUM_REPLICAS) -> list:
    """Split the physical CPU into `num_replicas` logical devices; must run before TensorFlow runs any op."""
    cpus = tf.config.list_physical_devices("CPU")
    tf.config.set_logical_device_configuration(cpus[0], [tf.config.LogicalDeviceConfiguration()] * num_replicas)
    return tf.config.list_logical_devices("CPU")


def mirrored_strategy(num_replicas: int = NUM_REPLICAS) -> tf.distribute.MirroredStrategy:
    """`MirroredStrategy` over the logical CPUs `/cpu:0 ... /cpu:{R-1}` (see `configure_logical_cpus`)."""
    return tf.distribute.MirroredStrategy([f"/cpu:{i}" for i in range(check_count(num_replicas, "num_replicas"))])


def split_batch(strategy, x, y):
    """The global batch `x (G, n_x)`, `y (G, n_y)` (Keras layout) as one contiguous shard per replica.

    G must be a multiple of the number of replicas R (shard r holds examples r·G/R ... (r+1)·G/R - 1).
    """
    R = strategy.num_replicas_in_sync
    if x.shape[0] % R:
        raise ValueError(f"the global batch size G = {x.shape[0]} must be a multiple of the {R} replicas")

    def shard(context):
        r = context.replica_id_in_sync_group
        return tf.split(x, R)[r], tf.split(y, R)[r]

    return strategy.experimental_distribute_values_from_function(shard)


def l2_penalty(model, lambd, m) -> tf.Tensor:
    """λ/(2m) Σ_l ‖kernel_l‖² (biases not penalised); λ a tensor of floatx, so λ/(2m) is formed in floatx."""
    kernels = [layer.kernel for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    return lambd / tf.constant(2 * m, kernels[0].dtype) * tf.add_n([tf.reduce_sum(tf.square(k)) for k in kernels])


def replica_step(model, optimizer, x_r, y_r, G: int, lambd=0.0, m=None):
    """One replica's part of the step: J_r = compute_average_loss(per-example BCE, G) + scaled L2, its tape
    gradient, `apply_gradients` (which all-reduces). Returns (J_r, the replica's own gradients)."""
    with tf.GradientTape() as tape:
        logits = model(x_r, training=True)
        per_example = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y_r, logits=logits), axis=-1)
        cost = tf.nn.compute_average_loss(per_example, global_batch_size=G)
        if lambd is not None:
            cost += tf.nn.scale_regularization_loss(l2_penalty(model, lambd, m or G))
    grads = tape.gradient(cost, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
    return cost, grads


def make_step(strategy, model, optimizer, G: int, l2: bool, m=None):
    """A step `step(shards, lambd) -> (Σ_r J_r, Σ_r grads_r)` running `replica_step` on every replica
    (`l2=False`: no penalty term at all, as for the batch-norm network).

    The step runs eagerly: X1 takes one step per network, and tracing `strategy.run` into a `tf.function` costs
    about 1.5 s per network, several times the eager step. For a training loop, wrap it in `tf.function`.
    """

    def step(batch, lambd):
        cost, grads = strategy.run(
            lambda b: replica_step(model, optimizer, b[0], b[1], G, lambd if l2 else None, m), args=(batch,))
        total = strategy.reduce(tf.distribute.ReduceOp.SUM, cost, axis=None)
        return total, [strategy.reduce(tf.distribute.ReduceOp.SUM, g, axis=None) for g in grads]

    return step


def _keras_batch(model, X, Y):
    dtype = model.trainable_variables[0].dtype
    return tf.cast(convert.inputs_to_keras(X), dtype), tf.cast(convert.labels_to_keras(Y), dtype)


def build_dense_model(layer_dims: Sequence[int]) -> keras.Sequential:
    """`Input((n_x,))`, `Dense(n_l, relu)` per hidden layer, `Dense(n_L)` logits (the deep network's layers)."""
    dims = list(layer_dims)
    layers = [keras.Input((dims[0],), dtype=keras.config.floatx())]
    layers += [keras.layers.Dense(n, activation="relu") for n in dims[1:-1]] + [keras.layers.Dense(dims[-1])]
    return keras.Sequential(layers)


def deep_steps(strategy, X, Y, parameters: Mapping, learning_rate, lambdas: Sequence, m=None) -> list[dict]:
    """One SGD step of the deep network from `parameters` on the global batch X (n_x, G), Y (1, G) under
    `strategy`, once for every λ in `lambdas` (0: no penalty); one model and one step function serve all.

    Returns per λ {"cost": Σ_r J_r, "grads": the summed gradients {"dW1", "db1", ...}, "parameters": after}.
    """
    for lambd in lambdas:
        check_lambd(lambd)
    L = convert.number_of_layers(parameters)
    dims = [np.shape(parameters["W1"])[1]] + [np.shape(parameters[f"W{l}"])[0] for l in range(1, L + 1)]
    with strategy.scope():
        model = build_dense_model(dims)
        optimizer = keras_sgd(learning_rate)
        optimizer.build(model.trainable_variables)
    x, y = _keras_batch(model, X, Y)
    step = make_step(strategy, model, optimizer, int(x.shape[0]), l2=True, m=m)
    shards = split_batch(strategy, x, y)
    results = []
    for lambd in lambdas:
        convert.set_dense_weights(model, parameters)
        cost, grads = step(shards, tf.constant(lambd, model.trainable_variables[0].dtype))
        results.append({"cost": cost.numpy(), "grads": convert.dense_grads_to_course(grads, model),
                        "parameters": convert.dense_weights_to_parameters(model)})
    return results


def bn_step(strategy, X, Y, parameters: Mapping, learning_rate, momentum, epsilon, synchronized: bool = True) -> dict:
    """One SGD step of the batch-norm network (keras_impl.batch_normalization) under `strategy`.

    Returns {"cost", "grads" {"dW1", "dgamma1", ...}, "parameters", "moving" {"mu1", "var1", ...}} after the step.
    `synchronized=False` would normalize each replica's shard with its own μ, σ² (not the full-batch network).
    """
    L = sum(1 for k in parameters if k.startswith("W"))
    dims = [np.shape(parameters["W1"])[1]] + [np.shape(parameters[f"W{l}"])[0] for l in range(1, L + 1)]
    with strategy.scope():
        model = kb.build_bn_model(dims, momentum, epsilon, synchronized=synchronized)
        kb.set_bn_weights(model, parameters)
        optimizer = keras_sgd(learning_rate)
        optimizer.build(model.trainable_variables)
    x, y = _keras_batch(model, X, Y)
    step = make_step(strategy, model, optimizer, int(x.shape[0]), l2=False)
    cost, grads = step(split_batch(strategy, x, y), tf.constant(0, x.dtype))
    return {"cost": cost.numpy(), "grads": kb.course_grads(model, grads),
            "parameters": kb.bn_weights_to_parameters(model), "moving": kb.moving_statistics(model)}


# ---------------------------------------------------------------- the subprocess: JSON in, JSON out


def _arrays(d: Mapping, dtype) -> dict[str, np.ndarray]:
    return {k: np.asarray(v, dtype=dtype) for k, v in d.items()}


def _lists(result: Mapping) -> dict:
    out = {}
    for k, v in result.items():
        if isinstance(v, Mapping):
            out[k] = _lists(v)
        else:
            out[k] = v if isinstance(v, str | int) else np.asarray(v, dtype=np.float64).tolist()
    return out


def run_request(strategy, request: Mapping, dtype: str) -> dict:
    """Every X1 quantity under `strategy` in `dtype`, from a request of plain lists (see `main`)."""
    X, Y = np.asarray(request["X"], dtype), np.asarray(request["Y"], dtype)
    deep, bn = _arrays(request["deep_parameters"], dtype), _arrays(request["bn_parameters"], dtype)
    lr = request["learning_rate"]
    plain, l2 = deep_steps(strategy, X, Y, deep, lr, [0.0, request["lambd"]], request["m"])
    answer = {"deep": plain, "l2": l2,
              "bn": bn_step(strategy, X, Y, bn, lr, request["momentum"], request["epsilon"], synchronized=True),
              "replicas": strategy.num_replicas_in_sync, "dtype": plain["grads"]["dW1"].dtype.name}
    if dtype in request.get("unsynchronized", ()):  # what synchronized=True prevents: each shard on its own
        answer["bn_unsynchronized"] = bn_step(strategy, X, Y, bn, lr, request["momentum"], request["epsilon"],
                                              synchronized=False)
    return answer


def main() -> int:
    """`python -m keras_impl.multi_replica < request.json`: the X1 quantities under a 2-replica MirroredStrategy.

    The request: {"dtypes", "X", "Y", "deep_parameters", "bn_parameters", "learning_rate", "lambd", "m",
    "epsilon", "momentum", optionally "unsynchronized": [dtypes]} (lists); the answer on stdout: {dtype: {"deep",
    "l2", "bn", "replicas", "dtype", "devices", and "bn_unsynchronized" if asked}}. Floats travel as JSON
    numbers: float32 and float64 values round-trip exactly; "dtype" is the dtype the gradients were computed in.
    """
    devices = configure_logical_cpus(NUM_REPLICAS)  # first: before any TensorFlow op
    from keras_impl._precision import keras_precision

    request = json.load(sys.stdin)
    # One strategy for the whole process: a second MirroredStrategy reuses the first one's collective
    # instance keys, and its first all-reduce then fails on a dtype mismatch (float32 after float64).
    strategy = mirrored_strategy(NUM_REPLICAS)
    answer = {}
    for dtype in request["dtypes"]:
        with keras_precision(dtype):
            answer[dtype] = _lists({k: v for k, v in run_request(strategy, request, dtype).items()})
            answer[dtype]["devices"] = [d.name for d in devices]
    json.dump(answer, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
