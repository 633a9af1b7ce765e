"""`dl-parity check PATH`: check a learner's own NumPy code against the TF side, quantity by quantity.

    dl-parity check PATH [--concept ID ...] [--json FILE] [--plain] [--timeout SECONDS]
    python -m parity_tests.check PATH ...           (the same)

PATH is a `.py` file or a folder of them holding the learner's implementation of course functions (`propagate`,
`L_model_forward`, `L_model_backward`, `update_parameters_with_adam`, ...; the list is `SPECS`). Each function
found by name is run on several seeded random inputs of course shapes, in float64 and in float32, and each of its
outputs is compared, in the order the computation produces them (the chain), with what the TF side
(`keras_impl`, `GradientTape`) computes from the same inputs, with the tolerance table of `parity_tests.harness`.
The first output that differs is named, with both values for the smallest case:

    L_model_backward: `dW2` differs (max rel 2); `dA2` and every quantity before it agree

Safety. The learner's files are imported and run in a subprocess (`python -m parity_tests.check --worker DIR`),
never in this process: the inputs go to it as `.npz` + JSON in a temporary folder, its outputs come back the same
way and are read with `np.load(allow_pickle=False)` (nothing is unpickled). Each step (importing one file, one
call) has a time limit (`--timeout`, default 30 s): an infinite loop is killed and reported, and the remaining
steps run in a fresh worker. The worker runs in the temporary folder with `PYTHONDONTWRITEBYTECODE=1`: nothing
is written into PATH.

Rows, JSON and exit status are the report's (`parity_tests.report`): exit 0 every row passed, 1 a row failed
(or a file did not import, or a function raised, hung, or returned the wrong type or shape), 2 usage error
(PATH missing or not Python, unknown concept id, an unwritable --json path, no course function found in PATH),
130 interrupted.
Functions that PATH does not define are listed as "not provided"; they do not fail the check.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable

import numpy as np

from parity_tests.harness import DTYPES, TOLERANCES, Parity, Row, Tol

EXIT_PASSED, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
DEFAULT_TIMEOUT = 30.0
SEED = 12

# ---------------------------------------------------------------- encoding (JSON + npz, no pickle)


def _encode(obj, arrays: dict) -> dict:
    """A Python value as JSON, its arrays stored in `arrays` (saved as .npz): dicts, tuples, lists, arrays, scalars.

    Anything else (an object the comparison cannot read) becomes `{"x": type name}`: the parent reports it as a
    wrong return type.
    """
    if isinstance(obj, bool | int | float) and not isinstance(obj, np.generic):
        return {"s": obj, "type": type(obj).__name__}
    if obj is None:
        return {"n": None}
    if isinstance(obj, np.ndarray | np.generic):
        a = np.asarray(obj)
        if a.dtype.kind not in "biuf":
            return {"x": f"ndarray of dtype {a.dtype}"}
        key = f"a{len(arrays)}"
        arrays[key] = a
        return {"a": key, "type": type(obj).__name__}
    if isinstance(obj, dict):
        return {"d": {str(k): _encode(v, arrays) for k, v in obj.items()}}
    if isinstance(obj, tuple):
        return {"t": [_encode(v, arrays) for v in obj]}
    if isinstance(obj, list):
        return {"l": [_encode(v, arrays) for v in obj]}
    return {"x": type(obj).__name__}


@dataclasses.dataclass(frozen=True)
class Foreign:
    """A returned value the comparison cannot read (its type name)."""

    type: str


def _decode(enc: dict, arrays) -> object:
    if "s" in enc:
        return enc["s"]
    if "n" in enc:
        return None
    if "a" in enc:
        a = np.array(arrays[enc["a"]])
        return a if enc["type"] == "ndarray" else a[()]  # a NumPy scalar stays a scalar
    if "d" in enc:
        return {k: _decode(v, arrays) for k, v in enc["d"].items()}
    if "t" in enc:
        return tuple(_decode(v, arrays) for v in enc["t"])
    if "l" in enc:
        return [_decode(v, arrays) for v in enc["l"]]
    return Foreign(enc["x"])


def _save(path: str, payload: dict, arrays: dict) -> None:
    """`path`.json and `path`.npz, the JSON written last (its presence says the pair is complete)."""
    np.savez(path + ".npz", **arrays)
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(payload, f)
    os.replace(path + ".tmp", path + ".json")


def _load(path: str) -> tuple[dict, dict] | None:
    if not os.path.exists(path + ".json"):
        return None
    with open(path + ".json", encoding="utf-8") as f:
        payload = json.load(f)
    with np.load(path + ".npz", allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    return payload, arrays


# ---------------------------------------------------------------- the worker (runs the learner's code)


def _module_name(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0]


def worker(folder: str) -> int:
    """Import the learner's files and run the planned calls; every result goes to `folder` as soon as it exists.

    Before each step it writes `step.json` (what it is about to do) so that the parent can name a step that
    never finishes. Runs in a subprocess; `folder` is the parent's temporary folder, never the learner's.
    """
    sys.dont_write_bytecode = True
    with open(os.path.join(folder, "plan.json"), encoding="utf-8") as f:
        plan = json.load(f)
    with np.load(os.path.join(folder, "inputs.npz"), allow_pickle=False) as z:
        inputs = {k: z[k] for k in z.files}
    skip = set(plan["skip"])

    def step(what: str) -> None:
        with open(os.path.join(folder, "step.tmp"), "w", encoding="utf-8") as f:
            json.dump({"what": what, "time": time.time()}, f)
        os.replace(os.path.join(folder, "step.tmp"), os.path.join(folder, "step.json"))

    modules = {}
    for file_index, path in enumerate(plan["files"]):
        name = _module_name(path)
        what = f"import {path}"
        if what in skip:
            continue
        step(what)
        result_path = os.path.join(folder, f"import_{file_index}")
        error = ""
        if name in sys.modules:
            error = f"the file name {name}.py is also the name of a module the checker uses; rename the file"
        else:
            folder_of = os.path.dirname(os.path.abspath(path))
            if folder_of not in sys.path:
                sys.path.insert(0, folder_of)  # so that the learner's files can import each other
            try:
                spec = importlib.util.spec_from_file_location(name, path)
                module = importlib.util.module_from_spec(spec)
                sys.modules[name] = module
                spec.loader.exec_module(module)
                modules[name] = module
            except BaseException as exc:  # SyntaxError, an exception at import time, even SystemExit
                sys.modules.pop(name, None)
                error = _describe(exc)
        _save(result_path, {"file": path, "error": error}, {})
    for name, module in modules.items():
        _save(os.path.join(folder, f"defines_{name}"),
              {"module": name, "functions": sorted(n for n, obj in vars(module).items()
                                                   if callable(obj) and getattr(obj, "__module__", None) == name)},
              {})
    for index, call in enumerate(plan["calls"]):
        for name, module in modules.items():
            fn = vars(module).get(call["function"])
            if fn is None or not callable(fn) or getattr(fn, "__module__", None) != name:
                continue
            what = f"call {index} {name}"
            if what in skip:
                continue
            step(what)
            args = [_decode(a, inputs) for a in call["args"]]
            arrays: dict = {}
            try:
                out = fn(*args)
                repeat = call.get("repeat")
                for _ in range(repeat["n"] - 1 if repeat else 0):  # a trajectory: outputs fed back as arguments
                    for arg_index, out_index in repeat["feed"]:
                        args[arg_index] = out[out_index]
                    args[repeat["count"]] += 1
                    out = fn(*args)
                payload = {"value": _encode(out, arrays)}
            except BaseException as exc:
                payload, arrays = {"error": _describe(exc)}, {}
            _save(os.path.join(folder, f"call_{index}_{name}"), payload, arrays)
    step("done")
    return 0


def _describe(exc: BaseException) -> str:
    """`Type: message` and the learner's line where it happened (the last frame outside the checker)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if os.path.abspath(f.filename) != __file__]
    where = f" (at {os.path.basename(frames[-1].filename)}, line {frames[-1].lineno})" if frames else ""
    if isinstance(exc, SyntaxError):
        where = f" ({os.path.basename(exc.filename or '?')}, line {exc.lineno})"
        return f"SyntaxError: {exc.msg}{where}"
    return f"{type(exc).__name__}: {exc}{where}"


