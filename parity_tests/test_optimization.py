"""B10, B12-B15: mini-batches, momentum, RMSprop, Adam, learning-rate decay; NumPy vs tape vs Keras optimizers.

Two kinds of inputs. (1) A fixed sequence of random gradients (seeded, entries ~N(0, 10²), never 0: the velocity (1-β)dW
and the moments then lie where rtol judges) fed to the
update rules of both sides: the rules alone, step by step and over 50 steps, parameters AND optimizer state.
(2) The course's network [2, 5, 2, 1] on the moons (course start: seed 3, He scale), trained with the
course's mini-batches (size 64, seeds 11, 12, ...) by NumPy, by the tape loop and by Keras optimizers in a
compiled loop: parameters and state after every epoch. The Keras optimizers come from the mappings of
keras_impl.optimization (`keras_momentum`, `keras_rmsprop`, `keras_adam`, `translate`); each row says which.
"""

from __future__ import annotations

import functools

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_impl.optimization as ko
import numpy_impl.optimization as no
from keras_impl import convert
from keras_impl._precision import keras_precision
from numpy_impl.datasets import load_moons_dataset
from parity_tests.error_parity import same_error
from parity_tests.harness import Mapping, Parity, Tol, concept

LAYERS_DIMS = [2, 5, 2, 1]
SHAPES = {"W1": (4, 3), "b1": (4, 1), "W2": (2, 4), "b2": (2, 1)}
STEPS = 50  # the gradient-sequence trajectories
EPOCHS = 10  # the moons trajectories in the report (5 mini-batches each: 50 updates)
KEYS = [f"d{k}" for k in SHAPES]

# The textbook⇄Keras mappings of B10 and B12-B15, each proved by the rows of the comparison it names.
MAPPINGS = [
    # B10: mini-batch gradient descent
    Mapping("B10", "W := W - α dW, b := b - α db (update_parameters_with_gd)",
            "SGD(learning_rate=α) without momentum (keras_sgd): variable -= α·gradient; two chained steps on the same "
            "gradients give the course's parameters",
            "test_gd_one_step"),
    Mapping("B10", "random_mini_batches(X, Y, 64, seed): the columns in np.random.seed(seed); permutation(m) order, "
            "cut into full batches of 64, then the remainder (m = 300: 64, 64, 64, 64, 44)",
            "tf.data.Dataset.from_tensor_slices on the rows (x = X.T) in the same NumPy permutation "
            "(course_permutation), .batch(64): the same five batches (mini_batch_dataset)",
            "test_mini_batches_are_the_same"),
    Mapping("B10", "the mini-batch cost Σ_i L(a_i, y_i) (compute_cost) and the gradients of the batch mean, "
            "dZL = (AL - Y)/m_batch",
            "BinaryCrossentropy(from_logits=True) is the batch mean: times the batch size it is the course's cost; "
            "its gradients through the Dense layers are the course's dW, db",
            "test_per_batch_costs_and_gradients"),
    Mapping("B10", "the epoch cost Σ of every per-example loss / m, over batches of 64, 64, 64, 64, 44",
            "fit(mini_batch_dataset(...), shuffle=False): its epoch loss (a running mean of the batch losses weighted "
            "by batch size) equals it exactly, and the weights after each epoch are the course's; the unweighted "
            "mean of the 5 batch means differs (the float64 note measures by how much)",
            "test_fit_over_the_same_batches"),
    Mapping("B10", "the course's loop: epoch e shuffled with seed + e + 1, one update per mini-batch",
            "make_keras_loop / keras_train with SGD(α): one apply_gradients per mini-batch over the same batches; "
            "parameters and epoch costs after each of 10 epochs equal NumPy's",
            "test_mini_batch_gd_every_epoch"),
    Mapping("B10", "predict: ŷ = 1 where σ(ZL) > 0.5",
            "the Keras model returns the logits (the sigmoid is left to the loss): logit > 0 gives the same 0/1 "
            "predictions and accuracy",
            "test_course_model_and_predictions"),
    # B12: momentum
    Mapping("B12", "v := βv + (1 - β)dW; W := W - αv",
            "SGD(learning_rate=α(1-β), momentum=β) (keras_momentum): Keras keeps m := βm - lr·dW, W += m, so "
            "m = -α·v; parameters and -m/α equal the course's after 2 steps from v ≠ 0",
            "test_momentum_one_step"),
    Mapping("B12", "the same rule over 50 steps of a fixed gradient sequence",
            "keras_momentum, and CourseMomentum (a Keras optimizer whose velocity is the course's v itself): "
            "parameters and v after 50 steps",
            "test_momentum_trajectory"),
    Mapping("B12", "the course's momentum on the moons (α = 0.05, β = 0.9, mini-batches of 64)",
            "keras_momentum in the compiled Keras loop: parameters and v = -m/α after each of 10 epochs",
            "test_momentum_on_moons"),
    Mapping("B12", "the course's run with α = 0.0007, β = 0.9",
            "keras_momentum is exact after the first step; the numbers passed straight, SGD(learning_rate=α, "
            "momentum=β), lack the (1 - β) factor (a velocity 1/(1-β) = 10 times the course's): the float64 note "
            "measures the gap",
            "test_momentum_exact_vs_naive"),
    # B13: RMSprop
    Mapping("B13", "s := βs + (1 - β)dW²; the course's W := W - α dW/(√s + ε), the notes' W := W - α dW/√(s + ε)",
            "RMSprop(rho=β, epsilon=ε, momentum=0, centered=False) divides by √(s + ε), the notes' form "
            "(keras_rmsprop); the course's is CourseRMSprop. At ε = 0.5 (where the placement matters) each equals "
            "its form after 2 steps, parameters and s (Keras's velocity)",
            "test_rmsprop_one_step"),
    Mapping("B13", "the course's RMSprop at ε = 0",
            "stock RMSprop(rho=β, epsilon=0) (keras_rmsprop(α, β, 0)): the two forms coincide; parameters and s "
            "after 50 steps",
            "test_rmsprop_trajectory"),
    Mapping("B13", "the course's RMSprop on the moons (α = 0.01, β = 0.9, ε = 1e-8 outside the root)",
            "translate('rmsprop', ..., custom=True) = CourseRMSprop in the compiled Keras loop: parameters and s "
            "after each of 10 epochs",
            "test_rmsprop_on_moons"),
    Mapping("B13", "the course's run with α = 0.0007, β = 0.9, ε = 1e-8",
            "CourseRMSprop is exact after the first step; stock RMSprop(learning_rate=α, rho=β, epsilon=1e-8) puts ε "
            "inside the root: the float64 note measures its gap",
            "test_rmsprop_exact_vs_naive"),
    # B14: Adam
    Mapping("B14", "v := β1 v + (1-β1)dW, v̂ = v/(1-β1^t); s := β2 s + (1-β2)dW², ŝ = s/(1-β2^t); "
            "W := W - α v̂/(√ŝ + ε) (the course's test values α = 0.02, β1 = 0.8, β2 = 0.888, ε = 1e-2)",
            "Keras's Adam folds both corrections into its step, α_t = lr·√(1-β2^t)/(1-β1^t), W -= m·α_t/(√v + ε̂): "
            "the course's rule when ε̂ = ε·√(1-β2^t), a per-step ε (AdamCourseEpsilon = keras_adam); its m, v are "
            "the course's uncorrected v, s. Parameters, v and s at t = 2",
            "test_adam_one_step"),
    Mapping("B14", "the course's Adam at ε = 0, 1e-8 and 0.1, over 50 steps",
            "ε = 0: stock Adam(learning_rate=α, beta_1=β1, beta_2=β2, epsilon=0) is exact; ε > 0: AdamCourseEpsilon "
            "(keras_adam) is exact at 1e-8 and at 0.1; parameters, v and s after 50 steps",
            "test_adam_trajectory"),
    Mapping("B14", "the notes' Adam with ε inside the root, W := W - α v̂/√(ŝ + ε)",
            "AdamCourseEpsilon(eps_inside_sqrt=True): √(v + ε(1-β2^t)) in Keras's uncorrected v; exact after 50 "
            "steps at ε = 0.1",
            "test_adam_trajectory"),
    Mapping("B14", "t counts the mini-batch updates from 1, across epochs",
            "Keras's local step is iterations + 1, over every apply_gradients: keras_adam in the compiled loop equals "
            "the course's Adam on the moons (t = 1..50), parameters, v and s after each of 10 epochs",
            "test_adam_on_moons"),
    Mapping("B14", "the course's run with α = 0.0007, β1 = 0.9, β2 = 0.999, ε = 1e-8",
            "keras_adam (AdamCourseEpsilon) is exact after the first step; stock Adam(epsilon=1e-8) uses 1e-8 as ε̂, "
            "i.e. the course's ε = 1e-8/√(1-β2^t) (31.6 times larger at t = 1): the float64 note measures the gap",
            "test_adam_exact_vs_naive"),
    # B15: learning-rate decay
    Mapping("B15", "α = α0/(1 + decay_rate·epoch_num), α0/(1 + decay_rate·⌊epoch_num/time_interval⌋), "
            "0.95^epoch_num·α0, k/√(epoch_num + 1)·α0",
            "the TF-op twins update_lr, schedule_lr_decay, exponential_lr_decay, sqrt_lr_decay at epochs 0..99 and "
            "around the staircase steps 999..3000 (time_interval 1000)",
            "test_decay_functions"),
    Mapping("B15", "epoch e (from 0) trains with α = f(e - 1), α0 in epoch 0: the course updates α after each epoch",
            "Keras schedules take the optimizer step: InverseTimeDecay(α0, decay_steps=S, decay_rate, staircase=True) "
            "for update_lr (decay_steps=S·time_interval for schedule_lr_decay), ExponentialDecay(α0, S, decay_rate, "
            "staircase=True), the custom InverseSqrtDecay; S = 5 mini-batches per epoch; wrapped in EpochLagged "
            "(keras_schedule) they give the course's α at every step",
            "test_keras_schedules_at_every_step"),
    Mapping("B15", "the same α of each epoch, f(e - 1)",
            "a stock staircase schedule alone is one epoch early: at step s it gives the course's α of step s + S "
            "(the float64 note counts the steps where the unlagged InverseTimeDecay differs)",
            "test_keras_schedules_at_every_step"),
    Mapping("B15", "the course's loop with decay=update_lr (α set after each epoch)",
            "fit with LearningRateScheduler(lambda epoch, lr: f(max(epoch - 1, 0))) (keras_lr_scheduler): the α of "
            "each epoch and the weights after each of 4 epochs",
            "test_learning_rate_scheduler_in_fit"),
    Mapping("B15", "the course's loop with a decay, on the moons: gd + update_lr, momentum + schedule_lr_decay, "
            "Adam + 0.95^epoch, the notes' RMSprop + k/√epoch",
            "translate(..., decay, steps_per_epoch=5, custom=True): SGD with the lagged InverseTimeDecay, "
            "CourseMomentum (stock SGD(momentum=) multiplies α_t into its velocity), AdamCourseEpsilon, stock RMSprop "
            "with ε inside the root; parameters and state after each of 10 epochs (float32: the two custom ones)",
            "test_decay_trajectories_on_moons"),
    Mapping("B15", "every course optimizer × every course decay (and none)",
            "translate(optimizer, α0, decay=..., custom=True) reproduces the course's rules over 10 steps (5 epochs of "
            "2) at ε = 0.1, where a wrong ε placement would show (float32: one schedule per optimizer)",
            "test_translator_every_pair"),
]


