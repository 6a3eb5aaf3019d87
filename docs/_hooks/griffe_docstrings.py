"""A Griffe extension that renders this project's docstrings well in mkdocstrings.

The packages write docstrings for ``help()`` and doctest: ``>>>`` examples in plain text and
Sphinx roles such as ``:func:`~verifiers._check.verify```. Read as Markdown, the examples turn
into block quotes (and ``x[0]["prompt"]`` into a broken link) and the roles into literal text.
This extension, loaded by ``mkdocs.yml``, fences every doctest block as ``pycon`` and turns each
role into an optional cross-reference (a link when the target is documented, plain code when
not), without touching the source files.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(?:func|class|data|mod|meth|attr|exc|obj|const):`(~?)([^`]+)`")


def _fence_doctests(text: str) -> str:
    """Wrap each run of doctest lines (``>>>`` up to the next blank line) in a pycon fence."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.lstrip()
        if stripped.startswith(">>>"):
            indent = line[: len(line) - len(stripped)]
            out.append(f"{indent}```pycon")
            while i < len(lines) and lines[i].strip():
                out.append(lines[i])
                i += 1
            out.append(f"{indent}```")
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


def _resolve(obj: griffe.Object, name: str) -> str:
    """The full path of ``name`` as seen from ``obj``'s scope, or ``name`` itself."""
    if "." in name and name.split(".", 1)[0] in {"verifiers", "countdown_env", "agents"}:
        return name
    scope: Any = obj
    while scope is not None:
        try:
            return scope.resolve(name)
        except (griffe.NameResolutionError, AttributeError, KeyError):
            scope = scope.parent
    return name


def _roles_to_refs(text: str, obj: griffe.Object) -> str:
    def replace(match: re.Match[str]) -> str:
        short, name = match.group(1), match.group(2).strip()
        title = name.rsplit(".", 1)[-1] if short else name
        identifier = _resolve(obj, name)
        return f'<autoref optional identifier="{identifier}"><code>{title}</code></autoref>'

    return _ROLE.sub(replace, text)


class ProjectDocstrings(griffe.Extension):
    """Fence doctest examples and turn Sphinx roles into optional cross-references."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is None:
            return
        value = obj.docstring.value
        obj.docstring.value = _roles_to_refs(_fence_doctests(value), obj)
