"""Doctest collection (``--doctest-modules``) with only some optional packages installed.

A module whose whole job is to plug into an optional package imports it at the top; where that
package is not installed the module is left out of collection instead of failing it:
``countdown_env/integrations/reasoning_gym.py`` (reasoning-gym, Python 3.11+) and
``countdown_env/openenv/`` (openenv-core, the ``serve`` extra).

A function that imports an optional package only when called (``require_module("datasets")``, as
``countdown_env._datasets`` and ``countdown_env._writers`` do) keeps its module importable with the
core install alone; its own doctest is skipped, not failed, where that package is missing
(:func:`missing_for_doctest`). The other doctests of the module still run.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import re
import sys
from collections.abc import Callable

import pytest

collect_ignore: list[str] = []
if sys.version_info < (3, 11) or importlib.util.find_spec("reasoning_gym") is None:
    collect_ignore.append("countdown_env/integrations/reasoning_gym.py")

collect_ignore_glob: list[str] = []
if importlib.util.find_spec("openenv") is None:
    collect_ignore_glob.append("countdown_env/openenv/*")

_REQUIRE = re.compile(r"""require_module\(\s*["']([\w.]+)["']""")


def _documented(name: str) -> object | None:
    """The function, class or method a doctest named ``package.module.function`` documents."""
    parts = name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            obj = getattr(obj, attribute, None)
        return obj
    return None


def missing_for_doctest(name: str) -> list[str]:
    """Optional packages that the object documented by doctest ``name`` imports but are missing.

    Only functions, classes and methods are read (their source's ``require_module("...")`` calls); a
    module's own docstring examples must run with the core install.
    """
    obj = _documented(name)
    if obj is None or inspect.ismodule(obj):
        return []
    try:
        source = inspect.getsource(obj)  # type: ignore[arg-type]
    except (OSError, TypeError):
        return []
    needed = {module.partition(".")[0] for module in _REQUIRE.findall(source)}
    return sorted(m for m in needed if importlib.util.find_spec(m) is None)


@pytest.fixture
def doctest_needs() -> Callable[[str], list[str]]:
    """:func:`missing_for_doctest`, for tests that run doctests themselves."""
    return missing_for_doctest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip the doctests of functions whose optional package is not installed."""
    for item in items:
        if not isinstance(item, pytest.DoctestItem) or item.dtest is None:
            continue
        missing = missing_for_doctest(item.dtest.name)
        if missing:
            item.add_marker(
                pytest.mark.skip(reason=f"needs {', '.join(missing)}, which is not installed")
            )