# ---------------------------------------------------------------- specs: inputs, TF reference, chain order


class ShapeError(Exception):
    """The learner's function returned the wrong type or shape (the message says what was expected)."""


@dataclasses.dataclass(frozen=True)
class Spec:
    """A course function the checker knows.

    `make(rng, case)` -> the calls of one case: a list of argument lists (float64 NumPy values, course layout),
    case 0 the smallest; `reference(calls, outs)` -> {quantity: (kind, TF value)} in chain order, computed by
    `keras_impl` in the current Keras precision (`outs`, the learner's outputs, only serve the one function whose
    random masks the TF side must reuse); `extract(outs, ref, calls)` -> {quantity: the learner's value}, raising
    `ShapeError` with the expected type/shape. `single(...)` adapts the functions of a one-call spec.
    """

    name: str
    concept: str
    signature: str
    make: Callable
    reference: Callable
    extract: Callable
    companions: tuple[str, ...] = ()
    repeat: dict | None = None  # {"n": steps, "feed": [(argument index, output index)], "count": step argument}


def _rng(spec_index: int, case: int) -> np.random.Generator:
    return np.random.default_rng([SEED, spec_index, case])


def _params(rng, dims) -> dict:
    p = {}
    for l in range(1, len(dims)):
        p[f"W{l}"] = rng.standard_normal((dims[l], dims[l - 1])) / np.sqrt(dims[l - 1])
        p[f"b{l}"] = 0.5 * rng.standard_normal((dims[l], 1))  # non-zero biases: the formula's + b is exercised
    return p


def _labels(rng, m) -> np.ndarray:
    Y = (rng.random((1, m)) < 0.5).astype(float)
    Y[0, :2] = (0.0, 1.0)  # both classes in every case
    return Y


def _sigmoid(Z):
    return 1 / (1 + np.exp(-Z))


def _np_forward(X, p, L):
    """Plain NumPy forward pass (inputs only: what the learner's function receives, never the reference)."""
    A, layers = X, []
    for l in range(1, L + 1):
        Z = p[f"W{l}"] @ A + p[f"b{l}"]
        A_prev, A = A, (_sigmoid(Z) if l == L else np.maximum(Z, 0))
        layers.append((A_prev, Z, A))
    return layers


def _tf():
    import tensorflow as tf

    return tf


def _np(x) -> np.ndarray:
    return np.asarray(x.numpy() if hasattr(x, "numpy") else x)


def _tuple(out, n: int, expected: str) -> tuple:
    if not isinstance(out, tuple | list) or len(out) != n:
        got = f"a {len(out)}-tuple" if isinstance(out, tuple | list) else _type(out)
        raise ShapeError(f"returned {got}; expected {expected}")
    return tuple(out)


def _type(x) -> str:
    return x.type if isinstance(x, Foreign) else type(x).__name__


def _array(x, name: str, like: np.ndarray) -> np.ndarray | ShapeError:
    """The learner's `name` as an array of the reference's shape (a scalar reference accepts 0-d or a float), or
    the `ShapeError` problem (returned, not raised: the quantities before it in the chain are still compared)."""
    if isinstance(x, Foreign) or isinstance(x, dict | tuple | list) or x is None:
        return ShapeError(f"{name} is {_type(x)}; expected {_expected(like)}")
    a = np.asarray(x)
    if a.shape != np.shape(like):
        return ShapeError(f"{name} has shape {a.shape}; expected {_expected(np.asarray(like))}")
    return a


