"""The statements the docs site is built from, checked against the code.

- `MIRRORS` in every `keras_impl` module: `{concept: {function here: the NumPy function it mirrors}}`. A NumPy
  name without a dot lives in `numpy_impl.<same module>`, `"module.name"` in `numpy_impl.module`; `None` marks
  a TF-side helper with no NumPy twin (a Keras factory, a layout helper). Every public function and class the
  module defines is listed once.
- `KERAS_BLOCKS` beside it: `{function here: its mapping in one sentence}` for the Keras-block versions (Keras
  layers, losses, optimizers, `fit`) of a concept, as opposed to the `tf.Variable` + `GradientTape` twins.
- `MAPPINGS` in the `test_<module>.py` modules: the textbook⇄Keras mappings (`harness.Mapping`), each naming the
  comparison whose rows prove it.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import keras_impl
import parity_tests
from parity_tests import report
from parity_tests.harness import Mapping

KERAS_MODULES = sorted(i.name for i in pkgutil.iter_modules(keras_impl.__path__) if not i.name.startswith("_"))
TEST_MODULES = sorted(i.name for i in pkgutil.iter_modules(parity_tests.__path__) if i.name.startswith("test_"))


def defined_here(module) -> set[str]:
    """The public functions and classes `module` defines (not the ones it imports)."""
    return {name for name, obj in vars(module).items() if not name.startswith("_")
            and (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == module.__name__}


def numpy_object(module_name: str, numpy_name: str):
    """The NumPy function `numpy_name` names from `keras_impl.<module_name>` (see the module docstring)."""
    where, _, name = numpy_name.rpartition(".")
    module = importlib.import_module(f"numpy_impl.{where or module_name}")
    obj = getattr(module, name, None)
    assert obj is not None and name in defined_here(module), f"numpy_impl.{where or module_name} defines no {name}"
    return obj


@pytest.mark.parametrize("name", KERAS_MODULES)
def test_mirrors_name_every_public_function_once(name):
    module = importlib.import_module(f"keras_impl.{name}")
    mirrors = getattr(module, "MIRRORS", None)
    assert isinstance(mirrors, dict) and mirrors, f"keras_impl.{name} states no MIRRORS"
    listed: list[str] = []
    for concept_id, pairs in mirrors.items():
        assert concept_id in report.TITLES, f"keras_impl.{name}: unknown concept {concept_id!r}"
        assert isinstance(pairs, dict) and pairs, f"keras_impl.{name}: MIRRORS[{concept_id!r}] is empty"
        listed += pairs
    twice = sorted({n for n in listed if listed.count(n) > 1})
    assert not twice, f"keras_impl.{name}: listed twice: {twice}"
    assert set(listed) == defined_here(module), (
        f"keras_impl.{name}: not in MIRRORS {sorted(defined_here(module) - set(listed))}, "
        f"in MIRRORS but not defined here {sorted(set(listed) - defined_here(module))}")


@pytest.mark.parametrize("name", KERAS_MODULES)
def test_every_numpy_twin_exists(name):
    module = importlib.import_module(f"keras_impl.{name}")
    for pairs in module.MIRRORS.values():
        for tf_name, numpy_name in pairs.items():
            if numpy_name is not None:
                assert callable(numpy_object(name, numpy_name)), f"keras_impl.{name}.{tf_name} -> {numpy_name}"


@pytest.mark.parametrize("name", KERAS_MODULES)
def test_keras_blocks_are_listed_functions_with_a_mapping(name):
    module = importlib.import_module(f"keras_impl.{name}")
    listed = {n for pairs in module.MIRRORS.values() for n in pairs}
    for fn_name, mapping in getattr(module, "KERAS_BLOCKS", {}).items():
        assert fn_name in listed, f"keras_impl.{name}: KERAS_BLOCKS names {fn_name}, which MIRRORS does not list"
        assert isinstance(mapping, str) and mapping.strip(), f"keras_impl.{name}.{fn_name}: no mapping stated"


def test_every_concept_has_a_twin_pair():
    paired = {concept_id for name in KERAS_MODULES
              for concept_id, pairs in importlib.import_module(f"keras_impl.{name}").MIRRORS.items()
              if any(numpy_name is not None for numpy_name in pairs.values())}
    assert paired == set(report.TITLES), f"concepts without a twin pair: {sorted(set(report.TITLES) - paired)}"


@pytest.mark.parametrize("name", TEST_MODULES)
def test_mappings_name_a_comparison_of_their_concept(name):
    module = importlib.import_module(f"parity_tests.{name}")
    cases = {c.name: c.concept for c in report.catalog() if c.module == name}
    for mapping in getattr(module, "MAPPINGS", []):
        assert isinstance(mapping, Mapping), f"{name}.MAPPINGS holds {mapping!r}"
        assert mapping.textbook.strip() and mapping.keras.strip(), f"{name}: {mapping} states nothing"
        assert cases.get(mapping.case) == mapping.concept, (
            f"{name}: {mapping.case!r} is not a @concept({mapping.concept!r}) comparison of this module")


def test_every_concept_with_a_keras_block_states_a_mapping():
    mapped = {m.concept for name in TEST_MODULES
              for m in getattr(importlib.import_module(f"parity_tests.{name}"), "MAPPINGS", [])}
    blocks = {concept_id for name in KERAS_MODULES
              for concept_id, pairs in importlib.import_module(f"keras_impl.{name}").MIRRORS.items()
              if set(pairs) & set(getattr(importlib.import_module(f"keras_impl.{name}"), "KERAS_BLOCKS", {}))}
    assert blocks <= mapped, f"concepts with Keras blocks but no MAPPINGS: {sorted(blocks - mapped)}"
