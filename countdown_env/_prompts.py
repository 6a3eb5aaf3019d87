"""Prompt templates, selectable by name: ``tinyzero``, ``chat``, ``compact``, ``compact-steps``,
``compact-tries``, or your own.

Each template knows its ``answer_format`` so rewards, policies and evaluation know how to find
the answer: ``"answer_tag"`` (the last ``<answer>...</answer>`` block), ``"bare"`` (the whole
completion is the expression), ``"steps"`` (a worked answer whose checked steps describe the
equation: the ``compact-steps`` template, :func:`verifiers.extract.extract_steps`) or
``"tries"`` (equations tried one a line, the first marked as a hit or else the last one the
answer: the ``compact-tries`` template, :func:`verifiers.extract.extract_tries`).
``format_prompt`` gives a string for text templates and a list of chat messages for chat
templates; ``prompt_text`` always gives a string (the user message of a chat template), which is
what the environments show as their observation.

>>> format_prompt("compact", [3, 7, 25], 46)
'3 7 25>46:'
>>> get_template("tinyzero").format([3, 7, 25], 46).endswith("step by step.\\n<think>")
True
>>> format_prompt("chat", [1, 2], 3)[0]["role"]
'user'
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from countdown_env._task import as_int, whole_number
from countdown_env.errors import shown
from verifiers.errors import ConfigError

__all__ = [
    "ANSWER_FORMATS",
    "PromptTemplate",
    "extractor_for",
    "format_prompt",
    "get_template",
    "import_template",
    "prompt_text",
    "register_template",
    "template_names",
]

ANSWER_FORMATS = ("answer_tag", "bare", "steps", "tries")
_EXTRACTORS = {"answer_tag": "answer", "bare": "bare", "steps": "steps", "tries": "tries"}

_INSTRUCTION = (
    "Using the numbers {nums}, create an equation that equals {target}. You can use basic "
    "arithmetic operations (+, -, *, /) and each number can only be used once. Show your work in "
    "<think> </think> tags. And return the final answer in <answer> </answer> tags, for example "
    "<answer> (1 + 2) / 3 </answer>."
)
# TinyZero's base-model template, word for word (examples/data_preprocess/countdown.py).
_TINYZERO = (
    "A conversation between User and Assistant. The user asks a question, and the Assistant "
    "solves it. The assistant first thinks about the reasoning process in the mind and then "
    "provides the user with the answer.\nUser: " + _INSTRUCTION + "\nAssistant: Let me solve this "
    "step by step.\n<think>"
)


@dataclass(frozen=True)
class PromptTemplate:
    """A named prompt: a ``str.format`` text with ``{nums}``, ``{nums_spaced}``, ``{target}``.

    ``{nums}`` is the Python list spelling TinyZero uses (``[3, 7, 25]``), ``{nums_spaced}`` the
    numbers joined by single spaces (``3 7 25``). With ``chat=True`` the text becomes the content
    of one user message.

    >>> t = PromptTemplate("mine", "Reach {target} from {nums_spaced}.", answer_format="bare")
    >>> t.format([4, 6], 10)
    'Reach 10 from 4 6.'
    """

    name: str = field(metadata={"help": "Name used to select the template."})
    text: str = field(metadata={"help": "str.format text with {nums}, {nums_spaced}, {target}."})
    answer_format: str = field(
        default="answer_tag",
        metadata={
            "help": "'answer_tag' (last <answer> block), 'bare' (whole completion), "
            "'steps' (a worked answer, verifiers.extract.extract_steps) or 'tries' (equations "
            "tried one a line, the first marked ' =' or else the last the answer, "
            "verifiers.extract.extract_tries)."
        },
    )
    chat: bool = field(
        default=False, metadata={"help": "Render as a list of chat messages (one user message)."}
    )

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ConfigError(f"name must be a non-empty str, got {shown(self.name)}")
        if not isinstance(self.text, str):
            raise ConfigError(f"text must be a str, got {type(self.text).__name__}")
        if self.answer_format not in ANSWER_FORMATS:
            raise ConfigError(
                f"answer_format must be one of {list(ANSWER_FORMATS)}, "
                f"got {shown(self.answer_format)}"
            )
        try:
            self.text.format(nums="[1, 2]", nums_spaced="1 2", target=3)
        except (KeyError, IndexError, ValueError) as err:
            raise ConfigError(
                f"text must be a str.format template using only {{nums}}, {{nums_spaced}}, "
                f"{{target}}; it failed with {err!r}"
            ) from None

    def text_for(self, nums: Sequence[int], target: int) -> str:
        """The prompt as one string (for chat templates: the user message's content).

        Raises :class:`~countdown_env.errors.TaskError` for a value that is not a whole number
        or has more than :data:`~countdown_env._task.MAX_TASK_DIGITS` digits.
        """
        words = [str(as_int(whole_number(v), f"nums[{i}]")) for i, v in enumerate(nums)]
        return self.text.format(
            nums="[" + ", ".join(words) + "]",
            nums_spaced=" ".join(words),
            target=as_int(whole_number(target), "target"),
        )

    def format(self, nums: Sequence[int], target: int) -> str | list[dict[str, str]]:
        """The prompt: a string, or ``[{"role": "user", "content": ...}]`` for chat templates."""
        return self.wrap(self.text_for(nums, target))

    def wrap(self, text: str) -> str | list[dict[str, str]]:
        """``text`` as this template's prompt: itself, or a one-message chat list."""
        return [{"role": "user", "content": text}] if self.chat else text

    @property
    def extractor(self) -> str:
        """The :mod:`verifiers` extractor name for this template's answers."""
        return extractor_for(self.answer_format)


_REGISTRY: dict[str, PromptTemplate] = {}


def register_template(template: PromptTemplate, *, overwrite: bool = False) -> PromptTemplate:
    """Make ``template`` selectable by its name everywhere a template name is accepted.

    >>> demo = PromptTemplate("demo", "{nums_spaced}={target}?", "bare")
    >>> _ = register_template(demo, overwrite=True)
    >>> format_prompt("demo", [1, 2], 3)
    '1 2=3?'
    """
    if not isinstance(template, PromptTemplate):
        raise ConfigError(f"template must be a PromptTemplate, got {type(template).__name__}")
    if template.name in _REGISTRY and not overwrite:
        raise ConfigError(
            f"a template named {template.name!r} exists; pass overwrite=True to replace it"
        )
    _REGISTRY[template.name] = template
    return template


def template_names() -> list[str]:
    """Names of every registered template."""
    return sorted(_REGISTRY)


def get_template(template: str | PromptTemplate) -> PromptTemplate:
    """The template registered under ``template`` (a template object is returned as is)."""
    if isinstance(template, PromptTemplate):
        return template
    found = _REGISTRY.get(template) if isinstance(template, str) else None
    if found is None:
        raise ConfigError(f"template must be one of {template_names()}, got {shown(template)}")
    return found


def import_template(spec: str) -> str:
    """The registered name of a template spec: a registered name, or ``module:NAME``.

    ``module:NAME`` imports ``module``; a :class:`PromptTemplate` at ``NAME`` is registered
    (unless it already is); otherwise ``NAME`` is taken as a name the module registered on
    import. Used by every ``--template`` option, so one spelling works in every command.

    >>> import_template("compact")
    'compact'

    Raises:
        ConfigError: the module cannot be imported, ``NAME`` is neither a template nor a
            registered name, or another template is registered under its name.
    """
    module_name, colon, name = spec.partition(":")
    if colon:
        try:
            module = importlib.import_module(module_name)
        except ImportError as err:
            raise ConfigError(f"cannot import {module_name!r}: {err}") from None
        found = getattr(module, name, None)
        if isinstance(found, PromptTemplate):
            if _REGISTRY.get(found.name) is not found:
                register_template(found)  # refuses to replace another template of that name
            return found.name
        if found is not None:
            raise ConfigError(f"{spec} is a {type(found).__name__}, not a PromptTemplate")
    get_template(name if colon else spec)
    return name if colon else spec


def format_prompt(
    template: str | PromptTemplate, nums: Sequence[int], target: int
) -> str | list[dict[str, str]]:
    """Shortcut for ``get_template(template).format(nums, target)``."""
    return get_template(template).format(nums, target)


def prompt_text(template: str | PromptTemplate, nums: Sequence[int], target: int) -> str:
    """The prompt as one string, whatever the template kind."""
    return get_template(template).text_for(nums, target)


def extractor_for(answer_format: str) -> str:
    """The :mod:`verifiers` extractor that reads answers of ``answer_format``.

    >>> [extractor_for(f) for f in ("answer_tag", "bare", "steps", "tries")]
    ['answer', 'bare', 'steps', 'tries']
    """
    if answer_format not in ANSWER_FORMATS:
        raise ConfigError(
            f"answer_format must be one of {list(ANSWER_FORMATS)}, got {shown(answer_format)}"
        )
    return _EXTRACTORS[answer_format]


register_template(PromptTemplate("tinyzero", _TINYZERO, "answer_tag"))
register_template(PromptTemplate("chat", _INSTRUCTION, "answer_tag", chat=True))
register_template(PromptTemplate("compact", "{nums_spaced}>{target}:", "bare"))
# The compact prompt, answered with worked steps (verifiers.extract.extract_steps): one exact
# operation a line, then the task left in the compact prompt's own spelling.
register_template(PromptTemplate("compact-steps", "{nums_spaced}>{target}:", "steps"))
# The compact prompt, answered with tries (verifiers.extract.extract_tries): equations tried one
# a line as chains of exact steps, the first marked ' =' (a hit) or else the last the answer.
register_template(PromptTemplate("compact-tries", "{nums_spaced}>{target}:", "tries"))
