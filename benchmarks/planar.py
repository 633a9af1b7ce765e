"""Benchmark: the planar shallow network (A7), 10000 full-batch steps, NumPy vs the compiled Keras loop.

    .venv/bin/python benchmarks/planar.py [--dtype float64|float32] [--iterations 10000] [--repeats 3]

NumPy runs the course's `nn_model(X, Y, n_h=4)` (float64 is the course's dtype; with --dtype float32 the
data is cast first). The Keras side runs `Sequential([Dense(4, "tanh"), Dense(1)])` (output Z2, logits) with
BinaryCrossentropy(from_logits=True) and SGD(1.2) from the same seed-3 start, in a `tf.function` loop over `tf.range`
(`keras_impl.shallow_network.make_train_loop`), without and with XLA (`jit_compile=True`).

Timing: every Keras variant's first call traces the loop (and, with XLA, compiles it); that one-time cost
is printed on its own line ("first call") and excluded from the timed runs, which reuse the traced
function after the weights are reset to the start. Each figure is the best of `--repeats` runs. The
last line, `ratio keras/numpy: X`, divides the faster steady-state Keras loop by NumPy's time.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import tensorflow as tf

import numpy_impl.shallow_network as sn
from keras_impl import convert
from keras_impl import shallow_network as ks
from keras_impl._precision import keras_precision
from keras_impl.optimization import keras_sgd
from numpy_impl.datasets import load_planar_dataset


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
    parser.add_argument("--iterations", type=int, default=10000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    n = args.iterations

    X, Y = load_planar_dataset()
    X, Y = X.astype(args.dtype), Y.astype(args.dtype)
    np.random.seed(3)
    start = {k: v.astype(args.dtype) for k, v in sn.initialize_parameters(2, 4, 1).items()}
    print(f"planar data X {X.shape}, n_h = 4, {n} full-batch steps, alpha = 1.2, {args.dtype}, "
          f"best of {args.repeats}; TF {tf.__version__}, {os.cpu_count()} CPUs")

    t_numpy, parameters = best_of(args.repeats, lambda: sn.nn_model(X, Y, n_h=4, num_iterations=n))
    _, costs = sn.train(X, Y, start, n)
    print(f"NumPy nn_model:                        {t_numpy:7.3f} s  ({t_numpy / n * 1e6:.0f} us/step), "
          f"accuracy {sn.accuracy(parameters, X, Y):.2f}%")

    steady = {}
    with keras_precision(args.dtype):
        x, y = convert.inputs_to_keras(X), convert.labels_to_keras(Y)
        steps = tf.constant(n, tf.int32)
        for jit in (False, True):
            label = "Keras compiled loop" + (" + XLA" if jit else "")
            model = ks.build_model(2, 4, start)
            loop = ks.make_train_loop(model, keras_sgd(1.2), jit_compile=jit)
            t = time.perf_counter()
            loop(x, y, steps)  # traces (and with XLA compiles) the loop, then runs it once
            t_first = time.perf_counter() - t

            def run(model=model, loop=loop):
                convert.set_dense_weights(model, start)  # back to the seed-3 start, same traced function
                return loop(x, y, steps)

            t_run, losses = best_of(args.repeats, run)
            steady[label] = t_run
            trained = convert.dense_weights_to_parameters(model)
            rel = np.abs(losses.numpy() - costs) / costs
            print(f"{label + ':':38s} {t_run:7.3f} s  ({t_run / n * 1e6:.0f} us/step), "
                  f"accuracy {sn.accuracy(trained, X, Y):.2f}%, cost curve vs NumPy: max rel "
                  f"{rel[:min(n, 6000)].max():.1e} over the first {min(n, 6000)} steps, {rel.max():.1e} overall")
            print(f"  first call (tracing{' + XLA compilation' if jit else ''} + one run, not in the timing): "
                  f"{t_first:.3f} s")

    fastest = min(steady, key=steady.get)
    print(f"fastest Keras path: {fastest}")
    print(f"ratio keras/numpy: {steady[fastest] / t_numpy:.2f}")


if __name__ == "__main__":
    main()