def _random_parameters(dtype, seed=0):
    rng = np.random.RandomState(seed)
    return {k: rng.randn(*shape).astype(dtype) for k, shape in SHAPES.items()}


def _gradient_sequence(dtype, n=STEPS, seed=1):
    rng = np.random.RandomState(seed)
    return [{f"d{k}": (10 * rng.randn(*shape)).astype(dtype) for k, shape in SHAPES.items()} for _ in range(n)]


@functools.lru_cache(maxsize=1)
def _moons():
    return load_moons_dataset()


def _moons_start(dtype):
    X, Y = _moons()
    return X.astype(dtype), Y.astype(dtype), {k: v.astype(dtype) for k, v in
                                               no.initialize_parameters(LAYERS_DIMS).items()}


def _apply_keras(optimizer, variables: dict, grads: dict):
    """One `apply_gradients` of a Keras optimizer on course-layout variables {"W1": tf.Variable, ...}."""
    optimizer.apply_gradients([(tf.constant(grads[f"d{k}"]), variables[k]) for k in variables])


def _apply_all(optimizer, variables: dict, grads: list) -> None:
    """`apply_gradients` for each gradient dict of the sequence, in one tf.function (3x faster than eager)."""
    _apply_all_many([(optimizer, variables)], grads)


def _apply_all_many(pairs: list, grads: list) -> None:
    """The same gradient sequence through several (optimizer, variables) pairs, all in one tf.function."""
    names = list(pairs[0][1])
    stacked = [tf.constant(np.stack([g[f"d{k}"] for g in grads])) for k in names]
    for optimizer, variables in pairs:
        optimizer.build([variables[k] for k in names])

    @tf.function
    def run():
        for i in tf.range(len(grads)):
            for optimizer, variables in pairs:
                optimizer.apply_gradients(zip([s[i] for s in stacked], [variables[k] for k in names], strict=True))

    run()


def _state(optimizer, variables: dict, name: str, learning_rate=None) -> dict:
    """The optimizer's state `name` ("v" or "s") under the course's keys; stock SGD's m converted to v = -m/α."""
    slots = ko.keras_slots(optimizer, list(variables.values()))
    if name == "v" and "m" in slots:
        return {f"d{k}": ko.course_velocity(m, learning_rate) for k, m in zip(variables, slots["m"], strict=True)}
    return {f"d{k}": s for k, s in zip(variables, slots[name], strict=True)}


def _flat(d: dict, keys) -> np.ndarray:
    return np.concatenate([np.ravel(d[k].numpy() if hasattr(d[k], "numpy") else np.asarray(d[k])) for k in keys])


def _check_dicts(parity, label, kind, a: dict, b: dict, keys=None, **kw):
    """One row for a whole dict (W1, b1, W2, b2 or dW1, ... concatenated, in that order)."""
    keys = list(keys or a)
    parity.check(f"{label} {', '.join(keys)}", kind, _flat(a, keys), _flat(b, keys), **kw)


# ---------------------------------------------------------------- B12 momentum


@concept("B12")
def test_momentum_one_step(parity):
    """One course momentum step (β = 0.9, α = 0.01, from a non-zero velocity): NumPy vs TF ops vs
    keras_momentum = SGD(α(1-β), momentum=β) whose velocity m must equal -α v."""
    dt, alpha, beta = parity.dtype, 0.01, 0.9
    parameters, (g0, g1) = _random_parameters(dt), _gradient_sequence(dt, 2)
    v = no.initialize_velocity(parameters)
    p1, v1 = no.update_parameters_with_momentum(parameters, g0, v, beta, alpha)
    p2, v2 = no.update_parameters_with_momentum(p1, g1, v1, beta, alpha)
    tp1, tv1 = ko.update_parameters_with_momentum(parameters, g0, ko.initialize_velocity(parameters), beta, alpha)
    tp2, tv2 = ko.update_parameters_with_momentum(p1, g1, v1, beta, alpha)
    _check_dicts(parity, "tape: parameters after one step:", "step", p1, tp1)
    _check_dicts(parity, "tape: v after the second step:", "step", v2, tv2)
    _check_dicts(parity, "tape: parameters after the second step (from v ≠ 0):", "step", p2, tp2)
    del tv1
    variables = convert.to_variables(parameters)
    opt = ko.keras_momentum(alpha, beta)
    _apply_keras(opt, variables, g0)
    _apply_keras(opt, variables, g1)
    _check_dicts(parity, "keras_momentum: parameters after 2 steps:", "step", p2, convert.to_parameters(variables))
    _check_dicts(parity, "keras_momentum: -m/α = course v after 2 steps:", "step", v2,
                 _state(opt, variables, "v", alpha), KEYS)


@concept("B10")
def test_gd_one_step(parity):
    """`update_parameters_with_gd` (W := W - α dW, b := b - α db) in NumPy and in TF ops, two chained steps
    and keras_sgd on the same gradients."""
    dt, alpha = parity.dtype, 0.05
    parameters, (g0, g1) = _random_parameters(dt), _gradient_sequence(dt, 2)
    p1 = no.update_parameters_with_gd(parameters, g0, alpha)
    p2 = no.update_parameters_with_gd(p1, g1, alpha)
    _check_dicts(parity, "tape: parameters after one gd step:", "step", p1,
                 ko.update_parameters_with_gd(parameters, g0, alpha))
    _check_dicts(parity, "tape: parameters after the second gd step:", "step", p2,
                 ko.update_parameters_with_gd(p1, g1, alpha))
    variables = convert.to_variables(parameters)
    opt = ko.keras_sgd(alpha)
    _apply_keras(opt, variables, g0)
    _apply_keras(opt, variables, g1)
    _check_dicts(parity, "keras_sgd: parameters after 2 gd steps:", "step", p2, convert.to_parameters(variables))


@concept("B12")
def test_momentum_trajectory(parity):
    """50 steps over a fixed gradient sequence: parameters and velocity, NumPy vs keras_momentum and
    CourseMomentum (the custom optimizer whose velocity is the course's v itself)."""
    dt, alpha, beta = parity.dtype, 0.05, 0.9
    parameters, grads = _random_parameters(dt), _gradient_sequence(dt)
    p, v = parameters, no.initialize_velocity(parameters)
    for g in grads:
        p, v = no.update_parameters_with_momentum(p, g, v, beta, alpha)
    cases = [(label, opt, convert.to_variables(parameters))
             for label, opt in (("keras_momentum", ko.keras_momentum(alpha, beta)),
                                ("CourseMomentum", ko.CourseMomentum(learning_rate=ko.hyper(alpha),
                                                                     beta=ko.hyper(beta))))]
    _apply_all_many([(opt, variables) for _, opt, variables in cases], grads)
    for label, opt, variables in cases:
        _check_dicts(parity, f"{label}: parameters after {STEPS} steps:", "trajectory", p,
                     convert.to_parameters(variables))
        _check_dicts(parity, f"{label}: v after {STEPS} steps:", "trajectory", v, _state(opt, variables, "v", alpha))