def _expected(like: np.ndarray) -> str:
    return "a scalar (np.squeeze(cost), shape ())" if like.shape == () else f"an array of shape {like.shape}"


def _dict(x, name: str, keys) -> dict:
    if not isinstance(x, dict):
        raise ShapeError(f"{name} is {_type(x)}; expected a dict with keys {', '.join(keys)}")
    missing = [k for k in keys if k not in x]
    if missing:
        raise ShapeError(f"{name} has no key {', '.join(repr(k) for k in missing)}")
    return x


def _keys(L: int, prefix: str = "") -> list[str]:
    return [f"{prefix}{p}{l}" for l in range(1, L + 1) for p in "Wb"]


def _stack(d: dict, keys) -> np.ndarray | ShapeError:
    """A dict of arrays as one vector, in `keys` order (so a whole parameters dict is one quantity); the first
    `ShapeError` problem among them instead, if there is one."""
    problems = [d[k] for k in keys if isinstance(d[k], ShapeError)]
    return problems[0] if problems else np.concatenate([np.ravel(np.asarray(d[k])) for k in keys])


# propagate (A4) ----------------------------------------------------------------------------------------------

def _propagate_make(rng, case):
    n_x, m = ((2, 3), (4, 12), (12, 40))[case]
    return [rng.standard_normal((n_x, 1)), float(rng.standard_normal()), rng.standard_normal((n_x, m)),
            _labels(rng, m)]


def _propagate_ref(args, out):
    from keras_impl import logistic_regression as kl

    tf = _tf()
    w, b, X, Y = args
    grads, J = kl.propagate(tf.Variable(w), tf.Variable(tf.constant(b, w.dtype)), X, Y)
    return {"cost": ("cost", _np(J)), "dw": ("grad", _np(grads["dw"])), "db": ("grad", _np(grads["db"]))}


def _propagate_extract(out, ref, args):
    grads, cost = _tuple(out, 2, "(grads, cost) with grads = {'dw': (n_x, 1), 'db': scalar}")
    grads = _dict(grads, "grads", ("dw", "db"))
    return {"cost": _array(cost, "cost", ref["cost"][1]), "dw": _array(grads["dw"], "dw", ref["dw"][1]),
            "db": _array(grads["db"], "db", ref["db"][1])}


# L_model_forward, compute_cost, L_model_backward, update_parameters (A9) -------------------------------------

DEEP_DIMS = ((3, 4, 2, 1), (5, 6, 4, 1), (12, 8, 5, 1))  # L = 3 in every case: the same quantities
DEEP_M = (4, 16, 50)


def _deep_make(rng, case):
    dims, m = DEEP_DIMS[case], DEEP_M[case]
    return [rng.standard_normal((dims[0], m)), _params(rng, dims)]


def _tf_layers(X, p, L):
    """[(Z[l], A[l])] for l = 1..L by `keras_impl.deep_network.L_model_forward_logits` on the first l layers."""
    from keras_impl import deep_network as kd
    from keras_impl.activations import activation

    layers = []
    for l in range(1, L + 1):  # the first l layers with a sigmoid output: its logits ZL are this network's Z[l]
        A, Z = kd.L_model_forward_logits(X, {k: p[k] for k in _keys(l)})
        layers.append((_np(Z), _np(A if l == L else activation("relu")(Z))))
    return layers


ZEROS = ("ReLU (and dropout) zeros: most entries are exact zeros on both sides, so atol judges them (yours must be "
         "within atol of 0 there); the non-zero entries are judged by rtol")


def _forward_ref(args, out):
    X, p = args
    ref = {}
    for l, (Z, A) in enumerate(_tf_layers(X, p, 3), start=1):
        ref[f"Z{l}"] = ("forward", Z)
        ref["AL" if l == 3 else f"A{l}"] = ("forward", A) if l == 3 else ("forward", A, ZEROS)
    return ref


def _forward_extract(out, ref, args):
    AL, caches = _tuple(out, 2, "(AL, caches)")
    expected = "a list of L = 3 caches ((A_prev, W, b), Z)"
    if not isinstance(caches, list | tuple) or len(caches) != 3:
        raise ShapeError(f"caches is {_type(caches)}; expected {expected}")
    values = {}
    for l, cache in enumerate(caches, start=1):
        if not (isinstance(cache, tuple | list) and len(cache) == 2 and isinstance(cache[0], tuple | list)
                and len(cache[0]) == 3):
            raise ShapeError(f"caches[{l - 1}] is not ((A_prev, W, b), Z); expected {expected}")
        values[f"Z{l}"] = _array(cache[1], f"Z{l} (caches[{l - 1}][1])", ref[f"Z{l}"][1])
        if l > 1:
            values[f"A{l - 1}"] = _array(cache[0][0], f"A{l - 1} (caches[{l - 1}][0][0])", ref[f"A{l - 1}"][1])
    values["AL"] = _array(AL, "AL", ref["AL"][1])
    return {q: values[q] for q in ref}


def _cost_make(rng, case):
    m = DEEP_M[case]
    ZL = 2 * rng.standard_normal((1, m))
    return [_sigmoid(ZL), _labels(rng, m)]


def _cost_ref(args, out):
    from keras_impl import deep_network as kd

    AL, Y = args
    ZL = np.log(AL) - np.log1p(-AL)  # the logits of the AL the learner gets, so that TF computes J from logits
    return {"cost": ("cost", _np(kd.compute_cost_from_logits(ZL, Y)))}


def _cost_extract(out, ref, args):
    return {"cost": _array(out, "cost", ref["cost"][1])}


def _backward_make(rng, case):
    X, p = _deep_make(rng, case)
    Y = _labels(rng, X.shape[1])
    layers = _np_forward(X, p, 3)
    caches = [((A_prev, p[f"W{l}"], p[f"b{l}"]), Z) for l, (A_prev, Z, _) in enumerate(layers, start=1)]
    return [layers[-1][2], Y, caches]


