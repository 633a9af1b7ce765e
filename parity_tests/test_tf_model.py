"""B19: the course's full TensorFlow model (3 layers, softmax cross-entropy summed per batch, Adam, tf.data
mini-batches) against its NumPy twin with the backward pass and Keras's Adam written out, and against the same
network as Keras Dense layers trained by `fit`.

Data: scikit-learn's digits (64 pixels, 10 classes, 1437 training / 360 test examples), the course's layer
pattern 64-25-12-10. Every comparison starts from the same weights: the course's `initialize_parameters`
(Keras's GlorotNormal(seed=1)) copied to NumPy; the NumPy initialiser's own draw is compared by statistics.
"""

from __future__ import annotations

import functools

import keras
import numpy as np
import pytest
import tensorflow as tf

import numpy_impl.optimization as no
import numpy_impl.tf_model as nt
from keras_impl import convert
from keras_impl import tf_model as kt
from keras_impl._precision import keras_precision
from numpy_impl.datasets import load_digits_data
from parity_tests.error_parity import same_error
from parity_tests.harness import Mapping, Parity, Tol, concept

# The textbook⇄Keras mappings of B19, each proved by the rows of the comparison it names.
MAPPINGS = [
    Mapping("B19", "total loss = Σ over the mini-batch of the categorical cross-entropy of "
                    "softmax(Z3)",
            "CategoricalCrossentropy(from_logits=True, reduction='sum') on Z3.T",
            "test_forward_and_total_loss"),
    Mapping("B19", "the course's Adam step of its TF assignment",
            "keras.optimizers.Adam(learning_rate) with Keras's defaults (ε̂ = 1e-7 beside √v): the "
            "NumPy twin computes that form, state included",
            "test_adam_steps_and_state"),
    Mapping("B19", "the course's model(): tf.data mini-batches in order, one Adam step each, epochs",
            "compile(Adam, the summed loss) + fit(batch_size, epochs, shuffle=False)",
            "test_model_on_digits"),
]

LEARNING_RATE = 0.001  # 10x the course's 0.0001, so that a few epochs already learn something
EPOCHS = 2  # 2 epochs: an epoch boundary after a remainder batch; the long run is test_course_length_run
BATCH = 32  # the course's minibatch_size; 1437 = 44·32 + 29: a remainder batch every epoch
REPORT_M = 8 * BATCH + 29  # the report's trajectory: the first 285 training examples, 9 batches (the last of 29)


@functools.lru_cache(maxsize=1)
def _digits():
    return load_digits_data()


def _data(dtype):
    return tuple(a.astype(dtype) for a in _digits())


def _start(dtype):
    """The course's initial parameters (tf.Variables in the current floatx) and the same values as arrays."""
    variables = kt.initialize_parameters(64, 10)
    return variables, {k: v.astype(dtype) for k, v in convert.to_parameters(variables).items()}


def _keras_model(parameters):
    model = kt.build_keras_model(64, 10)
    convert.set_dense_weights(model, parameters)
    return model


@concept("B19")
def test_course_helpers(parity):
    # linear_function is float64 (NumPy draws, TF keeps them); sigmoid and normalize are float32 by the course
    if parity.dtype == np.float64:
        parity.check("linear_function() = W·X + b (seed 1)", "forward", nt.linear_function(), kt.linear_function())
    else:
        z = np.linspace(-30, 30, 61)
        parity.check("sigmoid(z), z in [-30, 30], cast to float32", "forward", nt.sigmoid(z), kt.sigmoid(z))
        image = np.random.RandomState(0).randint(0, 256, size=(8, 8, 3)).astype(np.uint8)
        parity.check("normalize(8x8x3 image) = image/255 flattened", "forward", nt.normalize(image),
                     kt.normalize(image))
        one_hot = np.stack([nt.one_hot_matrix(label, C=6) for label in range(6)])
        one_hot_tf = tf.stack([kt.one_hot_matrix(tf.constant(label), C=6) for label in range(6)])
        parity.check("one_hot_matrix(label, C=6) for every label", "layout", one_hot, one_hot_tf)


@concept("B19")
def test_initializer_law(parity):
    # the course's sizes (12288 inputs, 6 classes): W1 has 307200 draws, enough for the 1% statistic kind
    variables = kt.initialize_parameters()
    parameters = nt.initialize_parameters(dtype=parity.dtype)
    for key in ("W1", "b1", "W2", "b2", "W3", "b3"):
        assert parameters[key].shape == tuple(variables[key].shape), key
    W1, W1_tf = parameters["W1"], variables["W1"].numpy()
    parity.check("std of W1 (25, 12288): GlorotNormal = √(2/(fan_in + fan_out))", "statistic", np.std(W1),
                 np.std(W1_tf))
    sigma = parity.dtype.type(np.sqrt(2.0 / (25 + 12288)) / nt.GLOROT_TRUNCATION)  # the std before truncation
    parity.check("max |W1| / σ: both truncate at 2σ", "statistic", np.max(np.abs(W1)) / sigma,
                 np.max(np.abs(W1_tf)) / sigma)