# ---------------------------------------------------------------- B13 RMSprop


@concept("B13")
def test_rmsprop_one_step(parity):
    """RMSprop (β = 0.9, α = 0.01): the course's ε outside the root and the notes' ε inside, NumPy vs TF ops;
    Keras's RMSprop is the notes' form (keras_rmsprop), CourseRMSprop the course's; ε = 0.5 so that the
    placement matters (at 1e-8 both forms agree to ~1e-9 relative and a wrong mapping would pass in float32)."""
    dt, alpha, beta, eps = parity.dtype, 0.01, 0.9, 0.5
    parameters, grads = _random_parameters(dt), _gradient_sequence(dt, 2)
    for inside, label, make in ((True, "notes' ε inside √: keras_rmsprop", lambda: ko.keras_rmsprop(alpha, beta, eps)),
                                (False, "course's ε outside √: CourseRMSprop",
                                 lambda: ko.CourseRMSprop(learning_rate=ko.hyper(alpha), rho=ko.hyper(beta),
                                                          epsilon=ko.hyper(eps)))):
        p, s = parameters, no.initialize_rmsprop(parameters)
        tp, ts = parameters, ko.initialize_rmsprop(parameters)
        variables, opt = convert.to_variables(parameters), make()
        for g in grads:
            p, s = no.update_parameters_with_rmsprop(p, g, s, beta, alpha, eps, eps_inside_sqrt=inside)
            tp, ts = ko.update_parameters_with_rmsprop(tp, g, ts, beta, alpha, eps, eps_inside_sqrt=inside)
            _apply_keras(opt, variables, g)
        _check_dicts(parity, f"tape, {'inside' if inside else 'outside'}: parameters after 2 steps:", "step", p, tp)
        _check_dicts(parity, f"tape, {'inside' if inside else 'outside'}: s after 2 steps:", "step", s, ts)
        _check_dicts(parity, f"{label}: parameters after 2 steps:", "step", p, convert.to_parameters(variables))
        _check_dicts(parity, f"{label}: s after 2 steps:", "step", s, _state(opt, variables, "s"))


@concept("B13")
def test_rmsprop_trajectory(parity):
    """50 steps: the course's RMSprop at ε = 0 is stock Keras RMSprop(epsilon=0) (the gradients are never 0
    here; a gradient that stays 0 would give 0/0 on both sides), parameters and s."""
    dt, alpha, beta = parity.dtype, 0.01, 0.9
    parameters, grads = _random_parameters(dt), _gradient_sequence(dt)
    p, s = parameters, no.initialize_rmsprop(parameters)
    for g in grads:
        p, s = no.update_parameters_with_rmsprop(p, g, s, beta, alpha, 0.0)
    opt, variables = ko.keras_rmsprop(alpha, beta, 0.0), convert.to_variables(parameters)
    _apply_all(opt, variables, grads)
    _check_dicts(parity, f"keras_rmsprop(ε=0): parameters after {STEPS} steps:", "trajectory", p,
                 convert.to_parameters(variables))
    _check_dicts(parity, f"keras_rmsprop(ε=0): s after {STEPS} steps:", "trajectory", s, _state(opt, variables, "s"))


# ---------------------------------------------------------------- B14 Adam


@concept("B14")
def test_adam_one_step(parity):
    """The course's Adam (t = 1, 2; the course's own test values α = 0.02, β1 = 0.8, β2 = 0.888, ε = 1e-2):
    NumPy vs TF ops (incl. v_corrected, s_corrected) vs keras_adam = AdamCourseEpsilon (Keras's Adam with
    ε̂_t = ε√(1-β2^t)); Keras's m, v are the course's v, s."""
    dt, alpha, b1, b2, eps = parity.dtype, 0.02, 0.8, 0.888, 1e-2
    parameters, grads = _random_parameters(dt), _gradient_sequence(dt, 2)
    p, (v, s) = parameters, no.initialize_adam(parameters)
    tp, (tv, ts) = parameters, ko.initialize_adam(parameters)
    variables, opt = convert.to_variables(parameters), ko.keras_adam(alpha, b1, b2, eps)
    for t, g in enumerate(grads, start=1):
        p, v, s, vc, sc = no.update_parameters_with_adam(p, g, v, s, t, alpha, b1, b2, eps)
        tp, tv, ts, tvc, tsc = ko.update_parameters_with_adam(tp, g, tv, ts, t, alpha, b1, b2, eps)
        _apply_keras(opt, variables, g)
    _check_dicts(parity, "tape: v_corrected at t = 2:", "step", vc, tvc)
    _check_dicts(parity, "tape: s_corrected at t = 2:", "step", sc, tsc)
    _check_dicts(parity, "tape: parameters at t = 2:", "step", p, tp)
    _check_dicts(parity, "keras_adam (AdamCourseEpsilon): parameters at t = 2:", "step", p,
                 convert.to_parameters(variables))
    _check_dicts(parity, "keras_adam: Keras m = course v at t = 2:", "step", v, _state(opt, variables, "v"))
    _check_dicts(parity, "keras_adam: Keras v = course s at t = 2:", "step", s, _state(opt, variables, "s"))


@concept("B14")
def test_adam_trajectory(parity):
    """50 steps, parameters and both moments: keras_adam with the course's ε = 1e-8 (AdamCourseEpsilon), ε = 1e-1
    (where a constant-ε Adam is visibly wrong), ε = 0 (stock keras.optimizers.Adam), and the notes' ε inside
    √ŝ (AdamCourseEpsilon(eps_inside_sqrt=True))."""
    dt, alpha, b1, b2 = parity.dtype, 0.01, 0.9, 0.999
    parameters, grads = _random_parameters(dt), _gradient_sequence(dt)
    cases = [("keras_adam(ε=1e-8)", 1e-8, False, lambda: ko.keras_adam(alpha, b1, b2, 1e-8)),
             ("keras_adam(ε=0.1)", 1e-1, False, lambda: ko.keras_adam(alpha, b1, b2, 1e-1)),
             ("keras_adam(ε=0) = stock Adam", 0.0, False, lambda: ko.keras_adam(alpha, b1, b2, 0.0)),
             ("AdamCourseEpsilon(ε=0.1 inside √ŝ)", 1e-1, True,
              lambda: ko.AdamCourseEpsilon(learning_rate=ko.hyper(alpha), beta_1=ko.hyper(b1), beta_2=ko.hyper(b2),
                                           epsilon=ko.hyper(1e-1), eps_inside_sqrt=True))]
    keras_runs = [(make(), convert.to_variables(parameters)) for _, _, _, make in cases]
    _apply_all_many(keras_runs, grads)
    for (label, eps, inside, _), (opt, variables) in zip(cases, keras_runs, strict=True):
        p, (v, s) = parameters, no.initialize_adam(parameters)
        for t, g in enumerate(grads, start=1):
            p, v, s, _, _ = no.update_parameters_with_adam(p, g, v, s, t, alpha, b1, b2, eps, eps_inside_sqrt=inside)
        if eps == 0:
            assert type(opt) is tf.keras.optimizers.Adam or type(opt).__name__ == "Adam", type(opt)
        _check_dicts(parity, f"{label}: parameters after {STEPS} steps:", "trajectory", p,
                     convert.to_parameters(variables))
        _check_dicts(parity, f"{label}: v after {STEPS} steps:", "trajectory", v, _state(opt, variables, "v"))
        _check_dicts(parity, f"{label}: s after {STEPS} steps:", "trajectory", s, _state(opt, variables, "s"))


# ---------------------------------------------------------------- B10 mini-batches


def _course_history(X, Y, p0, optimizer, epochs=EPOCHS, **kw):
    return no.train(X, Y, p0, optimizer, num_epochs=epochs, record_every_epoch=True, **kw)


def _epochs(history, part: str, name: str | None = None) -> dict:
    """{key: array (epochs, ...)} of the parameters (part="parameters") or of a state ("state", name="v"/"s")."""
    snaps = [h[part] if name is None else h[part][name] for h in history]
    return {k: np.stack([np.asarray(s[k]) for s in snaps]) for k in snaps[0]}


@concept("B10")
def test_mini_batches_are_the_same(parity):
    """The course's random_mini_batches (seed 11, size 64, m = 300: 4 full batches and 44 left) vs the TF twin
    (tf.gather in the same order) vs the tf.data pipeline (Keras layout, moved back through convert)."""
    X, Y, _ = _moons_start(parity.dtype)
    batches = no.random_mini_batches(X, Y, 64, seed=11)
    tf_batches = ko.random_mini_batches(X, Y, 64, seed=11)
    data = list(ko.mini_batch_dataset(X, Y, 64, seed=11))
    sizes = np.array([b[0].shape[1] for b in batches], dtype=parity.dtype)
    parity.check("batch sizes: NumPy vs tf.data (64, 64, 64, 64, 44)", "layout", sizes,
                 np.array([x.shape[0] for x, _ in data], dtype=parity.dtype))
    for k, ((bx, by), (tx, ty), (dx, dy)) in enumerate(zip(batches, tf_batches, data, strict=True)):
        parity.check(f"mini-batch {k}: X (TF twin)", "layout", bx, tx)
        parity.check(f"mini-batch {k}: Y (TF twin)", "layout", by, ty)
        parity.check(f"mini-batch {k}: X (tf.data, x.T)", "layout", bx, convert.inputs_from_keras(dx))
        parity.check(f"mini-batch {k}: Y (tf.data, y.T)", "layout", by, convert.inputs_from_keras(dy))


