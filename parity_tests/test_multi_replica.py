"""X1: one SGD step under MirroredStrategy on 2 logical CPUs equals the single-device full-batch step and NumPy.

The global batch: the first G = 128 digits of scikit-learn's training split ("is it an 8?", n_x = 64), split
into two shards of 64. Three networks, each one step from the same start:
- the deep network [64, 16, 8, 1] (ReLU, sigmoid output, BCE): per-replica loss
  `compute_average_loss(per_example, global_batch_size=G)`;
- the same with L2 (λ = 0.7, m = G): `+ scale_regularization_loss(λ/(2m) Σ ‖W‖²)`;
- the batch-norm network [64, 16, 8, 1] (random γ, β) with `BatchNormalization(synchronized=True)`.

The two-replica numbers come from a subprocess (`python -m keras_impl.multi_replica`, JSON in and out):
logical devices must be configured before TensorFlow runs an op, and this process has run many. One
subprocess per process computes both dtypes (cached for the module: the float32 pass reuses the float64 pass's
answer; TensorFlow's start-up is most of its time), started in a background thread so that it runs while this
process computes the single-device numbers: the same functions under the default strategy.
"""

from __future__ import annotations

import concurrent.futures
import functools
import json
import os
import pathlib
import subprocess
import sys
import time

import numpy as np
import pytest
import tensorflow as tf

import numpy_impl.batch_normalization as nb
import numpy_impl.deep_network as nd
import numpy_impl.multi_replica as nm
import numpy_impl.regularization as nr
from keras_impl import multi_replica as kr
from numpy_impl.datasets import load_digits_data
from parity_tests.harness import DTYPES, Mapping, concept
from parity_tests.test_softmax import check

# The textbook⇄Keras mappings of X1, each proved by the rows of the comparison it names.
MAPPINGS = [
    Mapping("X1", "one full-batch gradient-descent step on m examples",
            "MirroredStrategy over two logical CPUs: each replica's loss averaged over the global "
            "batch, gradients summed by the all-reduce, one SGD step",
            "test_two_replicas_equal_the_full_batch"),
    Mapping("X1", "J_r = 1/G Σ_{i in shard r} L(ŷ_i, y_i): each shard's data term divided by the global G",
            "tf.nn.compute_average_loss(per_example, global_batch_size=G) in every replica: the all-reduced "
            "gradients equal NumPy's per-shard sum and the full-batch gradients",
            "test_two_replicas_equal_the_full_batch"),
    Mapping("X1", "the L2 term 1/R · λ/(2m) Σ‖W[l]‖² on each of the R replicas",
            "tf.nn.scale_regularization_loss(λ/(2m) Σ ‖kernel‖²): the summed J and dW count the penalty once "
            "(λ = 0.7, m = G)",
            "test_two_replicas_equal_the_full_batch"),
    Mapping("X1", "batch norm on the mini-batch: μ, σ² over all of its examples",
            "BatchNormalization(synchronized=True): μ, σ² all-reduced over the replicas; the same gradients, "
            "parameters and moving averages after one step as NumPy's full batch",
            "test_two_replicas_equal_the_full_batch"),
]

ROOT = pathlib.Path(__file__).resolve().parents[1]
G = 128
LAYER_DIMS = (64, 16, 8, 1)
LEARNING_RATE = 0.1
LAMBD = 0.7
EPSILON = 1e-4
MOMENTUM = 0.9


def _inputs(dtype):
    train_X, train_Y, _, _ = load_digits_data(digit=8)
    X, Y = train_X[:, :G], train_Y[:, :G]
    rng = np.random.default_rng(5)
    deep = nd.initialize_seeded(list(LAYER_DIMS), 1, nd.SCALES["xavier"])
    for key in deep:
        if key.startswith("b"):
            deep[key] = 0.1 * rng.standard_normal(deep[key].shape)
    bn = nb.initialize_parameters_bn(LAYER_DIMS)
    for key in bn:
        if key.startswith("gamma"):
            bn[key] = rng.uniform(0.5, 2.0, bn[key].shape)
        elif key.startswith(("beta", "b")):
            bn[key] = 0.5 * rng.standard_normal(bn[key].shape)
    as_dtype = lambda d: {k: v.astype(dtype) for k, v in d.items()}  # noqa: E731
    return X.astype(dtype), Y.astype(dtype), as_dtype(deep), as_dtype(bn)