def _backward_ref(args, out):
    from keras_impl import convert
    from keras_impl import deep_network as kd

    AL, Y, caches = args
    X, m = caches[0][0][0], Y.shape[1]
    p = {}
    for l, ((_, W, b), _) in enumerate(caches, start=1):
        p[f"W{l}"], p[f"b{l}"] = W, b
    _, grads = kd.compute_grads(X, Y, convert.to_variables(p))
    dA = kd.activation_grads(X, Y, convert.to_variables(p))  # ∂J/∂A[l]; the course's dA[l] is m times that
    ref = {}
    for l in (3, 2, 1):
        ref[f"dW{l}"], ref[f"db{l}"] = ("grad", _np(grads[f"dW{l}"])), ("grad", _np(grads[f"db{l}"]))
        ref[f"dA{l - 1}"] = ("grad", _np(dA[f"dA{l - 1}"]) * m)
    return ref


def _grads_extract(out, ref, args):
    grads = _dict(out, "grads", list(ref))
    return {q: _array(grads[q], q, ref[q][1]) for q in ref}


def _update_make(rng, case):
    dims = DEEP_DIMS[case]
    p, g = _params(rng, dims), _params(rng, dims)
    return [p, {f"d{k}": v for k, v in g.items()}, 0.1 * (case + 1)]


def _update_ref(args, out):
    from keras_impl import convert
    from keras_impl import deep_network as kd

    p, grads, alpha = args
    new = convert.to_parameters(kd.update_parameters(convert.to_variables(p), grads, alpha))
    return {k: ("step", new[k]) for k in _keys(3)}


def _params_extract(out, ref, args):
    p = _dict(out, "parameters", list(ref))
    return {q: _array(p[q], q, ref[q][1]) for q in ref}


# update_parameters_with_adam (B14) ---------------------------------------------------------------------------

ADAM_QUANTITIES = ("v", "v_corrected", "s", "s_corrected", "parameters")


def _adam_make(rng, case):
    dims = DEEP_DIMS[case][:3]  # L = 2
    p, g = _params(rng, dims), _params(rng, dims)
    v = {f"d{k}": 0.1 * x for k, x in _params(rng, dims).items()}
    s = {f"d{k}": 0.01 * x ** 2 for k, x in _params(rng, dims).items()}
    t = (2, 3, 10)[case]
    return [p, {f"d{k}": x for k, x in g.items()}, v, s, t, 0.01, 0.9, 0.999, 1e-8]


def _adam_ref(args, out):
    from keras_impl import optimization as ko

    result = ko.update_parameters_with_adam(*args)
    order = {"v": 1, "v_corrected": 3, "s": 2, "s_corrected": 4, "parameters": 0}
    ref = {q: ("step", _stack(result[order[q]], _keys(2, "d") if q != "parameters" else _keys(2)))
           for q in ADAM_QUANTITIES}
    if args[0]["W1"].dtype == np.float32:
        for q in ("s_corrected", "parameters"):
            ref[q] += (ADAM_FLOAT32, Tol(2e-4, 1e-6))
    return ref


ADAM_FLOAT32 = ("float32: 1 - β2^t (β2 = 0.999) loses digits to cancellation; code with Python-float betas computes "
                "it in double, the TF side in float32, a relative difference up to ~t·ε32/(1 - β2^t) = 6e-5 at t = 10 "
                "(measured 2e-5); the step moves by √ of it")


def _adam_extract(out, ref, args):
    parts = _tuple(out, 5, "(parameters, v, s, v_corrected, s_corrected)")
    order = {"parameters": 0, "v": 1, "s": 2, "v_corrected": 3, "s_corrected": 4}
    parameters = args[0]
    values = {}
    for q in ADAM_QUANTITIES:
        keys = _keys(2) if q == "parameters" else _keys(2, "d")
        d = _dict(parts[order[q]], q, keys)
        values[q] = _stack({k: _array(d[k], f"{q}[{k!r}]", parameters[k.removeprefix("d")]) for k in keys}, keys)
    return values


ADAM_STEPS = 5
ADAM_REPEAT = {"n": ADAM_STEPS, "feed": [(0, 0), (2, 1), (3, 2)], "count": 4}  # parameters, v, s; t += 1


def _adam_run_make(rng, case):
    p, grads, v, s, _, *hyper = _adam_make(rng, case)
    zeros = {k: np.zeros_like(x) for k, x in v.items()}
    return [p, grads, zeros, dict(zeros), 1, *hyper]  # from initialize_adam's zeros, t = 1, 2, ...


def _adam_run_ref(args, out):
    from keras_impl import optimization as ko

    p, grads, v, s, t, *hyper = args
    for step in range(ADAM_STEPS):
        p, v, s, _, _ = ko.update_parameters_with_adam(p, grads, v, s, t + step, *hyper)
    ref = {f"v after {ADAM_STEPS} steps": ("trajectory", _stack(v, _keys(2, "d"))),
           f"s after {ADAM_STEPS} steps": ("trajectory", _stack(s, _keys(2, "d"))),
           f"parameters after {ADAM_STEPS} steps": ("trajectory", _stack(p, _keys(2)))}
    return ref


def _adam_run_extract(out, ref, args):
    parts = _tuple(out, 5, "(parameters, v, s, v_corrected, s_corrected)")
    values = {}
    for q, index in zip(ref, (1, 2, 0), strict=True):
        keys = _keys(2) if index == 0 else _keys(2, "d")
        d = _dict(parts[index], q.split()[0], keys)
        values[q] = _stack({k: _array(d[k], f"{q.split()[0]}[{k!r}]", args[0][k.removeprefix("d")]) for k in keys},
                           keys)
    return values


# compute_cost_with_regularization (B3) -----------------------------------------------------------------------

LAMBDS = (0.0, 0.7)
REG_DIMS = ((3, 2, 2, 1), (5, 4, 3, 1), (12, 8, 5, 1))