_GRAD_WHY = ("the moons gradients at the course start are O(1e-2) (under float32's atol); judged purely relatively "
             "(atol 0) at the table's rtol, the zeros of dead relu units must match exactly")


@concept("B10")
def test_per_batch_costs_and_gradients(parity):
    """Every mini-batch of the first epoch from the course start: the course's batch cost (the sum of the
    per-example losses) and its hand gradients (of the batch mean) vs the tape on the TF twin's batch and vs
    Keras (BinaryCrossentropy(from_logits=True) × batch size, gradients through convert)."""
    X, Y, p0 = _moons_start(parity.dtype)
    net = ko.build_model(p0)
    loss = ko.keras_loss()
    for k, ((bx, by), (dx, dy)) in enumerate(zip(no.random_mini_batches(X, Y, 64, seed=11),
                                                 ko.mini_batch_dataset(X, Y, 64, seed=11), strict=True)):
        AL, caches = no.forward_propagation(bx, p0)
        cost = no.compute_cost(AL, by)
        grads = no.backward_propagation(AL, by, caches)
        variables = convert.to_variables(p0)
        with tf.GradientTape() as tape:
            ZL = ko._logits(tf.constant(bx), variables, 3)
            tape_cost = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.constant(by), logits=ZL))
        tape_grads = dict(zip(KEYS + ["dW3", "db3"], tape.gradient(tape_cost, list(variables.values())), strict=True))
        keys = ["dW1", "db1", "dW2", "db2", "dW3", "db3"]
        with tf.GradientTape() as tape:
            keras_cost = loss(dy, net(dx, training=True))
        keras_grads = convert.dense_grads_to_course(tape.gradient(keras_cost, net.trainable_variables), net)
        size = bx.shape[1]
        parity.check(f"batch {k}: cost Σ losses (tape × {size})", "cost", np.asarray(cost, parity.dtype),
                     tape_cost * size)
        parity.check(f"batch {k}: cost Σ losses (Keras loss × {size})", "cost", np.asarray(cost, parity.dtype),
                     keras_cost * size)
        rel = Tol(parity.tolerance("grad").rtol, 0.0)
        _check_dicts(parity, f"batch {k}: tape gradients", "grad", grads, tape_grads, keys, tol=rel, why=_GRAD_WHY)
        _check_dicts(parity, f"batch {k}: Keras gradients", "grad", grads, keras_grads, keys, tol=rel, why=_GRAD_WHY)


@concept("B10")
def test_mini_batch_gd_every_epoch(parity):
    """Mini-batch gradient descent (α = 0.05) for 10 epochs: parameters after every epoch and the epoch costs,
    NumPy vs the compiled tape loop vs the compiled Keras loop (SGD over the same batches)."""
    X, Y, p0 = _moons_start(parity.dtype)
    ref = _course_history(X, Y, p0, "gd", learning_rate=0.05)
    tape = ko.train(X, Y, p0, "gd", learning_rate=0.05, num_epochs=EPOCHS, record_every_epoch=True)
    keras_run = ko.keras_train(X, Y, p0, ko.keras_sgd(0.05), num_epochs=EPOCHS, record_every_epoch=True)
    expected = _epochs(ref["history"], "parameters")
    for label, run in (("tape", tape), ("Keras SGD", keras_run)):
        _check_dicts(parity, f"{label}: parameters after each of {EPOCHS} epochs:", "trajectory", expected,
                     _epochs(run["history"], "parameters"))
        parity.check(f"{label}: epoch costs Σ losses / m", "trajectory", np.array(ref["costs"], parity.dtype),
                     np.array(run["costs"], parity.dtype))


@concept("B10")
def test_fit_over_the_same_batches(parity):
    """`model.fit(mini_batch_dataset(X, Y, 64, seed), shuffle=False)`, one epoch per call with the course's seed,
    3 epochs: the weights after every epoch equal NumPy's; fit's epoch loss (its running mean of the batch
    losses weighted by batch size) equals the course's epoch cost Σ per-example losses / m exactly, while the
    plain mean of the 5 batch means does not (the last batch has 44 examples)."""
    X, Y, p0 = _moons_start(parity.dtype)
    epochs = 3
    ref = _course_history(X, Y, p0, "gd", epochs=epochs, learning_rate=0.05)
    net = ko.build_model(p0)
    net.compile(optimizer=ko.keras_sgd(0.05), loss=ko.keras_loss(), jit_compile=False)
    fit_losses, weights = [], []
    for e in range(epochs):
        h = net.fit(ko.mini_batch_dataset(X, Y, 64, seed=11 + e), initial_epoch=e, epochs=e + 1, shuffle=False,
                    verbose=0)
        fit_losses.append(h.history["loss"][-1])
        weights.append(convert.dense_weights_to_parameters(net))
    expected = _epochs(ref["history"], "parameters")
    got = {k: np.stack([w[k] for w in weights]) for k in expected}
    _check_dicts(parity, "fit(shuffle=False): parameters after each of 3 epochs:", "trajectory", expected, got)
    parity.check("fit's epoch loss = course epoch cost Σ losses / m", "cost", np.array(ref["costs"], parity.dtype),
                 np.array(fit_losses, parity.dtype))
    if parity.dtype == np.float64:
        batch = np.array(ref["batch_costs"]).reshape(epochs, -1)
        sizes = np.array([64, 64, 64, 64, 44])
        unweighted = (batch / sizes).mean(axis=1)
        parity.note(f"fit's epoch loss equals the course's Σ losses / m (max rel "
                    f"{np.max(np.abs(np.array(fit_losses) - ref['costs']) / np.array(ref['costs'])):.1e}); the "
                    f"unweighted mean of the 5 batch means differs by up to "
                    f"{np.max(np.abs(unweighted - ref['costs']) / np.array(ref['costs'])):.1e} relative")


# ---------------------------------------------------------------- B12-B14 on the moons, every epoch


def _moons_trajectory(parity, optimizer, keras_optimizer, label, states, tape=True, **kw):
    """10 epochs of the course's loop vs the Keras loop (and, with `tape`, the compiled tape loop: each compiled
    loop costs a tracing, so the tape runs where its update rule differs most, Adam)."""
    X, Y, p0 = _moons_start(parity.dtype)
    ref = _course_history(X, Y, p0, optimizer, **kw)
    runs = [(label, ko.keras_train(X, Y, p0, keras_optimizer, num_epochs=EPOCHS, record_every_epoch=True))]
    if tape:
        runs.insert(0, ("tape", ko.train(X, Y, p0, optimizer, num_epochs=EPOCHS, record_every_epoch=True, **kw)))
    expected = _epochs(ref["history"], "parameters")
    for side, run in runs:
        _check_dicts(parity, f"{side}: parameters after each of {EPOCHS} epochs:", "trajectory", expected,
                     _epochs(run["history"], "parameters"))
        for name in states:
            got_name = "m" if side != "tape" and "m" in run["history"][0]["state"] else name
            got = _epochs(run["history"], "state", got_name)
            if got_name == "m":  # stock SGD's momentum is -α v
                got = {k: -g / kw["learning_rate"] for k, g in got.items()}
            expected_state = _epochs(ref["history"], "state", name)
            _check_dicts(parity, f"{side}: {name} after each of {EPOCHS} epochs:", "trajectory", expected_state, got,
                         tol=_state_tol(parity, expected_state), why=_STATE_WHY)
    return ref


def _state_tol(parity, reference: dict) -> Tol:
    """The table's trajectory rtol, and as atol the same rtol times the largest |entry| of the state (a norm-wise
    relative bound; never above the table's atol): the moments are O(1e-2) and their squares O(1e-5), under the
    table's absolute floor."""
    table = parity.tolerance("trajectory")
    largest = float(max(np.max(np.abs(np.asarray(v))) for v in reference.values()))
    return Tol(table.rtol, min(table.atol, table.rtol * largest))


_STATE_WHY = ("optimizer state on the moons: moments of gradients of O(1e-2) and their squares (O(1e-5)) lie under "
              "the table's atol; judged at the table's rtol relative to the largest entry of the state (norm-wise, "
              "never looser than the table)")


@concept("B12")
def test_momentum_on_moons(parity):
    """The course's momentum (β = 0.9, α = 0.05) on the moons for 10 epochs: NumPy vs keras_momentum."""
    _moons_trajectory(parity, "momentum", ko.keras_momentum(0.05, 0.9), "keras_momentum", ["v"], tape=False,
                      learning_rate=0.05, beta=0.9)


