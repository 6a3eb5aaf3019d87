"""Public faces that load on first use: a package's names resolved from one table.

Each subpackage of :mod:`agents` lists its public names in one ``{name: module}`` table and
hands it to :func:`lazy_face`; a name is imported from its (private) module the first time it is
read, so ``import agents.policies`` costs nothing and torch loads only with a name that needs it.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_face"]


def lazy_face(
    package: str, table: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module-level ``__getattr__`` and ``__dir__`` of ``package`` for the names in ``table``.

    ``table`` maps each public name to the module (relative to ``package``) that defines it.

    >>> getattr_, dir_ = lazy_face("agents.policies", {"SamplingConfig": "._base"})
    >>> getattr_("SamplingConfig").__name__
    'SamplingConfig'
    >>> dir_()
    ['SamplingConfig']
    """

    def __getattr__(name: str) -> Any:
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        setattr(sys.modules[package], name, value)  # later reads skip this function
        return value

    def __dir__() -> list[str]:
        return sorted(table)

    return __getattr__, __dir__
