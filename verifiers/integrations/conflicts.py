"""Other installed distributions that also provide our import names ``verifiers`` or ``agents``.

Both names are taken by popular packages: ``verifiers`` (the library of RL environments) and
``openai-agents`` (whose import name is ``agents``). Installed into the same environment as
countdown-rl, pip writes one package's files over the other's without a word, leaving a mixed
package that fails later on an unrelated import. :func:`check_name_clashes` runs on
``import countdown_env`` and when the ``countdown`` command starts, and turns that into one line
naming the other distribution and the way out: a separate virtual environment.

The check looks only in the ``sys.path`` directories that hold a ``verifiers`` or ``agents``
package or module, and there reads each distribution's ``top_level.txt``, or its ``RECORD`` when
it has none, as plain text: what :func:`importlib.metadata.packages_distributions` finds, at a
small fraction of its cost (it builds a path object per file of every installed distribution).
With countdown-rl installed in editable mode no such directory holds a distribution, and the
check costs a few ``stat`` calls. It runs once per process and keeps nothing on disk.

>>> find_name_clashes()
{}
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import sys
from collections.abc import Iterable

from verifiers.errors import CountdownError

__all__ = [
    "DISTRIBUTION",
    "IMPORT_NAMES",
    "NameClashError",
    "check_name_clashes",
    "find_name_clashes",
]

DISTRIBUTION = "countdown-rl"
"""Our distribution's name: the one expected to provide the import names."""
IMPORT_NAMES: tuple[str, ...] = ("verifiers", "agents")
"""Our top-level import names that other popular packages also use."""

_KNOWN: dict[str, str] = {
    "verifiers": "the verifiers library of RL environments",
    "openai-agents": "the OpenAI Agents SDK",
}
_checked = False


class NameClashError(CountdownError, ImportError):
    """Another installed distribution provides one of our import names; the message names it.

    An :class:`ImportError` (the environment cannot import our packages as they are) and a
    :class:`~verifiers.errors.CountdownError` (the ``countdown`` command reports it in one line).

    >>> issubclass(NameClashError, ImportError)
    True
    """


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _provides(dist: importlib.metadata.Distribution, names: Iterable[str]) -> list[str]:
    """Which of ``names`` the distribution installs, from its own file lists."""
    top_level = dist.read_text("top_level.txt")
    if top_level is not None:
        tops = set(top_level.split())
        return [name for name in names if name in tops]
    record = "\n" + (dist.read_text("RECORD") or "")
    return [
        name
        for name in names
        if f"\n{name}/" in record or f"\n{name}.py," in record or f'\n"{name}/' in record
    ]


def _homes(names: tuple[str, ...]) -> list[str]:
    """The ``sys.path`` entries that hold a package or module named one of ``names``."""
    homes = []
    for entry in sys.path:
        base = entry or os.curdir
        for name in names:
            path = os.path.join(base, name)
            if os.path.isdir(path) or os.path.isfile(path + ".py"):
                homes.append(entry)
                break
    return homes


def find_name_clashes(names: Iterable[str] = IMPORT_NAMES) -> dict[str, list[str]]:
    """Each of ``names`` that a distribution other than countdown-rl installs, with those
    distributions as ``"name version"`` (an empty dict when there is no clash).

    >>> find_name_clashes(["verifiers"])
    {}
    """
    wanted = tuple(names)
    ours = _canonical(DISTRIBUTION)
    clashes: dict[str, list[str]] = {}
    seen: set[str] = set()
    homes = _homes(wanted)
    for dist in importlib.metadata.distributions(path=homes) if homes else ():
        provided = _provides(dist, wanted)
        if not provided:
            continue
        name = dist.metadata["Name"] or "an unnamed distribution"
        key = _canonical(name)
        if key == ours or key in seen:
            continue
        seen.add(key)
        for import_name in provided:
            clashes.setdefault(import_name, []).append(f"{name} {dist.version}")
    return clashes


def _describe(import_name: str, others: list[str]) -> str:
    named = []
    for other in others:
        known = _KNOWN.get(_canonical(other.split(" ")[0]))
        named.append(f"{other} ({known})" if known else other)
    return f"'{import_name}' is also installed by {', '.join(named)}"


def check_name_clashes(*, force: bool = False) -> None:
    """Raise :class:`NameClashError` when another distribution provides ``verifiers`` or
    ``agents``; checks once per process unless ``force``.

    The message is one line: which import name, which distribution, and the way out.

    >>> check_name_clashes(force=True)  # nothing else provides verifiers or agents here
    """
    global _checked
    if _checked and not force:
        return
    clashes = find_name_clashes()
    if clashes:
        found = "; ".join(_describe(name, others) for name, others in clashes.items())
        raise NameClashError(
            f"{DISTRIBUTION} cannot work in this environment: the import name {found}, and pip "
            "lets the two overwrite each other's files. Install countdown-rl in a separate "
            "virtual environment: python -m venv .venv-countdown && "
            ".venv-countdown/bin/pip install countdown-rl"
        )
    _checked = True
