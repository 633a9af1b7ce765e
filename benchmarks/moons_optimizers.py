"""Benchmark: the course's Adam run on the moons (B14), 5000 epochs × 5 mini-batches, NumPy vs the compiled Keras loop.

    .venv/bin/python benchmarks/moons_optimizers.py [--dtype float64|float32] [--epochs 5000] [--repeats 1]

NumPy runs the course's loop (`numpy_impl.optimization.train`: `random_mini_batches` with seeds 11, 12, ...,
the course's Adam with t counting mini-batches across epochs) from the course's start (`initialize_parameters`
seed 3, He scale) on [2, 5, 2, 1]. The Keras side trains `Sequential(Dense(5, relu), Dense(2, relu), Dense(1))`
with `BinaryCrossentropy(from_logits=True)` and `keras_impl.optimization.keras_adam(0.0007)` (the exact mapping)
over the same mini-batches, in `make_keras_loop`: one `tf.function` over the epochs and the batches, instead of
`fit`'s per-epoch Python overhead.

Timing: the loop's first call (one epoch) traces it; that one-time cost is printed on its own line ("first call")
and excluded. The timed runs reuse the traced loop after the weights, the optimizer's moments and its step
counter are reset to the start. NumPy runs with one BLAS thread (as in the suite). Each figure is the best of
`--repeats` runs. The last line, `ratio keras/numpy: X`, divides the Keras loop's time by NumPy's.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import tensorflow as tf

import numpy_impl.optimization as no
from keras_impl import convert
from keras_impl import optimization as ko
from keras_impl._precision import keras_precision
from numpy_impl.datasets import load_moons_dataset
from parity_tests import pin_blas

LAYERS_DIMS = [2, 5, 2, 1]


def best_of(repeats: int, fn) -> tuple[float, object]:
    """(shortest wall time of `repeats` calls of fn, the last result)."""
    times, result = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dtype", choices=("float64", "float32"), default="float64")
    parser.add_argument("--epochs", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args(argv)
    n = args.epochs
    pin_blas()  # one BLAS thread: OpenBLAS's threads and TF's pools compete on small machines (results unchanged)

    X, Y = load_moons_dataset()
    X, Y = X.astype(args.dtype), Y.astype(args.dtype)
    start = {k: v.astype(args.dtype) for k, v in no.initialize_parameters(LAYERS_DIMS).items()}
    m = X.shape[1]
    steps = n * len(no.random_mini_batches(X, Y, 64, seed=11))
    print(f"moons X {X.shape}, layers {LAYERS_DIMS}, Adam(α = 0.0007), {n} epochs of batches of 64 = {steps} "
          f"steps, {args.dtype}, best of {args.repeats}; TF {tf.__version__}, {os.cpu_count()} CPUs")

    t_numpy, ref = best_of(args.repeats, lambda: no.train(X, Y, start, "adam", learning_rate=0.0007, num_epochs=n))
    print(f"NumPy course loop:           {t_numpy:7.3f} s  ({t_numpy / steps * 1e6:.0f} us/step), "
          f"accuracy {no.accuracy(X, Y, ref['parameters']):.2%}")

    with keras_precision(args.dtype):
        net = ko.build_model(start)
        optimizer = ko.keras_adam(0.0007, 0.9, 0.999, 1e-8)
        run = ko.make_keras_loop(net, optimizer, 64, m)
        slots = [v for vs in ko.keras_slots(optimizer, net.trainable_variables).values() for v in vs]
        t = time.perf_counter()
        run(X, Y, 1)  # traces the loop (any number of epochs reuses it), then runs one epoch
        t_first = time.perf_counter() - t

        def timed():
            convert.set_dense_weights(net, start)  # back to the seed-3 start, same traced loop
            for v in slots:
                v.assign(tf.zeros_like(v))
            optimizer.iterations.assign(0)
            return run(X, Y, n)

        t_keras, (batch_costs, _) = best_of(args.repeats, timed)
        trained = convert.dense_weights_to_parameters(net)
        gap = max(float(np.max(np.abs(trained[k] - ref["parameters"][k]))) for k in trained)
        costs = batch_costs.reshape(n, -1).sum(axis=1) / m
        rel = float(np.max(np.abs(costs - np.array(ref["costs"])) / np.array(ref["costs"])))
        print(f"Keras compiled loop:         {t_keras:7.3f} s  ({t_keras / steps * 1e6:.0f} us/step), "
              f"accuracy {ko.keras_accuracy(net, X, Y):.2%}, parameters vs NumPy: max abs {gap:.1e}, "
              f"epoch costs: max rel {rel:.1e}")
        print(f"  first call (tracing + one epoch, not in the timing): {t_first:.3f} s")
    print(f"ratio keras/numpy: {t_keras / t_numpy:.2f}")


if __name__ == "__main__":
    main()