@concept("B13")
def test_rmsprop_on_moons(parity):
    """RMSprop (β = 0.9, α = 0.01, ε = 1e-8) on the moons for 10 epochs: the course's form vs CourseRMSprop (the
    notes' form vs stock RMSprop runs in the decay trajectories, B15)."""
    _moons_trajectory(parity, "rmsprop", ko.translate("rmsprop", 0.01, beta=0.9, epsilon=1e-8, custom=True),
                      "CourseRMSprop", ["s"], tape=False, learning_rate=0.01, beta=0.9, epsilon=1e-8)


@concept("B14")
def test_adam_on_moons(parity):
    """The course's Adam (α = 0.01, β1 = 0.9, β2 = 0.999, ε = 1e-8) on the moons for 10 epochs (t = 1..50 across
    epochs): NumPy vs tape vs keras_adam (AdamCourseEpsilon), parameters, v and s after every epoch."""
    _moons_trajectory(parity, "adam", ko.keras_adam(0.01, 0.9, 0.999, 1e-8), "keras_adam", ["v", "s"],
                      learning_rate=0.01)


# ---------------------------------------------------------------- B15 learning-rate decay

ALPHA0 = 0.1
S = 5  # mini-batches per epoch on the moons (4 × 64 + 44)
T = 3  # schedule_lr_decay's time_interval in the comparisons (the course's 1000 is a slow test)
DECAY_RATES = {"update_lr": 1.0, "schedule_lr_decay": 1.0, "exponential_lr_decay": 0.95, "sqrt_lr_decay": 1.0}


def _course_decay(name):
    """The NumPy decay function as the course's model calls it, decay(α0, epoch, rate) (time_interval T)."""
    f = no.DECAYS[name]
    return functools.partial(f, time_interval=T) if name == "schedule_lr_decay" else f


def _tf_decay(name):
    f = ko.DECAYS[name]
    return functools.partial(f, time_interval=T) if name == "schedule_lr_decay" else f


@concept("B15")
def test_decay_functions(parity):
    """update_lr, schedule_lr_decay (time_interval 1000, the course's), 0.95^epoch·α0 and k/√epoch·α0: NumPy vs
    the TF twins at epochs 0..99 and around the staircase steps (999, 1000, 1001, 2999, 3000)."""
    epochs = list(range(100)) + [999, 1000, 1001, 2999, 3000]
    for name, rate in DECAY_RATES.items():
        a = np.array([no.DECAYS[name](ALPHA0, e, rate) for e in epochs], parity.dtype)
        b = np.array([ko.DECAYS[name](ALPHA0, e, rate) for e in epochs], parity.dtype)
        parity.check(f"{name}(α0 = 0.1, epoch, {rate}) at {len(epochs)} epochs", "forward", a, b)


