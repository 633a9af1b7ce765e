"""`dl-parity check PATH`: the learner's-code checker (parity_tests/check.py) finds each planted mistake at the first
wrong quantity, passes correct code, and reports broken files, hung or raising functions and wrong return types.

The learner's code here is a course-style implementation written out below (`LEARNER`), and the planted mistakes are
one-line edits of it made in `tmp_path` (no fixture files). Every run checks that PATH is left untouched.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from parity_tests import check

LEARNER = '''
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(np.dot(w.T, X) + b)
    cost = -1 / m * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    dw = 1 / m * np.dot(X, (A - Y).T)
    db = 1 / m * np.sum(A - Y)
    return {"dw": dw, "db": db}, np.squeeze(np.array(cost))


def L_model_forward(X, parameters):
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L + 1):
        A_prev = A
        Z = np.dot(parameters["W" + str(l)], A_prev) + parameters["b" + str(l)]
        A = sigmoid(Z) if l == L else np.maximum(0, Z)
        caches.append(((A_prev, parameters["W" + str(l)], parameters["b" + str(l)]), Z))
    return A, caches


def compute_cost(AL, Y):
    m = Y.shape[1]
    cost = -1 / m * np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))
    return np.squeeze(cost)


def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = 1 / m * np.dot(dZ, A_prev.T)
    db = 1 / m * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db


def L_model_backward(AL, Y, caches):
    grads = {}
    L = len(caches)
    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    (linear_cache, Z) = caches[L - 1]
    s = sigmoid(Z)
    dZ = dAL * s * (1 - s)
    grads["dA" + str(L - 1)], grads["dW" + str(L)], grads["db" + str(L)] = linear_backward(dZ, linear_cache)
    for l in reversed(range(L - 1)):
        linear_cache, Z = caches[l]
        dZ = np.array(grads["dA" + str(l + 1)], copy=True)
        dZ[Z <= 0] = 0
        grads["dA" + str(l)], grads["dW" + str(l + 1)], grads["db" + str(l + 1)] = linear_backward(dZ, linear_cache)
    return grads


def update_parameters(params, grads, learning_rate):
    parameters = params.copy()
    L = len(parameters) // 2
    for l in range(L):
        parameters["W" + str(l + 1)] = parameters["W" + str(l + 1)] - learning_rate * grads["dW" + str(l + 1)]
        parameters["b" + str(l + 1)] = parameters["b" + str(l + 1)] - learning_rate * grads["db" + str(l + 1)]
    return parameters


def compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    W1, W2, W3 = parameters["W1"], parameters["W2"], parameters["W3"]
    cross_entropy_cost = compute_cost(A3, Y)
    L2_regularization_cost = lambd / (2 * m) * (np.sum(np.square(W1)) + np.sum(np.square(W2)) + np.sum(np.square(W3)))
    return cross_entropy_cost + L2_regularization_cost


def forward_propagation_with_dropout(X, parameters, keep_prob=0.5):
    np.random.seed(1)
    W1, b1, W2, b2, W3, b3 = (parameters[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    Z1 = np.dot(W1, X) + b1
    A1 = np.maximum(0, Z1)
    D1 = (np.random.rand(A1.shape[0], A1.shape[1]) < keep_prob).astype(int)
    A1 = A1 * D1
    A1 = A1 / keep_prob
    Z2 = np.dot(W2, A1) + b2
    A2 = np.maximum(0, Z2)
    D2 = (np.random.rand(A2.shape[0], A2.shape[1]) < keep_prob).astype(int)
    A2 = A2 * D2
    A2 = A2 / keep_prob
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)
    return A3, (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)


def backward_propagation_with_dropout(X, Y, cache, keep_prob):
    m = X.shape[1]
    (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T)
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = np.dot(W3.T, dZ3)
    dA2 = dA2 * D2
    dA2 = dA2 / keep_prob
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T)
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = np.dot(W2.T, dZ2)
    dA1 = dA1 * D1
    dA1 = dA1 / keep_prob
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T)
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2, "dA1": dA1,
            "dZ1": dZ1, "dW1": dW1, "db1": db1}


def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.01, beta1=0.9, beta2=0.999,
                                epsilon=1e-8):
    L = len(parameters) // 2
    v_corrected, s_corrected = {}, {}
    parameters, v, s = dict(parameters), dict(v), dict(s)
    for l in range(1, L + 1):
        for p in ("W", "b"):
            k = "d" + p + str(l)
            v[k] = beta1 * v[k] + (1 - beta1) * grads[k]
            v_corrected[k] = v[k] / (1 - beta1 ** t)
            s[k] = beta2 * s[k] + (1 - beta2) * grads[k] ** 2
            s_corrected[k] = s[k] / (1 - beta2 ** t)
            parameters[p + str(l)] = parameters[p + str(l)] - learning_rate * v_corrected[k] / (
                np.sqrt(s_corrected[k]) + epsilon)
    return parameters, v, s, v_corrected, s_corrected
'''

# Each planted mistake: the line it changes, and the quantity the checker must name first (function, quantity, the
# quantity just before it in the chain, or None when it is the first one).
PLANTED = {
    "missing 1/m": ("    dw = 1 / m * np.dot(X, (A - Y).T)", "    dw = np.dot(X, (A - Y).T)",
                    "propagate", "dw", "cost"),
    "wrong sign in dZ": ("        dZ[Z <= 0] = 0", "        dZ[Z <= 0] = 0\n        dZ = -dZ",
                         "L_model_backward", "dW2", "dA2"),
    "Adam without bias correction": ("            v_corrected[k] = v[k] / (1 - beta1 ** t)",
                                     "            v_corrected[k] = v[k]", "update_parameters_with_adam",
                                     "v_corrected", "v"),
    "dropout without /keep_prob (forward)": ("    A1 = A1 / keep_prob", "    A1 = A1",
                                             "forward_propagation_with_dropout", "A1", "Z1"),
    "L2 term with λ/m": ("    L2_regularization_cost = lambd / (2 * m)", "    L2_regularization_cost = lambd / m",
                         "compute_cost_with_regularization", "cost with λ = 0.7", "cost with λ = 0"),
}
# Two mistakes in functions the first set already edits: a second learner copy.
PLANTED_2 = {
    "keepdims missing": ("    db = 1 / m * np.sum(dZ, axis=1, keepdims=True)", "    db = 1 / m * np.sum(dZ, axis=1)",
                         "L_model_backward", "db3", "dW3"),
    "dropout without /keep_prob (backward)": ("    dA2 = dA2 / keep_prob\n", "",
                                              "backward_propagation_with_dropout", "dW2", "db3"),
}


def _plant(planted: dict) -> str:
    source = LEARNER
    for old, new, *_ in planted.values():
        assert source.count(old) == 1, old
        source = source.replace(old, new)
    return source


def _snapshot(path) -> dict:
    out = {}
    for root, dirs, files in os.walk(path):
        for f in files:
            full = os.path.join(root, f)
            out[full] = os.path.getmtime(full)
        out.update({os.path.join(root, d): None for d in dirs})
    return out


def _run(path, *args, timeout=check.DEFAULT_TIMEOUT, tmp_path=None):
    """`check.main` on PATH in a subprocess (the CLI as a user runs it); PATH must be unchanged afterwards."""
    before = _snapshot(path if os.path.isdir(path) else os.path.dirname(path))
    json_path = os.path.join(tmp_path, "rows.json")
    proc = subprocess.run([sys.executable, "-m", "parity_tests.check", str(path), "--plain", "--json", json_path,
                           "--timeout", str(timeout), *args], capture_output=True, text=True, timeout=300,
                          cwd=tmp_path)
    assert _snapshot(path if os.path.isdir(path) else os.path.dirname(path)) == before, "check wrote into PATH"
    rows = json.load(open(json_path, encoding="utf-8"))["rows"] if os.path.exists(json_path) else []
    return proc, rows


COPIES = {"correct": LEARNER, "planted": _plant(PLANTED), "planted_2": _plant(PLANTED_2)}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """One check run over a folder holding the three learner copies (a folder of files, each defining every
    function: each row names its file), all nine functions in both dtypes."""
    folder = tmp_path_factory.mktemp("check")
    (folder / "learner").mkdir()
    for name, source in COPIES.items():
        (folder / "learner" / f"{name}.py").write_text(source, encoding="utf-8")
    return _run(folder / "learner", tmp_path=folder)


def _of(rows, copy):
    """The rows of one copy, with the file tag taken out of the quantity: `propagate: dw`."""
    tag = f" [{copy}.py]:"
    return [dict(r, quantity=r["quantity"].replace(tag, ":")) for r in rows if tag in r["quantity"]]


def test_correct_learner_passes(results):
    proc, rows = results
    rows = _of(rows, "correct")
    functions = {r["quantity"].split(":")[0] for r in rows}
    assert functions == {s.name for s in check.SPECS}
    assert {r["dtype"] for r in rows} == {"float64", "float32"}
    assert all(r["passed"] for r in rows)
    assert "not provided" not in proc.stdout


@pytest.mark.parametrize("mistake", list(PLANTED) + list(PLANTED_2))
def test_planted_mistake_named_at_first_wrong_quantity(results, mistake):
    copy, planted = ("planted", PLANTED) if mistake in PLANTED else ("planted_2", PLANTED_2)
    proc, rows = results
    _, _, function, quantity, before = planted[mistake]
    assert proc.returncode == 1
    mine = [r for r in _of(rows, copy) if r["quantity"].startswith(f"{function}: ") and r["dtype"] == "float64"]
    first_failed = next(r for r in mine if not r["passed"])
    assert first_failed["quantity"] == f"{function}: {quantity}"
    assert all(r["passed"] for r in mine[:mine.index(first_failed)])
    label = f"{function} [{copy}.py]"
    if quantity == "db3":  # keepdims missing: a wrong shape, named with the expected one
        assert "has shape (1,); expected an array of shape (1, 1)" in first_failed["problem"]
        expected = f"{label}: `db3` has shape (1,); expected an array of shape (1, 1); `{before}` and every quantity"
    else:
        expected = f"{label}: `{quantity}` differs (max rel"
        assert f"`{before}` and every quantity before it agree. Case " in proc.stdout
    assert f"[float64] {expected}" in proc.stdout


def test_other_functions_of_planted_copies_still_pass(results):
    """A mistake in one function fails only that function's rows."""
    _, rows = results
    for copy, planted in (("planted", PLANTED), ("planted_2", PLANTED_2)):
        wrong = {v[2] for v in planted.values()}
        assert all(r["passed"] for r in _of(rows, copy) if r["quantity"].split(":")[0] not in wrong)