def _reg_cost_make(rng, case):
    m = DEEP_M[case]
    A3, Y, p = _sigmoid(2 * rng.standard_normal((1, m))), _labels(rng, m), _params(rng, REG_DIMS[case])
    return [[A3, Y, p, lambd] for lambd in LAMBDS]  # λ = 0 first: the cross-entropy part alone, then with L2


def _reg_cost_ref(calls, outs):
    from keras_impl import regularization as kr

    return {f"cost with λ = {args[3]:g}": ("cost", _np(kr.compute_cost_with_regularization(*args)))
            for args in calls}


def _reg_cost_extract(outs, ref, calls):
    return {q: _array(out, q, ref[q][1]) for q, out in zip(ref, outs, strict=True)}


# dropout (B4) ------------------------------------------------------------------------------------------------

KEEP_PROB = 0.7


def _dropout_forward_make(rng, case):
    m = DEEP_M[case]
    return [rng.standard_normal((REG_DIMS[case][0], m)), _params(rng, REG_DIMS[case]), KEEP_PROB]


def _dropout_masks(out) -> list[np.ndarray]:
    """D1, D2 from the learner's cache (the TF side thins the same units: NumPy's draws are not TF's)."""
    _, cache = _tuple(out, 2, "(A3, cache)")
    cache = _tuple(cache, 14, "cache = (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)")
    masks = []
    for name, D in (("D1", cache[1]), ("D2", cache[6])):
        D = np.asarray(D) if not isinstance(D, Foreign) else None
        if D is None or D.dtype.kind not in "biuf" or not np.all((D == 0) | (D == 1)):
            raise ShapeError(f"{name} (cache[{1 if name == 'D1' else 6}]) is not a 0/1 mask")
        masks.append(D)
    return masks


def _dropout_forward_ref(args, out):
    from keras_impl import regularization as kr

    tf = _tf()
    X, p, keep_prob = args
    try:
        D1, D2 = _dropout_masks(out)
    except ShapeError:
        D1 = D2 = None  # the extract step reports what is wrong; the reference is then not compared
    if D1 is None or D1.shape != p["b1"].shape[:1] + X.shape[1:] or D2.shape != p["b2"].shape[:1] + X.shape[1:]:
        return {"masks": ("forward", np.zeros(0))}
    ref = {}
    sub = [{k: p[k] for k in _keys(l)} for l in (1, 2, 3)]
    Z1 = _np(kr.forward_logits(X, sub[0], keep_prob, []))
    Z2 = _np(kr.forward_logits(X, sub[1], keep_prob, [D1]))
    Z3 = _np(kr.forward_logits(X, sub[2], keep_prob, [D1, D2]))
    kp = tf.constant(keep_prob, Z1.dtype)
    ref["Z1"] = ("forward", Z1)
    ref["A1"] = ("forward", _np(tf.nn.relu(Z1) * tf.cast(D1, Z1.dtype) / kp), ZEROS)
    ref["Z2"] = ("forward", Z2)
    ref["A2"] = ("forward", _np(tf.nn.relu(Z2) * tf.cast(D2, Z2.dtype) / kp), ZEROS)
    ref["Z3"] = ("forward", Z3)
    ref["A3"] = ("forward", _np(tf.sigmoid(Z3)))
    return ref


def _dropout_forward_extract(out, ref, args):
    D1, D2 = _dropout_masks(out)
    if "masks" in ref:
        raise ShapeError(f"D1 {D1.shape} or D2 {D2.shape} do not have the shapes of A1, A2 (n_l, m)")
    A3, cache = out
    positions = {"Z1": 0, "A1": 2, "Z2": 5, "A2": 7, "Z3": 10, "A3": 11}
    values = {q: _array(cache[i], f"{q} (cache[{i}])", ref[q][1]) for q, i in positions.items()}
    values["A3"] = _array(A3, "A3", ref["A3"][1])
    return values


def _dropout_backward_make(rng, case):
    X, p, keep_prob = _dropout_forward_make(rng, case)
    m = X.shape[1]
    Y = _labels(rng, m)
    D1 = (rng.random((p["W1"].shape[0], m)) < keep_prob).astype(int)
    D2 = (rng.random((p["W2"].shape[0], m)) < keep_prob).astype(int)
    Z1 = p["W1"] @ X + p["b1"]
    A1 = np.maximum(Z1, 0) * D1 / keep_prob
    Z2 = p["W2"] @ A1 + p["b2"]
    A2 = np.maximum(Z2, 0) * D2 / keep_prob
    Z3 = p["W3"] @ A2 + p["b3"]
    cache = (Z1, D1, A1, p["W1"], p["b1"], Z2, D2, A2, p["W2"], p["b2"], Z3, _sigmoid(Z3), p["W3"], p["b3"])
    return [X, Y, cache, keep_prob]


def _dropout_backward_ref(args, out):
    from keras_impl import regularization as kr

    X, Y, cache, keep_prob = args
    p = dict(zip(("W1", "b1", "W2", "b2", "W3", "b3"), (cache[3], cache[4], cache[8], cache[9], cache[12],
                                                         cache[13]), strict=True))
    _, grads = kr.compute_grads(X, Y, p, keep_prob=keep_prob, masks=[cache[1], cache[6]])
    return {q: ("grad", _np(grads[q])) for q in ("dW3", "db3", "dW2", "db2", "dW1", "db1")}


def single(make: Callable, reference: Callable, extract: Callable) -> tuple[Callable, Callable, Callable]:
    """`make`, `reference`, `extract` of a spec with one call per case, from the functions of that one call."""
    return (lambda rng, case: [make(rng, case)], lambda calls, outs: reference(calls[0], outs[0]),
            lambda outs, ref, calls: extract(outs[0], ref, calls[0]))