@concept("B15")
def test_keras_schedules_at_every_step(parity):
    """The α of every optimizer step (12 epochs × 5 mini-batches): the course's (epoch e trains with
    f(e - 1), α0 in epoch 0) vs `keras_schedule(..., steps_per_epoch=5)` (stock InverseTimeDecay /
    ExponentialDecay with decay_steps = 5 (× time_interval), the custom InverseSqrtDecay, each lagged one epoch
    by EpochLagged); and the stock schedule alone, which is the course one epoch early."""
    epochs = 12
    steps = tf.range(epochs * S, dtype=tf.int64)
    for name, rate in DECAY_RATES.items():
        course = np.array([no.learning_rate_of_epoch(ALPHA0, s // S, _course_decay(name), rate)
                           for s in range(epochs * S)], parity.dtype)
        lagged = ko.keras_schedule(name, ALPHA0, rate, steps_per_epoch=S, time_interval=T)
        stock = ko.keras_schedule(name, ALPHA0, rate, steps_per_epoch=S, time_interval=T, lagged=False)
        parity.check(f"{name}: α at each of {epochs * S} steps, keras_schedule (lagged)", "forward", course,
                     lagged(steps))
        parity.check(f"{name}: unlagged stock schedule at step s = course α at step s + {S} (one epoch early)",
                     "forward", course[S:], stock(steps)[:-S])
        if parity.dtype == np.float64 and name == "update_lr":
            early = int(np.count_nonzero(np.abs(course - stock(steps).numpy()) > 1e-15))
            parity.note(f"the stock InverseTimeDecay(α0, decay_steps=5, 1, staircase=True) without the lag differs "
                        f"from the course's α at {early} of {epochs * S} steps (every step after the first epoch)")


@concept("B15")
def test_learning_rate_scheduler_in_fit(parity):
    """`fit` epoch by epoch (the course's batches, shuffle=False) with `keras_lr_scheduler("update_lr", 0.05, 1)` =
    LearningRateScheduler(lambda epoch, lr: f(max(epoch - 1, 0))): the α of every epoch and the weights after
    every epoch equal the course's run with decay=update_lr (4 epochs)."""
    X, Y, p0 = _moons_start(parity.dtype)
    epochs = 4
    ref = _course_history(X, Y, p0, "gd", epochs=epochs, learning_rate=0.05, decay=no.update_lr, decay_rate=1)
    net = ko.build_model(p0)
    net.compile(optimizer=ko.keras_sgd(0.05), loss=ko.keras_loss(), jit_compile=False)
    callback = ko.keras_lr_scheduler("update_lr", 0.05, 1)
    rates, weights = [], []
    for e in range(epochs):
        h = net.fit(ko.mini_batch_dataset(X, Y, 64, seed=11 + e), initial_epoch=e, epochs=e + 1, shuffle=False,
                    verbose=0, callbacks=[callback])
        rates.append(h.history["learning_rate"][-1])
        weights.append(convert.dense_weights_to_parameters(net))
    parity.check("α of each epoch (LearningRateScheduler)", "forward", np.array(ref["learning_rates"], parity.dtype),
                 np.array(rates, parity.dtype))
    expected = _epochs(ref["history"], "parameters")
    _check_dicts(parity, "fit + LearningRateScheduler: parameters after each of 4 epochs:", "trajectory", expected,
                 {k: np.stack([w[k] for w in weights]) for k in expected})


DECAY_RUNS = [("gd", "update_lr", {}), ("momentum", "schedule_lr_decay", {"beta": 0.9}),
              ("adam", "exponential_lr_decay", {}), ("rmsprop", "sqrt_lr_decay", {"eps_inside_sqrt": True})]


@concept("B15")
def test_decay_trajectories_on_moons(parity, full=False):
    """The course's loop with a decay (α0 = 0.05, 10 epochs) vs the compiled Keras loop with `translate(...,
    decay=..., steps_per_epoch=5, custom=True)`: gd + update_lr (SGD + schedule), momentum + schedule_lr_decay
    (CourseMomentum: stock SGD momentum has no exact form under decay), Adam + 0.95^epoch (AdamCourseEpsilon),
    the notes' RMSprop + k/√epoch (stock RMSprop): parameters and state after every epoch. float32 (the report's
    budget: each run is one tracing): the two custom optimizers; all four with `full` (test_float32_full_grids)."""
    X, Y, p0 = _moons_start(parity.dtype)
    subset = parity.dtype == np.float32 and not full
    for optimizer, name, kw in DECAY_RUNS[1:3] if subset else DECAY_RUNS:
        rate = DECAY_RATES[name]
        ref = _course_history(X, Y, p0, optimizer, learning_rate=0.05, decay=_course_decay(name), decay_rate=rate,
                              **kw)
        opt = ko.translate(optimizer, 0.05, decay=name, decay_rate=rate, steps_per_epoch=S, time_interval=T,
                           custom=True, **kw)
        run = ko.keras_train(X, Y, p0, opt, num_epochs=EPOCHS, record_every_epoch=True)
        label = f"{optimizer} + {name} ({type(opt).__name__})"
        _check_dicts(parity, f"{label}: parameters after each of {EPOCHS} epochs:", "trajectory",
                     _epochs(ref["history"], "parameters"), _epochs(run["history"], "parameters"))
        for state in ref["history"][0]["state"]:
            expected_state = _epochs(ref["history"], "state", state)
            _check_dicts(parity, f"{label}: {state} after each epoch:", "trajectory", expected_state,
                         _epochs(run["history"], "state", state), tol=_state_tol(parity, expected_state),
                         why=_STATE_WHY)


# ---------------------------------------------------------------- the translator, every optimizer × schedule


TRANSLATOR_STEPS_PER_EPOCH, TRANSLATOR_EPOCHS = 2, 5


def _course_sequence(parameters, grads, optimizer, alpha0, decay, rate, eps, inside):
    """The course's rules over the gradient sequence, `TRANSLATOR_STEPS_PER_EPOCH` steps per epoch, α per epoch
    as the course's model sets it (epoch e: decay(α0, e - 1)), Adam's t from 1 across epochs."""
    p = parameters
    v = no.initialize_velocity(parameters)
    s = no.initialize_rmsprop(parameters)
    for i, g in enumerate(grads):
        alpha = no.learning_rate_of_epoch(alpha0, i // TRANSLATOR_STEPS_PER_EPOCH, decay, rate)
        if optimizer == "gd":
            p = no.update_parameters_with_gd(p, g, alpha)
        elif optimizer == "momentum":
            p, v = no.update_parameters_with_momentum(p, g, v, 0.9, alpha)
        elif optimizer == "rmsprop":
            p, s = no.update_parameters_with_rmsprop(p, g, s, 0.9, alpha, eps, eps_inside_sqrt=inside)
        else:
            p, v, s, _, _ = no.update_parameters_with_adam(p, g, v, s, i + 1, alpha, 0.9, 0.999, eps,
                                                           eps_inside_sqrt=inside)
    return p


@concept("B15")
def test_translator_every_pair(parity, full=False):
    """`translate(optimizer, α0, decay=..., steps_per_epoch=2, custom=True)` for every course optimizer × every
    schedule (and none) reproduces the course's rules over 10 steps (5 epochs) of the gradient sequence;
    ε = 0.1 for RMSprop and Adam so that a wrong ε placement would show. float32 (the report's budget: each
    optimizer costs a tracing): each optimizer with one schedule (a different one each, and one without);
    the whole grid with `full` (test_float32_full_grids)."""
    dt = parity.dtype
    parameters, grads = _random_parameters(dt), _gradient_sequence(dt, TRANSLATOR_STEPS_PER_EPOCH * TRANSLATOR_EPOCHS)
    schedules = (None, *DECAY_RATES)
    subset = dt == np.float32 and not full
    cases = []
    for i, optimizer in enumerate(("gd", "momentum", "rmsprop", "adam")):
        for name in ((schedules[i + 1],) if i < 3 else (None, schedules[4])) if subset else schedules:
            rate = DECAY_RATES.get(name, 1.0)
            decay = _course_decay(name) if name else None
            expected = _course_sequence(parameters, grads, optimizer, 0.01, decay, rate, 0.1, False)
            opt = ko.translate(optimizer, 0.01, beta=0.9, epsilon=0.1, decay=name, decay_rate=rate,
                               steps_per_epoch=TRANSLATOR_STEPS_PER_EPOCH, time_interval=T, custom=True)
            cases.append((f"translate({optimizer!r}, decay={name}) -> {type(opt).__name__}:", expected, opt,
                          convert.to_variables(parameters)))
    for group in range(0, len(cases), 5):  # loops of at most 5 optimizers: one loop of all 20 traces slower
        _apply_all_many([(opt, variables) for _, _, opt, variables in cases[group:group + 5]], grads)
    for label, expected, _, variables in cases:
        _check_dicts(parity, label, "trajectory", expected, convert.to_parameters(variables))


@pytest.mark.slow
@pytest.mark.parametrize("case", [test_translator_every_pair, test_decay_trajectories_on_moons],
                         ids=lambda f: f.__name__)
def test_float32_full_grids(case):
    """The rows that the report runs in float32 on a subset only (its budget), over the whole grid in float32."""
    with keras_precision("float32"):
        case(Parity("B15", "float32", strict=True, case=case.__name__), full=True)


# ---------------------------------------------------------------- the translator without custom optimizers

STOCK = {  # (optimizer, decay is None, extra) -> the stock class, or the words the NoExactMappingError must say
    ("gd", True, ()): "SGD", ("gd", False, ()): "SGD",
    ("momentum", True, ()): "SGD", ("momentum", False, ()): "needs a constant α",
    ("rmsprop", True, ()): "no constant epsilon", ("rmsprop", False, ()): "no constant epsilon",
    ("rmsprop", True, ("inside",)): "RMSprop", ("rmsprop", False, ("inside",)): "RMSprop",
    ("rmsprop", True, ("eps0",)): "RMSprop", ("rmsprop", False, ("eps0",)): "RMSprop",
    ("adam", True, ()): "changes with the step t", ("adam", False, ()): "changes with the step t",
    ("adam", True, ("eps0",)): "Adam", ("adam", False, ("eps0",)): "Adam",
}


@pytest.mark.parametrize("decay", [None, *DECAY_RATES])
@pytest.mark.parametrize("key", sorted({(o, x) for o, _, x in STOCK}), ids=str)
def test_translator_stock_only(key, decay):
    """custom=False: a stock Keras optimizer where one is exact, else NoExactMappingError with the reason."""
    optimizer, extra = key
    expected = STOCK[(optimizer, decay is None, extra)]
    kwargs = {"epsilon": 0.0 if "eps0" in extra else 1e-8, "eps_inside_sqrt": "inside" in extra,
              "decay": decay, "steps_per_epoch": S}
    with keras_precision("float64"):
        if expected in ("SGD", "RMSprop", "Adam"):
            opt = ko.translate(optimizer, 0.01, **kwargs)
            assert type(opt) is getattr(keras.optimizers, expected)
            if decay is not None:
                assert isinstance(opt.learning_rate_schedule if hasattr(opt, "learning_rate_schedule")
                                  else opt._learning_rate, ko.EpochLagged)
        else:
            with pytest.raises(ko.NoExactMappingError, match=expected):
                ko.translate(optimizer, 0.01, **kwargs)
            assert ko.translate(optimizer, 0.01, custom=True, **kwargs) is not None


def test_translator_needs_steps_per_epoch_and_a_known_decay():
    with keras_precision("float64"):
        with pytest.raises(ValueError, match="steps_per_epoch"):
            ko.translate("adam", 0.01, decay="update_lr")
        with pytest.raises(ValueError, match="decay must be None or one of"):
            ko.translate("adam", 0.01, decay="cosine", steps_per_epoch=5)
        with pytest.raises(ValueError, match="optimizer must be one of"):
            ko.translate("nadam", 0.01)


# ---------------------------------------------------------------- bad input: the same error from both twins

_P = {"W1": np.ones((2, 3)), "b1": np.zeros((2, 1)), "W2": np.ones((1, 2)), "b2": np.zeros((1, 1))}
_G = {f"d{k}": np.ones_like(v) for k, v in _P.items()}
_X, _Y = np.ones((2, 5)), np.array([[0, 1, 0, 1, 1]], dtype=float)


def _bad(d, key, value):
    out = dict(d)
    if value is None:
        del out[key]
    else:
        out[key] = value
    return out


BAD_CALLS = {
    "grads missing dW2": (lambda m: m.update_parameters_with_gd(_P, _bad(_G, "dW2", None), 0.1), KeyError, "dW2"),
    "grads of the wrong shape": (lambda m: m.update_parameters_with_gd(_P, _bad(_G, "dW1", np.ones((3, 2))), 0.1),
                                 ValueError, "shape of W1"),
    "NaN gradient": (lambda m: m.update_parameters_with_momentum(_P, _bad(_G, "db1", np.full((2, 1), np.nan)),
                                                                  m.initialize_velocity(_P), 0.9, 0.1),
                     ValueError, "finite"),
    "learning rate 0": (lambda m: m.update_parameters_with_gd(_P, _G, 0), ValueError, "learning_rate"),
    "learning rate as a string": (lambda m: m.update_parameters_with_gd(_P, _G, "0.1"), ValueError, "learning_rate"),
    "learning rate True": (lambda m: m.update_parameters_with_gd(_P, _G, True), ValueError, "learning_rate"),
    "beta = 1": (lambda m: m.update_parameters_with_momentum(_P, _G, m.initialize_velocity(_P), 1.0, 0.1),
                 ValueError, "0 <= beta < 1"),
    "beta1 negative": (lambda m: m.update_parameters_with_adam(_P, _G, *m.initialize_adam(_P), 1, 0.1, -0.1),
                       ValueError, "beta1"),
    "Adam t = 0": (lambda m: m.update_parameters_with_adam(_P, _G, *m.initialize_adam(_P), 0), ValueError, "t must"),
    "Adam t = 1.5": (lambda m: m.update_parameters_with_adam(_P, _G, *m.initialize_adam(_P), 1.5), ValueError,
                     "t must"),
    "negative epsilon": (lambda m: m.update_parameters_with_rmsprop(_P, _G, m.initialize_rmsprop(_P), 0.9, 0.1, -1e-8),
                         ValueError, "epsilon"),
    "v is not a dict": (lambda m: m.update_parameters_with_momentum(_P, _G, [0], 0.9, 0.1), TypeError, "dict"),
    "mini-batch size 0": (lambda m: m.random_mini_batches(_X, _Y, 0), ValueError, "mini_batch_size"),
    "negative seed": (lambda m: m.random_mini_batches(_X, _Y, 2, seed=-1), ValueError, "seed"),
    "Y transposed": (lambda m: m.random_mini_batches(_X, _Y.T, 2), ValueError, "pass Y.T"),
    "X with NaN": (lambda m: m.random_mini_batches(np.full((2, 5), np.nan), _Y, 2), ValueError, "finite"),
    "m = 0": (lambda m: m.random_mini_batches(np.ones((2, 0)), np.ones((1, 0)), 2), ValueError, "X"),
    "negative epoch": (lambda m: m.update_lr(0.1, -1, 1), ValueError, "epoch_num"),
    "NaN decay rate": (lambda m: m.update_lr(0.1, 1, float("nan")), ValueError, "decay_rate"),
    "time_interval 0": (lambda m: m.schedule_lr_decay(0.1, 1, 1, time_interval=0), ValueError, "time_interval"),
    "unknown optimizer": (lambda m: m.model(_X, _Y, [2, 3, 1], "sgd", num_epochs=1, print_cost=False), ValueError,
                          "optimizer must be one of"),
    "X in (m, n_x) layout": (lambda m: m.model(_X.T, _Y, [2, 3, 1], "adam", num_epochs=1, print_cost=False),
                             ValueError, "pass X.T"),
    "labels outside {0, 1}": (lambda m: m.model(_X, _Y * 2, [2, 3, 1], "adam", num_epochs=1, print_cost=False),
                              ValueError, "binary"),
    "num_epochs -1": (lambda m: m.model(_X, _Y, [2, 3, 1], "gd", num_epochs=-1, print_cost=False), ValueError,
                      "num_epochs"),
    "decay not callable": (lambda m: m.model(_X, _Y, [2, 3, 1], "gd", num_epochs=1, print_cost=False, decay=3),
                           TypeError, "decay"),
}


@pytest.mark.parametrize("case", sorted(BAD_CALLS))
def test_bad_input_same_error(case):
    call, kind, match = BAD_CALLS[case]
    with keras_precision("float64"):
        exc = same_error(lambda: call(no), lambda: call(ko), match=match)
    assert type(exc) is kind


def test_divergence_is_named():
    """α = 1e300 with gd: after the first update the parameters overflow, the second mini-batch's cost is not finite
    (NumPy's course cost: log(0) = -inf; TF's stable cost: NaN from inf - inf), and both loops stop with the same
    error naming epoch 0, mini-batch 1 and suggesting a smaller α. (At α = 1e4 only NumPy stops: its naive cost
    overflows where the stable one stays finite.)"""
    X, Y, p0 = _moons_start(np.float64)
    with keras_precision("float64"):
        same_error(lambda: no.train(X, Y, p0, "gd", learning_rate=1e300, num_epochs=2),
                   lambda: ko.train(X, Y, p0, "gd", learning_rate=1e300, num_epochs=2),
                   match="epoch 0, mini-batch 1 .*smaller learning_rate")


def test_course_public_test_calls():
    """The calls the course's own tests make: boolean Y in random_mini_batches, layers that do not chain in the
    update functions, Adam's arguments positionally, Python floats from the decays."""
    np.random.seed(1)
    X, Y = np.random.randn(7, 3), np.random.randn(1, 3) < 0.5
    batches = no.random_mini_batches(X, Y, 2, seed=0)
    assert [b[0].shape for b in batches] == [(7, 2), (7, 1)] and batches[0][1].dtype == bool
    W1, b1, W2, b2 = np.random.randn(2, 3), np.random.randn(2, 1), np.random.randn(3, 3), np.random.randn(3, 1)
    parameters = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    grads = {"dW1": np.random.randn(2, 3), "db1": np.random.randn(2, 1), "dW2": np.random.randn(3, 3),
             "db2": np.random.randn(3, 1)}
    v, s = no.initialize_adam(parameters)
    out = no.update_parameters_with_adam(parameters, grads, v, s, 2, 0.02, 0.8, 0.888, 1e-2)
    assert len(out) == 5 and set(out[3]) == set(grads)
    assert np.array_equal(parameters["W1"], W1)  # not modified in place
    assert isinstance(no.update_lr(0.5, 2, 1), float) and no.update_lr(0.5, 2, 1) == 0.5 / 3
    assert isinstance(no.schedule_lr_decay(0.5, 100, 1, time_interval=100), float)
    assert no.schedule_lr_decay(0.5, 100, 1, time_interval=100) == 0.25


# ---------------------------------------------------------------- the naive mapping measured (notes), exact rows

DRIFT_EPOCHS = 200  # 1000 mini-batch steps of the course's moons run


def _max_param_diff(a: dict, b: dict) -> float:
    return float(max(np.max(np.abs(np.asarray(a[k]) - np.asarray(b[k]))) for k in a))


def _first_step(parity, optimizer, opt, **kw):
    """(NumPy parameters, Keras parameters) after the course's first mini-batch update."""
    X, Y, p0 = _moons_start(parity.dtype)
    ref = no.train(X, Y, p0, optimizer, num_epochs=1, mini_batch_size=300, **kw)  # one step on the whole set
    variables = convert.to_variables(p0)
    AL, caches = no.forward_propagation(X, p0)
    grads = no.backward_propagation(AL, Y, caches)
    _apply_keras(opt, variables, {k: grads[k] for k in [f"d{n}" for n in p0]})
    return ref["parameters"], convert.to_parameters(variables)


DRIFT = {  # course optimizer -> (exact mapping, naive mapping (the course's numbers passed straight to Keras), its
    # words, the course's keyword arguments); all at α = 0.0007
    "momentum": (lambda: ko.keras_momentum(0.0007, 0.9),
                 lambda: keras.optimizers.SGD(learning_rate=0.0007, momentum=0.9), "SGD(α, momentum=β)", {"beta": 0.9}),
    "rmsprop": (lambda: ko.translate("rmsprop", 0.0007, beta=0.9, epsilon=1e-8, custom=True),
                lambda: keras.optimizers.RMSprop(learning_rate=0.0007, rho=0.9, epsilon=1e-8),
                "RMSprop(α, rho=β, epsilon=1e-8)", {"beta": 0.9, "epsilon": 1e-8}),
    "adam": (lambda: ko.keras_adam(0.0007, 0.9, 0.999, 1e-8),
             lambda: keras.optimizers.Adam(learning_rate=0.0007, beta_1=0.9, beta_2=0.999, epsilon=1e-8),
             "Adam(α, β1, β2, epsilon=1e-8)", {}),
}




def _exact_and_naive(parity, optimizer):
    """The course's first update of its moons run (α = 0.0007, here on the whole set): the exact mapping as a row,
    the naive one (the course's numbers passed straight to Keras) as the measured gap after that step (float64
    note). The 10- and 1000-step figures and the exact mapping over 1000 steps: `test_naive_mapping_drift` (slow)."""
    exact, naive, naive_label, kw = DRIFT[optimizer]
    ref, got = _first_step(parity, optimizer, exact(), learning_rate=0.0007, **kw)
    _check_dicts(parity, f"{type(exact()).__name__} (exact mapping): parameters after the first step:", "step",
                 ref, got)
    if parity.dtype == np.float64:
        step1 = _max_param_diff(*_first_step(parity, optimizer, naive(), learning_rate=0.0007, **kw))
        parity.note(f"naive mapping {naive_label} vs the course's {optimizer} (moons, α = 0.0007): max |Δ parameter| "
                    f"{step1:.1e} after the first step; the exact mapping: {_max_param_diff(ref, got):.1e} (after 1000 "
                    f"steps: test_naive_mapping_drift, slow)")


@pytest.mark.slow
@pytest.mark.parametrize("optimizer", sorted(DRIFT))
def test_naive_mapping_drift(optimizer):
    """The course's moons run (α = 0.0007, mini-batch 64) for 1000 steps, float64: the exact mapping stays on the
    course's parameters (trajectory tolerance), the naive one drifts (max |Δ parameter| after 10 and 1000 steps,
    printed; after 1000 above 1e-3)."""
    exact, naive, naive_label, kw = DRIFT[optimizer]
    X, Y, p0 = _moons_start(np.float64)
    ref = no.train(X, Y, p0, optimizer, learning_rate=0.0007, num_epochs=DRIFT_EPOCHS, record_every_epoch=True, **kw)
    with keras_precision("float64"):
        run = ko.keras_train(X, Y, p0, exact(), num_epochs=DRIFT_EPOCHS)
        naive_run = ko.keras_train(X, Y, p0, naive(), num_epochs=DRIFT_EPOCHS, record_every_epoch=True)
    for k in ref["parameters"]:
        np.testing.assert_allclose(run["parameters"][k], ref["parameters"][k], rtol=1e-10, atol=1e-12)
    step10 = _max_param_diff(ref["history"][1]["parameters"], naive_run["history"][1]["parameters"])
    step1000 = _max_param_diff(ref["parameters"], naive_run["parameters"])
    print(f"{naive_label}: max |Δ parameter| {step10:.1e} after 10 steps, {step1000:.1e} after 1000; exact "
          f"mapping {_max_param_diff(ref['parameters'], run['parameters']):.1e}")
    assert step1000 > 1e-3, (optimizer, step1000)


@concept("B12")
def test_momentum_exact_vs_naive(parity):
    _exact_and_naive(parity, "momentum")


@concept("B13")
def test_rmsprop_exact_vs_naive(parity):
    _exact_and_naive(parity, "rmsprop")


@concept("B14")
def test_adam_exact_vs_naive(parity):
    _exact_and_naive(parity, "adam")


# ---------------------------------------------------------------- course-length runs (slow) and real data

COURSE_RUNS = {  # id -> (optimizer, learning_rate, decay name, the course's reported training accuracy or None)
    "gd": ("gd", 0.0007, None, 0.7167),
    "momentum": ("momentum", 0.0007, None, 0.7167),
    "adam": ("adam", 0.0007, None, 0.94),
    "gd+update_lr": ("gd", 0.1, "update_lr", None),
    "gd+schedule_lr_decay": ("gd", 0.1, "schedule_lr_decay", None),
    "momentum+schedule_lr_decay": ("momentum", 0.1, "schedule_lr_decay", None),
    "adam+schedule_lr_decay": ("adam", 0.01, "schedule_lr_decay", None),
}


def course_run(run_id: str, num_epochs: int = 5000) -> dict:
    """The course's `model` on the moons (layers [2, 5, 2, 1], batches of 64, seeds 11, 12, ...; decays with
    decay_rate 1 and the course's time_interval 1000) with NumPy and with the compiled Keras loop driven by
    `translate` (float64). Returns both accuracies, the largest parameter gap and both cost curves."""
    optimizer, lr, decay, _ = COURSE_RUNS[run_id]
    X, Y, p0 = _moons_start(np.float64)
    with keras_precision("float64"):
        ref = no.train(X, Y, p0, optimizer, learning_rate=lr, num_epochs=num_epochs,
                       decay=no.DECAYS[decay] if decay else None, decay_rate=1)
        opt = ko.translate(optimizer, lr, decay=decay, decay_rate=1.0, steps_per_epoch=S, custom=True)
        run = ko.keras_train(X, Y, p0, opt, num_epochs=num_epochs)
        keras_accuracy = ko.keras_accuracy(run["model"], X, Y)
    return {"numpy_accuracy": no.accuracy(X, Y, ref["parameters"]), "keras_accuracy": keras_accuracy,
            "max_parameter_gap": _max_param_diff(ref["parameters"], run["parameters"]),
            "numpy_costs": ref["costs"], "keras_costs": run["costs"], "optimizer": type(opt).__name__}


@pytest.mark.slow
@pytest.mark.parametrize("run_id", sorted(COURSE_RUNS))
def test_course_run_5000_epochs(run_id):
    """The full course runs (25,000 mini-batch steps): the same accuracy on both sides, the course's where it
    reports one, the final parameters within 1e-9 and the cost curves within 1e-10 relative."""
    out = course_run(run_id)
    expected = COURSE_RUNS[run_id][3]
    assert out["numpy_accuracy"] == out["keras_accuracy"], out
    if expected is not None:
        assert abs(out["numpy_accuracy"] - expected) < 5e-3, out["numpy_accuracy"]
    assert out["max_parameter_gap"] < 1e-9, out["max_parameter_gap"]
    np.testing.assert_allclose(out["keras_costs"], out["numpy_costs"], rtol=1e-10)


@concept("B10")
def test_digits_mini_batch_training(parity):
    """Mini-batch Adam on scikit-learn's digits ("is it an 8?", 1438 training images, layers [64, 16, 8, 1],
    batches of 64: 23 per epoch, the last of 30), 3 epochs: NumPy vs the compiled Keras loop, parameters and
    epoch costs; the accuracies after 6 epochs as a note (float64)."""
    from numpy_impl.datasets import load_digits_data

    train_X, train_Y, test_X, test_Y = (a.astype(parity.dtype) for a in load_digits_data(digit=8))
    p0 = {k: v.astype(parity.dtype) for k, v in no.initialize_parameters([64, 16, 8, 1]).items()}
    epochs = 6 if parity.dtype == np.float64 else 3
    ref = no.train(train_X, train_Y, p0, "adam", learning_rate=0.01, num_epochs=epochs, record_every_epoch=True)
    run = ko.keras_train(train_X, train_Y, p0, ko.keras_adam(0.01), num_epochs=epochs, record_every_epoch=True)
    three = {k: v[:3] for k, v in _epochs(ref["history"], "parameters").items()}
    _check_dicts(parity, "digits, Adam: parameters after each of 3 epochs:", "trajectory", three,
                 {k: v[:3] for k, v in _epochs(run["history"], "parameters").items()})
    parity.check("digits, Adam: epoch costs (3 epochs)", "trajectory", np.array(ref["costs"][:3], parity.dtype),
                 np.array(run["costs"][:3], parity.dtype))
    if parity.dtype == np.float64:
        parity.note(f"digits 'is it an 8?', mini-batch Adam (α = 0.01, 64 per batch) after {epochs} epochs: training "
                    f"accuracy NumPy {no.accuracy(train_X, train_Y, ref['parameters']):.2%}, Keras "
                    f"{ko.keras_accuracy(run['model'], train_X, train_Y):.2%}; test NumPy "
                    f"{no.accuracy(test_X, test_Y, ref['parameters']):.2%}, Keras "
                    f"{ko.keras_accuracy(run['model'], test_X, test_Y):.2%}")


def test_moons_benchmark_runs_and_ends_with_its_ratio_line(tmp_path):
    """benchmarks/moons_optimizers.py at 20 epochs: it runs, both sides reach the same parameters, and its last
    line is the contract `ratio keras/numpy: X`."""
    import os
    import pathlib
    import re
    import subprocess
    import sys

    root = pathlib.Path(__file__).resolve().parents[1]
    proc = subprocess.run([sys.executable, str(root / "benchmarks" / "moons_optimizers.py"), "--epochs", "20"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, PYTHONPATH=str(root)))
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.strip().splitlines()
    assert re.fullmatch(r"ratio keras/numpy: \d+\.\d\d", lines[-1]), proc.stdout
    keras_line = next(line for line in lines if line.startswith("Keras compiled loop"))
    assert float(re.search(r"max abs (\S+),", keras_line).group(1)) < 1e-12, keras_line
    assert "first call" in proc.stdout


@concept("B10")
def test_course_model_and_predictions(parity):
    """The course's driver `model(X, Y, [2, 5, 2, 1], "adam", learning_rate=0.01, num_epochs=3)` on both sides
    (each draws its own seed-3 start), then `predict` and the accuracy: NumPy vs the tape twin vs Keras."""
    import contextlib
    import io

    X, Y, _ = _moons_start(parity.dtype)
    start_np = no.initialize_parameters(LAYERS_DIMS)
    start_tf = ko.initialize_parameters(LAYERS_DIMS)
    _check_dicts(parity, "initialize_parameters (seed 3, He scale):", "forward",
                 {k: v.astype(parity.dtype) for k, v in start_np.items()},
                 {k: v.numpy().astype(parity.dtype) for k, v in start_tf.items()})
    p_np = no.model(X, Y, LAYERS_DIMS, "adam", learning_rate=0.01, num_epochs=3, print_cost=False)
    p_tf = ko.model(X, Y, LAYERS_DIMS, "adam", learning_rate=0.01, num_epochs=3, print_cost=False)
    _check_dicts(parity, "model(..., 'adam', 3 epochs): parameters", "trajectory", p_np, p_tf)
    with contextlib.redirect_stdout(io.StringIO()):
        predictions = no.predict(X, Y, p_np)
    net = ko.build_model(p_np)
    keras_predictions = tf.cast(convert.inputs_from_keras(net(convert.inputs_to_keras(X))) > 0, parity.dtype)
    parity.check("predict: 0/1 predictions (Keras: logit > 0)", "layout", predictions, keras_predictions)
    accuracy = np.asarray(no.accuracy(X, Y, p_np), parity.dtype)
    parity.check("accuracy (tape twin)", "forward", accuracy, np.asarray(ko.accuracy(X, Y, p_np), parity.dtype))
    parity.check("accuracy (Keras model)", "forward", accuracy, np.asarray(ko.keras_accuracy(net, X, Y), parity.dtype))


@pytest.mark.parametrize("which", ["CourseMomentum", "AdamCourseEpsilon"])
def test_course_optimizers_keep_plain_python_floats_exact_in_float64(which):
    # Built by hand with Python floats (no `hyper`), the project's own optimizers must not take β through
    # float32 as Keras's ops.cast does (before the fix: 0.9 became 0.8999999761581421, w off by ~1e-9 relative
    # after 20 steps, where float64 arithmetic agrees to ~1e-16).
    rng = np.random.default_rng(5)
    W0 = rng.standard_normal((3, 2))
    grads = [rng.standard_normal((3, 2)) for _ in range(20)]
    with keras_precision("float64"):
        W = keras.Variable(W0, dtype="float64")
        optimizer = (ko.CourseMomentum(learning_rate=0.1, beta=0.9) if which == "CourseMomentum" else
                     ko.AdamCourseEpsilon(learning_rate=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-8))
        for g in grads:
            optimizer.apply_gradients([(tf.constant(g), W)])
        keras_W = W.numpy()
    parameters, state = {"W1": W0, "b1": np.zeros((3, 1))}, None
    v, s = no.initialize_adam(parameters)
    for t, g in enumerate(grads, 1):
        step = {"dW1": g, "db1": np.zeros((3, 1))}
        if which == "CourseMomentum":
            parameters, v = no.update_parameters_with_momentum(parameters, step, v, 0.9, 0.1)
        else:
            parameters, v, s, *state = no.update_parameters_with_adam(parameters, step, v, s, t, 0.1, 0.9, 0.999, 1e-8)
    np.testing.assert_allclose(keras_W, parameters["W1"], rtol=1e-13, atol=0)