@functools.lru_cache(maxsize=1)
def _two_replica_future() -> concurrent.futures.Future:
    """Start `_run_two_replicas` in a background thread, once: the subprocess runs while this process computes
    the NumPy and single-device numbers."""
    # The request is built here, in the calling thread: its parameters come from NumPy's global generator
    # (the course's seeded initializer), which a thread drawing beside this one would interleave.
    return concurrent.futures.ThreadPoolExecutor(max_workers=1).submit(_run_two_replicas, _request())


def two_replica_answers() -> tuple[dict, float]:
    """The answer of the (one, cached) `python -m keras_impl.multi_replica` run: ({dtype: answer}, seconds)."""
    return _two_replica_future().result()


def _request() -> dict:
    """What the subprocess computes: the float64 inputs (it casts them per dtype) and the hyper-parameters."""
    X, Y, deep, bn = _inputs(np.float64)
    return {"dtypes": list(DTYPES), "X": X.tolist(), "Y": Y.tolist(),
            "deep_parameters": {k: v.tolist() for k, v in deep.items()},
            "bn_parameters": {k: v.tolist() for k, v in bn.items()},
            "learning_rate": LEARNING_RATE, "lambd": LAMBD, "m": G, "epsilon": EPSILON, "momentum": MOMENTUM,
            "unsynchronized": ["float64"]}


