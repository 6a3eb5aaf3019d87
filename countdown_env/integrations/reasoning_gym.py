"""Our generator as a reasoning-gym dataset, scored by our exact verifier.

Importing this module registers the dataset ``"countdown_rl"`` with reasoning-gym (whose own
``"countdown"`` scores answers with sympy and a float tolerance), so our tasks join its
composites and curricula like any of its datasets:

* :class:`CountdownRLConfig`: the generator's main knobs plus reasoning-gym's ``seed`` and
  ``size``; ``validate()`` raises :class:`~countdown_env.errors.GeneratorOptionError` naming the
  field.
* :class:`CountdownRLDataset`: item ``idx`` is ``task_at(seed, idx)`` (any item, in any order);
  each item has ``question``, ``answer`` (a reference solution) and ``metadata`` (``nums``,
  ``target``, ``rules``, ``source_dataset``, ``source_index``, ``difficulty``).
  ``score_answer(answer, entry)`` is 1.0 when the answer (the expression, as reasoning-gym passes
  it after taking it out of the ``<answer>`` tags) is correct under the entry's rules, else 0.0.
* :class:`CountdownRLCurriculum`: three attributes, ``numbers`` (how many), ``value`` (largest
  number) and ``target`` (largest target); level 0 is TinyZero's 3-4 numbers from 1-100.

Needs ``pip install reasoning-gym`` (Python 3.11 or newer); without it, importing this module
raises :class:`~verifiers.errors.DependencyError` with that line.

>>> import reasoning_gym
>>> import countdown_env.integrations.reasoning_gym
>>> data = reasoning_gym.create_dataset("countdown_rl", seed=7, size=3)
>>> item = data[0]
>>> data.score_answer(item["answer"], item), data.score_answer("1+1", item)
(1.0, 0.0)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from countdown_env._config import GeneratorConfig
from countdown_env._generator import task_at
from verifiers import verify_equation
from verifiers.errors import DependencyError
from verifiers.rules import Rules

try:
    import reasoning_gym as _rg
    from reasoning_gym.coaching import BaseCurriculum, RangeAttributeDefinition
    from reasoning_gym.dataset import ProceduralDataset
except ImportError:
    raise DependencyError(
        "reasoning-gym is needed for this; install it with pip install reasoning-gym "
        "(Python 3.11 or newer)"
    ) from None

__all__ = [
    "DATASET_NAME",
    "CountdownRLConfig",
    "CountdownRLCurriculum",
    "CountdownRLDataset",
    "register",
]

DATASET_NAME = "countdown_rl"
"""The name our dataset is registered under (reasoning-gym's own is ``"countdown"``)."""


@dataclass
class CountdownRLConfig:
    """What tasks the dataset makes: :class:`~countdown_env._config.GeneratorConfig`'s main
    fields (same names, same defaults, same checks) plus reasoning-gym's ``seed`` and ``size``.

    Mutable, as reasoning-gym's wrappers set ``seed`` on a copy; ``validate()`` checks it.

    >>> CountdownRLConfig(max_numbers=5).generator_config().max_numbers
    5
    >>> CountdownRLConfig(min_numbers=1).validate()
    Traceback (most recent call last):
    ...
    countdown_env.errors.GeneratorOptionError: min_numbers must be an integer in 2..8, got 1
    """

    min_numbers: int = field(default=3, metadata={"help": "Fewest numbers in a task (2-8)."})
    max_numbers: int = field(default=4, metadata={"help": "Most numbers in a task (up to 8)."})
    min_value: int = field(default=1, metadata={"help": "Smallest number drawn (>= 1)."})
    max_value: int = field(default=100, metadata={"help": "Largest number drawn."})
    min_target: int | None = field(default=1, metadata={"help": "Smallest target (>= 1)."})
    max_target: int | None = field(
        default=100, metadata={"help": "Largest target; None means any reachable value."}
    )
    draw: str = field(
        default="uniform", metadata={"help": "'uniform' or 'tv' (the television game's cards)."}
    )
    target_from: str = field(
        default="expression",
        metadata={"help": "'expression' (fast) or 'range' (uniform target, kept when solvable)."},
    )
    operators: str = field(default="+-*/", metadata={"help": "Allowed operators."})
    exact_use: bool = field(
        default=True, metadata={"help": "Each number exactly once (True) or at most once."}
    )
    integer_intermediates: bool = field(
        default=False, metadata={"help": "Every intermediate result a positive integer."}
    )
    seed: int | None = field(
        default=None, metadata={"help": "Seed of the items (None: a random one)."}
    )
    size: int = field(default=500, metadata={"help": "How many items the dataset holds."})

    def generator_config(self) -> GeneratorConfig:
        """The :class:`~countdown_env._config.GeneratorConfig` these fields describe."""
        return GeneratorConfig(
            min_numbers=self.min_numbers,
            max_numbers=self.max_numbers,
            min_value=self.min_value,
            max_value=self.max_value,
            min_target=self.min_target,
            max_target=self.max_target,
            draw=self.draw,
            target_from=self.target_from,
            operators=self.operators,
            exact_use=self.exact_use,
            integer_intermediates=self.integer_intermediates,
        )

    def validate(self) -> None:
        """Raise :class:`~countdown_env.errors.GeneratorOptionError` for a bad field."""
        self.generator_config()


def _question(nums: list[int], target: int, rules: Rules) -> str:
    use = "exactly once" if rules.exact_use else "at most once"
    operators = ", ".join(op for op in "+-*/" if op in rules.operators)
    numbers = ", ".join(map(str, nums))
    return (
        f"Using the numbers [{numbers}], create an expression that equals {target}. "
        f"Use {operators} and parentheses; use each number {use}. "
        "Give only the expression, without '=' or the result."
    )


class CountdownRLDataset(ProceduralDataset):
    """Countdown tasks from our generator, scored exactly (see the module docstring).

    >>> data = CountdownRLDataset(CountdownRLConfig(seed=1, size=2))
    >>> item = data[1]
    >>> item["metadata"]["source_dataset"], item["metadata"]["source_index"]
    ('countdown_rl', 1)
    >>> data.score_answer(item["answer"], item)
    1.0
    """

    def __init__(self, config: CountdownRLConfig) -> None:
        self._generator = config.generator_config()
        super().__init__(config=config, seed=config.seed, size=config.size)

    def __getitem__(self, idx: int) -> dict[str, Any]:
        """Item ``idx``: the task ``task_at(seed, idx)`` as a question, answer and metadata."""
        task = task_at(self.seed, idx, self._generator)
        rules = self._generator.rules
        config = self.config
        return {
            "question": _question(task.nums, task.target, rules),
            "answer": task.solution,
            "metadata": {
                "source_dataset": DATASET_NAME,
                "source_index": idx,
                "nums": list(task.nums),
                "target": task.target,
                "solution": task.solution,
                "rules": rules.to_dict(),
                "difficulty": {
                    "numbers": (config.min_numbers, config.max_numbers),
                    "value": (config.min_value, config.max_value),
                    "target": (config.min_target, config.max_target),
                },
            },
        }

    def score_answer(self, answer: str | None, entry: dict[str, Any]) -> float:
        """1.0 when ``answer`` reaches the entry's target from its numbers under its rules.

        ``answer`` is the expression (reasoning-gym takes it out of the ``<answer>`` tags
        first); ``None`` or anything that is not a ``str`` scores 0.0. An ``entry`` without
        our metadata raises ``KeyError``: it came from another dataset.
        """
        if not isinstance(answer, str):
            return 0.0
        metadata = entry["metadata"]
        rules = Rules.from_dict(metadata["rules"]) if "rules" in metadata else None
        verdict = verify_equation(answer, metadata["nums"], metadata["target"], rules=rules)
        return 1.0 if verdict.correct else 0.0


class CountdownRLCurriculum(BaseCurriculum):
    """reasoning-gym curriculum over ``numbers`` (3-4 up to 3-6), ``value`` (largest number:
    100, 1000) and ``target`` (largest target: 100, 1000, 10000); level 0 of each is the
    dataset's default.

    >>> curriculum = CountdownRLCurriculum()
    >>> curriculum.increment_attr_level("numbers")
    True
    >>> config = curriculum.generate_configuration({"seed": 1, "size": 10})
    >>> config.min_numbers, config.max_numbers, config.max_value
    (3, 5, 100)
    """

    def __init__(self) -> None:
        super().__init__(CountdownRLCurriculum.__name__, CountdownRLConfig)
        self._define_attributes(
            RangeAttributeDefinition(
                name="numbers",
                levels=[3, 4, 5, 6],
                description="How many numbers a task has",
                lower_field_name="min_numbers",
                upper_field_name="max_numbers",
                ensure_interval=True,
            ),
            RangeAttributeDefinition(
                name="value",
                levels=[1, 100, 1000],
                description="Largest number drawn",
                lower_field_name="min_value",
                upper_field_name="max_value",
                ensure_interval=True,
            ),
            RangeAttributeDefinition(
                name="target",
                levels=[1, 100, 1000, 10000],
                description="Largest target",
                lower_field_name="min_target",
                upper_field_name="max_target",
                ensure_interval=True,
            ),
        )


def register(name: str = DATASET_NAME) -> None:
    """Register the dataset and its curriculum with reasoning-gym under ``name``.

    Done on import for :data:`DATASET_NAME`; calling it again for a name already holding our
    dataset does nothing, and a name held by another dataset raises reasoning-gym's
    ``ValueError``.

    >>> import reasoning_gym
    >>> register()  # already registered on import: nothing to do
    >>> reasoning_gym.create_dataset("countdown_rl", seed=1, size=1)[0]["metadata"]["nums"]
    [5, 37, 49]
    """
    registered = _rg.factory.DATASETS.get(name)
    if registered is not None and registered[0] is CountdownRLDataset:
        return
    _rg.register_dataset(name, CountdownRLDataset, CountdownRLConfig, CountdownRLCurriculum)


register()