DEEP = ("L_model_forward", "L_model_backward")
SPECS: tuple[Spec, ...] = (
    Spec("propagate", "A4", "propagate(w, b, X, Y) -> (grads, cost)",
         *single(_propagate_make, _propagate_ref, _propagate_extract), companions=("sigmoid",)),
    Spec("L_model_forward", "A9", "L_model_forward(X, parameters) -> (AL, caches)",
         *single(_deep_make, _forward_ref, _forward_extract)),
    Spec("compute_cost", "A9", "compute_cost(AL, Y) -> cost", *single(_cost_make, _cost_ref, _cost_extract),
         companions=DEEP),
    Spec("L_model_backward", "A9", "L_model_backward(AL, Y, caches) -> grads",
         *single(_backward_make, _backward_ref, _grads_extract)),
    Spec("update_parameters", "A9", "update_parameters(parameters, grads, learning_rate) -> parameters",
         *single(_update_make, _update_ref, _params_extract), companions=DEEP),
    Spec("compute_cost_with_regularization", "B3", "compute_cost_with_regularization(A3, Y, parameters, lambd) -> cost",
         _reg_cost_make, _reg_cost_ref, _reg_cost_extract),
    Spec("forward_propagation_with_dropout", "B4",
         "forward_propagation_with_dropout(X, parameters, keep_prob) -> (A3, cache)",
         *single(_dropout_forward_make, _dropout_forward_ref, _dropout_forward_extract)),
    Spec("backward_propagation_with_dropout", "B4",
         "backward_propagation_with_dropout(X, Y, cache, keep_prob) -> grads",
         *single(_dropout_backward_make, _dropout_backward_ref, _grads_extract)),
    Spec("update_parameters_with_adam", "B14",
         "update_parameters_with_adam(parameters, grads, v, s, t, learning_rate, beta1, beta2, epsilon) -> "
         "(parameters, v, s, v_corrected, s_corrected)", *single(_adam_make, _adam_ref, _adam_extract)),
    Spec("update_parameters_with_adam", "B14", f"update_parameters_with_adam: {ADAM_STEPS} steps t = 1..{ADAM_STEPS}",
         *single(_adam_run_make, _adam_run_ref, _adam_run_extract), repeat=ADAM_REPEAT),
)
CASES = 3

# ---------------------------------------------------------------- the parent: plan, worker runs, rows


def _cast(obj, dtype):
    """Float arrays and dicts/tuples/lists of them in `dtype`; integer masks and Python numbers stay as they are."""
    if isinstance(obj, np.ndarray):
        return obj.astype(dtype) if obj.dtype.kind == "f" else obj
    if isinstance(obj, dict):
        return {k: _cast(v, dtype) for k, v in obj.items()}
    if isinstance(obj, tuple | list):
        return type(obj)(_cast(v, dtype) for v in obj)
    return obj


@dataclasses.dataclass
class Planned:
    """One call of the plan: which spec, case, dtype and sub-call, with its NumPy arguments (parent side)."""

    spec: Spec
    case: int
    dtype: str
    sub: int
    args: list


def python_files(path: str) -> list[str]:
    """PATH itself (a .py file) or the .py files directly in the folder PATH (sorted; `__init__.py` left out)."""
    path = os.path.abspath(path)
    if os.path.isfile(path):
        return [path]
    return sorted(os.path.join(path, f) for f in os.listdir(path)
                  if f.endswith(".py") and f != "__init__.py" and os.path.isfile(os.path.join(path, f)))


def _plan(specs: list[Spec]) -> tuple[list[Planned], dict, list[dict]]:
    planned, arrays, calls = [], {}, []
    for spec in specs:
        index = SPECS.index(spec)
        for case in range(CASES):
            case_calls = spec.make(_rng(index, case), case)
            for dtype in DTYPES:
                for sub, args in enumerate(case_calls):
                    args = _cast(args, np.dtype(dtype))
                    planned.append(Planned(spec, case, dtype, sub, args))
                    calls.append({"function": spec.name, "args": [_encode(a, arrays) for a in args],
                                  "repeat": spec.repeat})
    return planned, arrays, calls


def _worker_env() -> dict:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", OPENBLAS_NUM_THREADS="1")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def _read_step(folder: str) -> str:
    try:
        with open(os.path.join(folder, "step.json"), encoding="utf-8") as f:
            return json.load(f)["what"]
    except (OSError, ValueError):
        return "start"