def _run_two_replicas(request: dict) -> tuple[dict, float]:
    """Run `python -m keras_impl.multi_replica` once for every dtype; ({dtype: its answer}, seconds)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3", OPENBLAS_NUM_THREADS="1")
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "keras_impl.multi_replica"], input=json.dumps(request), text=True,
                          capture_output=True, cwd=ROOT, env=env, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"keras_impl.multi_replica failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout), time.perf_counter() - start


def _numpy_deep(X, Y, parameters, lambd):
    AL, caches = nd.L_model_forward(X, parameters)
    grads = nr.L_model_backward_with_regularization(AL, Y, caches, lambd)
    cost = nd.compute_cost_from_logits(caches[-1][1], Y) + nr.l2_regularization_cost(parameters, lambd, G)
    after = {k: v - v.dtype.type(LEARNING_RATE) * grads[f"d{k}"] for k, v in parameters.items()}
    return cost, grads, after


def _numpy_bn(X, Y, parameters):
    AL, caches, batch_stats = nb.bn_model_forward(X, parameters, EPSILON)
    grads = nb.bn_model_backward(AL, Y, caches)
    moving = nb.update_moving_averages(nb.initialize_moving_averages(parameters), batch_stats, MOMENTUM)
    return nb.bn_cost(AL, Y, caches), grads, nb.update_parameters_bn(parameters, grads, LEARNING_RATE), moving


def _as(values, dtype):
    return {k: np.asarray(v, dtype=dtype) for k, v in values.items()}


@concept("X1")
def test_two_replicas_equal_the_full_batch(parity):
    _two_replica_future()  # the subprocess starts now and runs while the single-device numbers are computed
    dt = parity.dtype
    X, Y, deep, bn = _inputs(dt)
    one_device = tf.distribute.get_strategy()
    single = dict(zip(("deep", "l2"), kr.deep_steps(one_device, X, Y, deep, LEARNING_RATE, [0.0, LAMBD], G),
                      strict=True))
    single["bn"] = kr.bn_step(one_device, X, Y, bn, LEARNING_RATE, MOMENTUM, EPSILON)
    answers, seconds = two_replica_answers()
    two = answers[parity.dtype_name]
    assert two["replicas"] == 2 and two["dtype"] == parity.dtype_name, (two["replicas"], two["dtype"])
    for name, lambd in (("deep", 0.0), ("l2", LAMBD)):
        label = "deep network" if name == "deep" else f"deep network + L2 (λ={LAMBD})"
        cost, grads, after = _numpy_deep(X, Y, deep, lambd)
        _, sharded = nm.sharded_cost_and_grads(X, Y, deep, 2, lambd, G)
        check(parity, f"J, {label}: NumPy full batch vs 2 replicas", "cost", cost, np.asarray(two[name]["cost"], dt))
        check(parity, f"J, {label}: NumPy full batch vs 1 device", "cost", cost, single[name]["cost"])
        for key in deep:
            g = f"d{key}"
            check(parity, f"{g}, {label}: NumPy full batch vs 2 replicas (all-reduced)", "grad", grads[g],
                  np.asarray(two[name]["grads"][g], dt))
            check(parity, f"{g}, {label}: NumPy per-shard sum vs 2 replicas", "grad", sharded[g],
                  np.asarray(two[name]["grads"][g], dt))
            check(parity, f"{g}, {label}: NumPy full batch vs 1 device", "grad", grads[g], single[name]["grads"][g])
            check(parity, f"{key} after 1 step, {label}: NumPy vs 2 replicas", "step", after[key],
                  np.asarray(two[name]["parameters"][key], dt))
            check(parity, f"{key} after 1 step, {label}: NumPy vs 1 device", "step", after[key],
                  single[name]["parameters"][key])
    cost, grads, after, moving = _numpy_bn(X, Y, bn)
    label = "batch norm (synchronized)"
    check(parity, f"J, {label}: NumPy full batch vs 2 replicas", "cost", cost, np.asarray(two["bn"]["cost"], dt))
    for key in bn:
        g = f"d{key}"
        check(parity, f"{g}, {label}: NumPy full batch vs 2 replicas", "grad", grads[g],
              np.asarray(two["bn"]["grads"][g], dt))
        check(parity, f"{g}, {label}: NumPy full batch vs 1 device", "grad", grads[g], single["bn"]["grads"][g])
        check(parity, f"{key} after 1 step, {label}: NumPy vs 2 replicas", "step", after[key],
              np.asarray(two["bn"]["parameters"][key], dt))
    for key in moving:
        check(parity, f"moving {key} after 1 step, {label}: NumPy vs 2 replicas", "step", moving[key],
              np.asarray(two["bn"]["moving"][key], dt))
        check(parity, f"moving {key} after 1 step, {label}: NumPy vs 1 device", "step", moving[key],
              single["bn"]["moving"][key])
    worst = max(float(np.max(np.abs(np.asarray(two["l2"]["grads"][k], dt) - single["l2"]["grads"][k])))
                for k in single["l2"]["grads"])
    if "bn_unsynchronized" in two:  # the mistake synchronized=True prevents, measured
        off = np.asarray(two["bn_unsynchronized"]["grads"]["dW1"], dt) - grads["dW1"]
        parity.note(f"batch norm WITHOUT synchronized=True (each replica normalizes its own 64 examples): dW1 "
                    f"differs from the full batch by {np.max(np.abs(off)) / np.max(np.abs(grads['dW1'])):.1%} of "
                    f"its largest entry")
    parity.note(f"2 replicas ({', '.join(two['devices'])}) vs 1 device, deep network + L2: max |Δ gradient| "
                f"{worst:.1e}; the subprocess (TF start-up included, both dtypes) took {seconds:.1f} s")


# ---------------------------------------------------------------- plain tests


def test_numpy_shards_sum_to_the_full_batch_and_per_shard_means_do_not():
    X, Y, deep, _ = _inputs(np.float64)
    _, full, _ = _numpy_deep(X, Y, deep, LAMBD)
    for R in (1, 2, 3, 5):  # 128 = 26 + 26 + 26 + 25 + 25 for R = 5: unequal shards
        _, sharded = nm.sharded_cost_and_grads(X, Y, deep, R, LAMBD, G)
        for key, value in full.items():
            if key.startswith(("dW", "db")):
                np.testing.assert_allclose(sharded[key], value, rtol=1e-12, atol=1e-15)
    # the mistake compute_average_loss prevents: averaging each replica's own mean weights unequal shards wrongly
    _, full_plain, _ = _numpy_deep(X, Y, deep, 0.0)
    shard_means = []
    for X_r, Y_r in nm.split_batch(X, Y, 5):
        AL, caches = nd.L_model_forward(X_r, deep)
        shard_means.append(nd.L_model_backward(AL, Y_r, caches)["dW1"])
    assert not np.allclose(np.mean(shard_means, axis=0), full_plain["dW1"], rtol=1e-6, atol=0)


def test_split_batch_rejects_bad_counts():
    X, Y, _, _ = _inputs(np.float64)
    with pytest.raises(ValueError, match="num_replicas must be an integer >= 1"):
        nm.split_batch(X, Y, 0)
    with pytest.raises(ValueError, match="exceeds the global batch size"):
        nm.split_batch(X[:, :3], Y[:, :3], 4)
    with pytest.raises(ValueError, match="pass X.T"):
        nm.split_batch(X.T, Y, 2)