@concept("B19")
def test_forward_and_total_loss(parity):
    X, Y, _, _ = _data(parity.dtype)
    variables, parameters = _start(parity.dtype)
    Z3 = nt.forward_propagation(X, parameters)
    parity.check("Z3 = W3·relu(W2·relu(W1·X + b1) + b2) + b3 (tape variables)", "forward", Z3,
                 kt.forward_propagation(X, variables))
    model = _keras_model(parameters)
    Z3_keras = convert.inputs_from_keras(model(convert.inputs_to_keras(X)))
    parity.check("Z3 (Keras Dense layers)", "forward", Z3, Z3_keras)
    J = nt.compute_total_loss(Z3, Y)
    parity.check("total loss Σ categorical CE (from logits)", "cost", J, kt.compute_total_loss(Z3_keras, Y))
    parity.check("total loss: Keras CategoricalCrossentropy(reduction='sum')", "cost", J,
                 kt.keras_total_loss()(convert.labels_to_keras(Y), convert.labels_to_keras(Z3_keras)))


@concept("B19")
def test_every_gradient(parity):
    X, Y, _, _ = _data(parity.dtype)
    variables, parameters = _start(parity.dtype)
    J, grads = nt.total_loss_and_grads(X, Y, parameters)
    J_tf, grads_tf = kt.total_loss_and_grads(X, Y, variables)
    parity.check("total loss before the step", "cost", J, J_tf)
    model = _keras_model(parameters)
    with tf.GradientTape() as tape:
        loss = kt.keras_total_loss()(convert.labels_to_keras(Y), model(convert.inputs_to_keras(X)))
    grads_keras = convert.dense_grads_to_course(tape.gradient(loss, model.trainable_variables), model)
    for key in nt.KEYS:
        parity.check(f"d{key} by hand vs tape", "grad", grads[f"d{key}"], grads_tf[f"d{key}"])
        parity.check(f"d{key} by hand vs Keras Dense", "grad", grads[f"d{key}"], grads_keras[f"d{key}"])


@concept("B19")
def test_adam_steps_and_state(parity):
    # three mini-batches, three Adam steps: the Keras-form rule by hand vs keras.optimizers.Adam, state included
    X, Y, _, _ = _data(parity.dtype)
    variables, parameters = _start(parity.dtype)
    batches = nt.mini_batches(X, Y, BATCH)[:3]
    m, v = nt.initialize_adam(parameters)
    course, course_v, course_s = dict(parameters), *no.initialize_adam(parameters)
    optimizer = kt.course_adam(LEARNING_RATE)
    var_list = [variables[k] for k in nt.KEYS]
    optimizer.build(var_list)
    for t, (X_batch, Y_batch) in enumerate(batches, start=1):
        _, grads = nt.total_loss_and_grads(X_batch, Y_batch, parameters)
        parameters, m, v = nt.update_parameters_with_keras_adam(parameters, grads, m, v, t, LEARNING_RATE)
        # the notes' Adam (numpy_impl.optimization) is Keras's when its ε is ε̂/√(1 - β2^t) at step t
        _, course_grads = nt.total_loss_and_grads(X_batch, Y_batch, course)
        course, course_v, course_s, _, _ = no.update_parameters_with_adam(
            course, course_grads, course_v, course_s, t, LEARNING_RATE, epsilon=1e-7 / np.sqrt(1 - 0.999**t))
        _, grads_tf = kt.total_loss_and_grads(X_batch, Y_batch, variables)
        optimizer.apply_gradients(zip([grads_tf[f"d{k}"] for k in nt.KEYS], var_list, strict=True))
    # m and v are averages of gradients and squared gradients, 1e-9 to 1e-3 here, far below the table's atol.
    # They are judged against their own scale: atol = rtol·max|entry| of the matrix (a gradient entry that is a
    # sum with cancellation carries the absolute rounding of its large terms, not a relative one).
    rtol = parity.tolerance("step").rtol
    why = "Adam's moments are ~1e-9..1e-3: atol = rtol·(largest entry of the matrix), the matrix's own scale"

    def own_scale(a):
        return Tol(rtol, rtol * float(np.max(np.abs(a))))

    for key in nt.KEYS:
        i = optimizer._get_variable_index(variables[key])  # Keras keeps Adam's m and v per variable, by index
        parity.check(f"{key} after 3 Adam steps", "step", parameters[key], variables[key])
        parity.check(f"{key} after 3 steps of the notes' Adam with ε_t = ε̂/√(1 - β2^t)", "step", course[key],
                     variables[key])
        m_tf, v_tf = optimizer._momentums[i].numpy(), optimizer._velocities[i].numpy()
        parity.check(f"Adam m (first moment) of {key} after 3 steps", "step", m[f"d{key}"], m_tf,
                     tol=own_scale(m_tf), why=why)
        parity.check(f"Adam v (second moment) of {key} after 3 steps", "step", v[f"d{key}"], v_tf,
                     tol=own_scale(v_tf), why=why)