def run_workers(folder: str, files: list[str], calls: list[dict], timeout: float) -> dict[str, str]:
    """Run the worker until every step is done; a step that takes longer than `timeout` seconds is killed and
    skipped (a fresh worker goes on with the rest). Returns {step: what went wrong} for the steps that did not
    finish ("start" when the worker itself could not start)."""
    stopped: dict[str, str] = {}
    while True:
        with open(os.path.join(folder, "plan.json"), "w", encoding="utf-8") as f:
            json.dump({"files": files, "calls": calls, "skip": sorted(stopped)}, f)
        if os.path.exists(os.path.join(folder, "step.json")):
            os.unlink(os.path.join(folder, "step.json"))
        with open(os.path.join(folder, "worker.log"), "wb") as log:
            proc = subprocess.Popen([sys.executable, "-m", "parity_tests.check", "--worker", folder], cwd=folder,
                                    env=_worker_env(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log)
            last, since, killed = "start", time.monotonic(), False
            try:
                while proc.poll() is None:
                    time.sleep(0.02)
                    step = _read_step(folder)
                    if step != last:
                        last, since = step, time.monotonic()
                    elif time.monotonic() - since > (timeout if step != "start" else max(timeout, 60.0)):
                        proc.kill()
                        proc.wait()
                        killed = True
            except BaseException:  # Ctrl-C: the worker this check started ends with it
                proc.kill()
                proc.wait()
                raise
        last = _read_step(folder)
        if last == "done" and not killed:
            return stopped
        if last == "start" or last in stopped:
            with open(os.path.join(folder, "worker.log"), encoding="utf-8", errors="replace") as f:
                tail = f.read()[-2000:].strip()
            stopped["start"] = f"the checker's worker did not start (exit code {proc.returncode}): {tail}"
            return stopped
        stopped[last] = (f"did not finish within {timeout:g} s (an infinite loop?); stopped" if killed
                         else f"ended the worker process (exit code {proc.returncode}) without returning")
        if last.startswith("call "):  # the function's other calls would hang too: not run
            _, index, module = last.split(" ")
            for j, call in enumerate(calls):
                if call["function"] == calls[int(index)]["function"]:
                    stopped.setdefault(f"call {j} {module}", f"not run: an earlier call {stopped[last]}")


def _error_row(concept: str, quantity: str, dtype: str, problem: str, kind: str = "error") -> Row:
    tol = TOLERANCES.get((kind, dtype))
    return Row(concept, quantity, kind, dtype, math.nan, math.nan, tol.rtol if tol else math.nan,
               tol.atol if tol else math.nan, passed=False, case="check", problem=problem)


def _short(a) -> str:
    with np.printoptions(precision=6, threshold=8, edgeitems=2, linewidth=200):
        return " ".join(repr(np.asarray(a)).split())


@dataclasses.dataclass
class CheckResult:
    rows: list[Row]
    notes: dict[str, list[str]]
    not_provided: list[Spec]
    files: list[str]


def check(path: str, concepts: list[str] | None = None, timeout: float = DEFAULT_TIMEOUT) -> CheckResult:
    """Run the learner's functions of PATH on the planned inputs (in a worker) and compare them with the TF side."""
    wanted = {c.upper() for c in concepts} if concepts else None
    specs = [s for s in SPECS if wanted is None or s.concept.upper() in wanted]
    files = python_files(path)
    planned, arrays, calls = _plan(specs)
    rows: list[Row] = []
    notes: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory(prefix="dl-parity-check-") as folder:
        np.savez(os.path.join(folder, "inputs.npz"), **arrays)
        stopped = run_workers(folder, files, calls, timeout)
        if "start" in stopped:
            return CheckResult([_error_row("import", path, "float64", stopped["start"])], {}, [], files)
        modules: dict[str, list[str]] = {}  # spec name -> the learner's modules defining it
        for i, file in enumerate(files):
            name = _module_name(file)
            if f"import {file}" in stopped:
                rows.append(_error_row("import", os.path.basename(file), "float64",
                                       f"importing it {stopped[f'import {file}']}"))
                continue
            imported = _load(os.path.join(folder, f"import_{i}"))
            error = imported[0]["error"] if imported else "was not imported"
            if error:
                rows.append(_error_row("import", os.path.basename(file), "float64", error))
                continue
            defines = _load(os.path.join(folder, f"defines_{name}"))
            for fn in (defines[0]["functions"] if defines else []):
                modules.setdefault(fn, []).append(name)
        for spec in specs:
            both = [m for m in modules.get(spec.name, []) if any(m in modules.get(c, []) for c in spec.companions)]
            if both:
                modules[spec.name] = both
        not_provided = [s for s in specs if s.name not in modules and s is next(x for x in specs if x.name == s.name)]
        if len(not_provided) < len(specs):
            from parity_tests.report import quiet_tensorflow

            quiet_tensorflow()  # TensorFlow (the reference side) only once there is something to compare
        for spec in specs:
            for module in modules.get(spec.name, []):
                label = spec.name if len(modules[spec.name]) == 1 else f"{spec.name} [{module}.py]"
                for dtype in DTYPES:
                    mine = [(i, p) for i, p in enumerate(planned) if p.spec is spec and p.dtype == dtype]
                    rows_here, text = _compare(spec, label, dtype, module, mine, folder, stopped)
                    rows += rows_here
                    notes.setdefault(spec.concept, []).extend(f"[{dtype}] {t}" for t in text)
    return CheckResult(rows, notes, not_provided, files)


def _compare(spec: Spec, label: str, dtype: str, module: str, mine: list[tuple[int, Planned]], folder: str,
             stopped: dict[str, str]) -> tuple[list[Row], list[str]]:
    """The rows of one learner function in one dtype, in chain order, and the note naming the first wrong one."""
    from keras_impl._precision import keras_precision

    texts: list[str] = []
    by_case: dict[int, list[tuple[int, Planned]]] = {}
    for i, p in mine:
        by_case.setdefault(p.case, []).append((i, p))
    learner: dict[str, list] = {}
    reference: dict[str, tuple[str, list]] = {}
    shapes: dict[str, str] = {}
    rounded = False
    for case, items in sorted(by_case.items()):
        outs = []
        where = f"case {case + 1} of {CASES}"
        for i, p in items:
            step = f"call {i} {module}"
            if step in stopped:
                return [_error_row(spec.concept, label, dtype, f"{where}: {stopped[step]}")], texts
            result = _load(os.path.join(folder, f"call_{i}_{module}"))
            if result is None:
                return [_error_row(spec.concept, label, dtype, f"{where}: no result")], texts
            payload, arrays = result
            if "error" in payload:
                shapes_in = ", ".join(_arg_shapes(p.args))
                return [_error_row(spec.concept, label, dtype,
                                   f"{where} raised {payload['error']} (arguments: {shapes_in})")], texts
            outs.append(_decode(payload["value"], arrays))
        calls = [p.args for _, p in items]
        with keras_precision(dtype):
            try:
                ref = spec.reference(calls, outs)
                values = spec.extract(outs, ref, calls)
            except ShapeError as exc:
                return [_error_row(spec.concept, f"{label}: return value", dtype,
                                   f"{where}: {exc}")], texts
        for q, (kind, tf_value, *stated) in ref.items():  # stated: (why,) or (why, Tol)
            reference.setdefault(q, (kind, [], *(stated + ["", None])[:2]))[1].append(np.asarray(tf_value))
            value = values[q]
            if isinstance(value, ShapeError):
                shapes.setdefault(q, f"{where}: {value}")
                value = None
            elif dtype == "float32" and np.asarray(value).dtype == np.float64:
                value, rounded = np.asarray(value).astype(np.float32), True
            learner.setdefault(q, []).append(value)
    parity = Parity(spec.concept, dtype, strict=False, case=spec.name)
    for q, (kind, tf_values, why, tol) in reference.items():
        if q in shapes:
            parity.rows.append(_error_row(spec.concept, f"{label}: {q}", dtype, shapes[q], kind=kind))
            continue
        parity.check(f"{label}: {q}", kind, np.concatenate([np.ravel(v) for v in learner[q]]),
                     np.concatenate([np.ravel(v) for v in tf_values]),
                     tol=tol or (parity.tolerance(kind) if why else None), why=why)
    if rounded:
        texts.append(f"{label} returned float64 for float32 inputs; rounded to float32 before comparing")
    quantities = list(reference)
    for k, row in enumerate(parity.rows):
        if row.passed:
            continue
        q = quantities[k]
        if q in shapes:
            message = shapes[q].split(": ", 1)[1]
            what = f"`{q}`{message[len(q):]}" if message.startswith(q + " ") else f"`{q}`: {message}"
        else:
            what = f"`{q}` differs (max rel {row.max_rel:.2g})"
        before = (f"`{quantities[k - 1]}` and every quantity before it agree" if k
                  else "it is the first quantity compared")
        small = ""
        if q not in shapes:
            _, tf_values, _, tol = reference[q]
            tol = tol or parity.tolerance(reference[q][0])
            case = next((c for c, (a, b) in enumerate(zip(learner[q], tf_values, strict=True))
                         if not np.allclose(a, b, rtol=tol.rtol, atol=tol.atol)), 0)
            small = f". Case {case + 1}: yours {_short(learner[q][case])}, TF {_short(tf_values[case])}"
        texts.append(f"{label}: {what}; {before}{small}")
        break
    return parity.rows, texts


def _arg_shapes(args) -> list[str]:
    out = []
    for a in args:
        if isinstance(a, np.ndarray):
            out.append(str(a.shape))
        elif isinstance(a, dict):
            out.append("{" + ", ".join(f"{k}: {np.shape(v)}" for k, v in a.items()) + "}")
        elif isinstance(a, tuple | list):
            out.append(f"{type(a).__name__} of {len(a)}")
        else:
            out.append(repr(a))
    return out


# ---------------------------------------------------------------- command line


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dl-parity check", description="Check your own NumPy implementation of the course functions against "
        "the TF side.", epilog="exit status: 0 all rows passed, 1 a row failed, 2 usage error")
    parser.add_argument("path", metavar="PATH", help="a .py file, or a folder of .py files, with your functions")
    parser.add_argument("--concept", action="append", metavar="ID",
                        help="only the functions of this concept (repeat or comma-separate): "
                        + ", ".join(sorted({s.concept for s in SPECS})))
    parser.add_argument("--json", metavar="FILE", help="also write the rows as JSON to FILE")
    parser.add_argument("--plain", action="store_true", help="plain text even on a terminal")
    parser.add_argument("--timeout", type=_positive_float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=f"time limit of each import and each call (default {DEFAULT_TIMEOUT:g})")
    return parser


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}") from None
    if not value > 0 or math.isinf(value):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def _usage(problem: str) -> int:
    print(f"dl-parity check: {problem}", file=sys.stderr)
    return EXIT_USAGE


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["--worker"] and len(argv) == 2:
        return worker(argv[1])
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return EXIT_USAGE if exc.code else EXIT_PASSED
    from parity_tests import report

    if not os.path.exists(args.path):
        return _usage(f"{args.path} does not exist")
    if os.path.isfile(args.path) and not args.path.endswith(".py"):
        return _usage(f"{args.path} is not a .py file")
    if not python_files(args.path):
        return _usage(f"{args.path} holds no .py file")
    known = sorted({s.concept for s in SPECS}, key=report._concept_key)
    concepts = [c.strip() for arg in args.concept for c in arg.split(",")] if args.concept else None
    unknown = [c for c in concepts or [] if c.upper() not in known]
    if unknown:
        return _usage(f"unknown concept id {', '.join(map(repr, unknown))}; the checked concepts are "
                      f"{', '.join(known)}")
    json_problem = report.json_path_problem(args.json) if args.json is not None else ""
    if json_problem:
        return _usage(f"cannot write --json {args.json}: {json_problem}")
    import parity_tests

    parity_tests.pin_blas()
    start = time.perf_counter()
    try:
        result = check(args.path, concepts, args.timeout)
    except KeyboardInterrupt:
        print("dl-parity check: interrupted; no JSON written", file=sys.stderr)
        return report.EXIT_INTERRUPTED
    seconds = time.perf_counter() - start
    if not result.rows:
        print("dl-parity check: no course function found in " + args.path + "; looked for: "
              + ", ".join(s.name for s in result.not_provided), file=sys.stderr)
        return EXIT_USAGE
    rows = sorted(result.rows, key=lambda r: (r.concept != "import", report._concept_key(r.concept)))
    if args.json is not None:
        report.write_json(rows, args.json)
    if sys.stdout.isatty() and not args.plain:
        report.print_rich(rows, result.notes)
    else:
        report.print_plain(rows, result.notes)
    if result.not_provided:
        print("\nnot provided (not failed): " + "; ".join(f"{s.signature} [{s.concept}]"
                                                         for s in result.not_provided))
    failed = [r for r in rows if not r.passed]
    checked = len({r.quantity.split(":")[0] for r in rows if r.concept != "import"})
    print(f"\n{len(rows)} rows over {checked} function{'s' * (checked != 1)} of {len(result.files)} file"
          f"{'s' * (len(result.files) != 1)}: {len(rows) - len(failed)} passed, {len(failed)} failed "
          f"({seconds:.1f} s)")
    return EXIT_FAILED if failed else EXIT_PASSED


if __name__ == "__main__":
    sys.exit(main())