def test_project_numpy_impl_passes(tmp_path):
    """The project's own numpy_impl folder (27 files; names reused across its modules are resolved by companions)."""
    folder = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "numpy_impl")
    proc, rows = _run(folder, tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert {r["quantity"].split(":")[0] for r in rows} == {s.name for s in check.SPECS}


BROKEN = {
    "syntax_error.py": "def propagate(w, b, X, Y)\n    return None\n",
    "raises_on_import.py": "import numpy as np\nraise RuntimeError('data file not found')\n",
    "functions.py": '''
import os

import numpy as np


def compute_cost(AL, Y):
    while True:
        pass


def update_parameters(parameters, grads, learning_rate):
    return [parameters["W1"]]


def L_model_forward(X, parameters):
    raise NotImplementedError("todo")


def compute_cost_with_regularization(A3, Y, parameters, lambd):
    return np.ones((1, 1))


def backward_propagation_with_dropout(X, Y, cache, keep_prob):
    os._exit(3)
''',
}


def test_broken_folder(tmp_path):
    folder = tmp_path / "learner"
    folder.mkdir()
    for name, text in BROKEN.items():
        (folder / name).write_text(text, encoding="utf-8")
    proc, rows = _run(folder, timeout=3, tmp_path=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    problems = {(r["quantity"], r["dtype"]): r["problem"] for r in rows}
    assert problems[("syntax_error.py", "float64")].startswith("SyntaxError: expected ':' (syntax_error.py, line 1)")
    assert problems[("raises_on_import.py", "float64")].startswith("RuntimeError: data file not found")
    assert "did not finish within 3 s (an infinite loop?)" in problems[("compute_cost", "float64")]
    assert ("case 1 of 3: parameters is list; expected a dict with keys W1, b1, W2, b2, W3, b3"
            in problems[("update_parameters: return value", "float64")])
    assert "raised NotImplementedError: todo (at functions.py, line 17)" in problems[("L_model_forward", "float64")]
    assert "has shape (1, 1); expected a scalar (np.squeeze(cost), shape ())" in problems[
        ("compute_cost_with_regularization: cost with λ = 0", "float32")]
    not_provided = proc.stdout.split("not provided (not failed): ")[1].splitlines()[0]
    assert ("ended the worker process (exit code 3) without returning"
            in problems[("backward_propagation_with_dropout", "float64")])
    for name in ("propagate", "L_model_backward", "update_parameters_with_adam", "forward_propagation_with_dropout"):
        assert f"{name}(" in not_provided
    assert not any(r["quantity"].startswith(("propagate", "L_model_backward")) for r in rows)


@pytest.mark.parametrize("args, message", [
    (["/no/such/path.py"], "does not exist"),
    (["README.md"], "is not a .py file"),
    (["docs"], "holds no .py file"),
    (["numpy_impl", "--concept", "Z9"], "unknown concept id 'Z9'"),
    (["numpy_impl", "--timeout", "0"], "expected a positive number of seconds"),
])
def test_usage_errors(args, message):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    proc = subprocess.run([sys.executable, "-m", "parity_tests.check", *args], capture_output=True, text=True,
                          cwd=root, timeout=120)
    assert proc.returncode == 2
    assert message in proc.stderr


def test_dl_parity_check_dispatches_to_the_checker():
    """`dl-parity check ...` (report.main with "check" first) is the checker's command line."""
    proc = subprocess.run([sys.executable, "-m", "parity_tests", "check", "/no/such/path.py"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 2
    assert "dl-parity check: /no/such/path.py does not exist" in proc.stderr


def test_nothing_to_check_is_a_usage_error(tmp_path):
    learner = tmp_path / "empty.py"
    learner.write_text("import numpy as np\n\n\ndef helper(x):\n    return x\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "parity_tests.check", str(learner), "--plain"], capture_output=True,
                          text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 2
    assert "no course function found" in proc.stderr