@concept("B19")
def test_mini_batches_are_tf_data_batches(parity):
    X, Y, _, _ = _data(parity.dtype)
    batches = nt.mini_batches(X, Y, BATCH)
    batches_tf = list(kt.mini_batches(X, Y, BATCH))
    assert len(batches) == len(batches_tf) == 45
    for k in (0, 44):  # the first full batch and the remainder (29 examples)
        parity.check(f"mini-batch {k} X (NumPy columns vs tf.data rows)", "layout", batches[k][0],
                     convert.inputs_from_keras(batches_tf[k][0]))
        parity.check(f"mini-batch {k} Y", "layout", batches[k][1], convert.inputs_from_keras(batches_tf[k][1]))


@concept("B19")
def test_model_on_digits(parity):
    # short (2 epochs of 9 batches: 18 Adam steps) because tracing and fit's per-step cost dominate; the whole
    # training set for 100 epochs is test_course_length_run. fit (its trace costs more than the run) is compared
    # here in float64, where it matches tightly; its float32 twin is test_fit_in_float32 (slow).
    _train_three_ways_and_compare(parity, EPOCHS, REPORT_M, fit=parity.dtype == np.float64)


def _train_three_ways_and_compare(parity, num_epochs, m_train=None, fit=True):
    X, Y, X_test, Y_test = _data(parity.dtype)
    X, Y = X[:, :m_train], Y[:, :m_train]
    variables, parameters = _start(parity.dtype)
    trained, costs, train_acc, test_acc = nt.model(X, Y, X_test, Y_test, LEARNING_RATE, num_epochs, BATCH,
                                                   print_cost=False, parameters=parameters)
    _, costs_tf, train_acc_tf, test_acc_tf = kt.model(X, Y, X_test, Y_test, LEARNING_RATE, num_epochs, BATCH,
                                                      print_cost=False, parameters=variables)
    if fit:
        model = _keras_model(parameters)
        history = kt.keras_fit(model, X, Y, LEARNING_RATE, num_epochs, BATCH)
        fitted = convert.dense_weights_to_parameters(model)
    steps = num_epochs * -(-X.shape[1] // BATCH)
    for key in nt.KEYS:
        parity.check(f"{key} after {num_epochs} epochs ({steps} Adam steps), tape model", "trajectory",
                     trained[key], variables[key])
        if fit:
            parity.check(f"{key} after {num_epochs} epochs, Keras fit(shuffle=False)", "trajectory", trained[key],
                         fitted[key])
    parity.check(f"epoch costs Σ J_total / m at epochs {list(range(0, num_epochs, 10))}", "trajectory",
                 np.array(costs), np.array(costs_tf))
    parity.check("running train accuracy of the recorded epochs", "trajectory", np.array(train_acc),
                 np.array(train_acc_tf))
    parity.check("test accuracy of the recorded epochs", "trajectory", np.array(test_acc), np.array(test_acc_tf))
    accuracies = [nt.accuracy(X, Y, trained), kt.accuracy(X, Y, variables), nt.accuracy(X_test, Y_test, trained),
                  kt.accuracy(X_test, Y_test, variables)]
    m, m_test = X.shape[1], X_test.shape[1]  # accuracies compared as counts of correct predictions: exact
    parity.check("correct train / test predictions of the trained models (accuracy)", "layout",
                 np.array([round(accuracies[0] * m), round(accuracies[2] * m_test)]),
                 np.array([round(accuracies[1] * m), round(accuracies[3] * m_test)]))
    # fit's epoch loss: a batch-size-weighted mean of the batch sums, not the course's Σ J_total / m
    note = (f"after {num_epochs} epochs ({steps} steps) on {X.shape[1]} examples at α = {LEARNING_RATE}: "
            f"train accuracy NumPy {accuracies[0]:.2%}, tape {accuracies[1]:.2%}; test {accuracies[2]:.2%}, "
            f"{accuracies[3]:.2%}")
    if not fit:
        parity.note(note)
        return
    parity.note(f"{note}; fit's reported loss of "
                f"epoch 0 = {history.history['loss'][0]:.4f} = Σ s_k·J_k / m (batch sizes s_k), the course's cost "
                f"{float(costs[0]):.4f} = Σ J_k / m; with batches of sizes 32 and 29 no constant maps one to the "
                f"other")


@pytest.mark.slow
def test_course_length_run():
    """100 epochs (4500 Adam steps) in float64, at the table's trajectory tolerance; accuracies as the note."""
    with keras_precision("float64"):
        parity = Parity("B19", "float64", case="test_course_length_run")
        _train_three_ways_and_compare(parity, 100)
    assert all(row.passed for row in parity.rows), [r for r in parity.rows if not r.passed]
    print(parity.notes[-1])


@pytest.mark.slow
def test_fit_in_float32():
    """The report's short run with Keras fit in float32 (the report compares fit in float64 only)."""
    with keras_precision("float32"):
        parity = Parity("B19", "float32", case="test_fit_in_float32")
        _train_three_ways_and_compare(parity, EPOCHS, REPORT_M)
    fit_rows = [row for row in parity.rows if "fit(shuffle=False)" in row.quantity]
    assert len(fit_rows) == len(nt.KEYS)
    assert all(row.passed for row in parity.rows), [r for r in parity.rows if not r.passed]


# ---------------------------------------------------------------- bad input: the same error from both twins

_X, _Y, _X_TEST, _Y_TEST = (a[:, :40] for a in load_digits_data())
_NOT_ONE_HOT = _Y.copy()
_NOT_ONE_HOT[:, 3] = 0
_WITH_NAN = _X.copy()
_WITH_NAN[0, 0] = np.nan


@pytest.mark.parametrize(("args", "kwargs", "match"), [
    ((_X.T, _Y, _X_TEST, _Y_TEST), {}, "pass X.T"),
    ((_X, _NOT_ONE_HOT, _X_TEST, _Y_TEST), {}, "one-hot"),
    ((_X, _Y[:, :30], _X_TEST, _Y_TEST), {}, "columns"),
    ((_X, _Y, _X_TEST[:10], _Y_TEST), {}, "n_x = 64"),
    ((_X, _Y, _X_TEST, _Y_TEST[:6]), {}, "n_y = 10"),
    ((_X[:, :0], _Y[:, :0], _X_TEST, _Y_TEST), {}, "no examples"),
    ((_WITH_NAN, _Y, _X_TEST, _Y_TEST), {}, "finite"),
    ((_X, _Y, _X_TEST, _Y_TEST), {"learning_rate": 0.0}, "learning_rate"),
    ((_X, _Y, _X_TEST, _Y_TEST), {"learning_rate": True}, "learning_rate"),
    ((_X, _Y, _X_TEST, _Y_TEST), {"learning_rate": "0.01"}, "learning_rate"),
    ((_X, _Y, _X_TEST, _Y_TEST), {"learning_rate": float("nan")}, "learning_rate"),
    ((_X, _Y, _X_TEST, _Y_TEST), {"num_epochs": 0}, "num_epochs"),
    ((_X, _Y, _X_TEST, _Y_TEST), {"minibatch_size": 2.5}, "minibatch_size"),
    ((_X, _Y, _X_TEST, _Y_TEST), {"learning_rate": 1e30, "num_epochs": 3}, "diverged at iteration 0"),
])
def test_model_rejects_bad_input_the_same_way(args, kwargs, match):
    kwargs = {"print_cost": False, "num_epochs": 1, **kwargs}
    with keras_precision("float32"):
        start = kt.initialize_parameters(64, 10)
        same_error(lambda: nt.model(*args, parameters=convert.to_parameters(start), **kwargs),
                   lambda: kt.model(*args, parameters=start, **kwargs), match=match)


@pytest.mark.parametrize(("call", "match"), [
    (lambda mod: mod.one_hot_matrix(6, C=6), r"\[0, 6\)"),
    (lambda mod: mod.one_hot_matrix(-1), r"\[0, 6\)"),
    (lambda mod: mod.one_hot_matrix(1.5), "integer class index"),
    (lambda mod: mod.one_hot_matrix(1, C=0), "C must be"),
    (lambda mod: mod.normalize(np.full((2, 2, 3), np.nan)), "finite"),
    (lambda mod: mod.initialize_parameters(0, 6), "n_x must be"),
    (lambda mod: mod.forward_propagation(np.zeros((64, 3)), {"W1": np.zeros((25, 64))}), "3 layers"),
])
def test_course_functions_reject_bad_input_the_same_way(call, match):
    same_error(lambda: call(nt), lambda: call(kt), match=match)


def test_keras_initializer_repeats_itself():
    """A fact of Keras 3 the course's code relies on without knowing: an int-seeded initializer returns the same
    numbers at every call of one shape, so `GlorotNormal(seed=1)` called twice for (12, 1) gives equal vectors."""
    initializer = keras.initializers.GlorotNormal(seed=1)
    assert np.array_equal(initializer(shape=(12, 1)), initializer(shape=(12, 1)))
