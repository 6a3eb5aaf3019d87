"""Multi-turn Countdown for TRL: a ``check_answer`` tool over ``CountdownMultiTurn-v0``.

TRL's ``GRPOTrainer(environment_factory=...)`` builds one environment object per rollout. Its
public methods become tools the model may call, ``reset(**row)`` starts the rollout on a
dataset row, and ``get_reward()`` scores the finished rollout. :class:`CountdownToolEnv` is such
an object: the model may check candidate equations with ``check_answer`` up to ``max_attempts``
times, reading the environment's feedback (correct, what the equation evaluated to, or why it
was refused), then gives its final answer.

Usage (TRL 1.16; ``environment_factory`` is experimental in TRL and may change)::

    from trl import GRPOConfig, GRPOTrainer
    from countdown_env import generate, to_hf_dataset
    from verifiers.rewards import correctness_reward
    from agents.training import CountdownToolEnv, make_environment_factory, prepare_tool_tokenizer

    dataset = to_hf_dataset(generate(1000, seed=0), template="chat")   # prompt = chat messages
    tokenizer = prepare_tool_tokenizer(tokenizer, template="qwen2_5")  # e.g. for SmolLM2
    trainer = GRPOTrainer(
        model=model,
        processing_class=tokenizer,
        train_dataset=dataset,
        environment_factory=CountdownToolEnv,              # or make_environment_factory(...)
        reward_funcs=[correctness_reward],                 # optional: also score the final <answer>
        args=GRPOConfig(max_tool_calling_iterations=3, max_completion_length=512, ...),
    )

Points that matter:

* Prompts must be conversational (a list of messages): TRL appends the text ``reset`` returns to
  the last user message. ``to_hf_dataset(..., template="chat")`` gives that shape.
* No dataset needed: ``make_environment_factory(task_seed=0, num_generations=G)`` draws each
  group's task itself (one process), and with a ``task_index`` column
  (``Dataset.from_dict({"task_index": range(n)})``) in any setup. See
  :class:`CountdownToolEnv` for why every member of a GRPO group gets the same task.
* Set ``GRPOConfig.max_tool_calling_iterations`` (for example to ``max_attempts``). Its default,
  ``None``, lets a model call tools forever within the token budget; an unbounded tool loop ran
  out of memory in trl#4751. The attempt limit here bounds how many answers are *checked*, not
  how many turns TRL generates.
* ``max_completion_length`` counts the tool results too (they are masked out of the loss), so
  leave room for a few feedback lines (about 40 tokens each). A tool result that would overflow
  it is dropped by TRL and that rollout's tool loop ends, but the check has already happened:
  :meth:`CountdownToolEnv.get_reward` counts it even though the model never saw the feedback.
* The environment's reward is logged under the class name (``rewards/CountdownToolEnv/mean``)
  with weight 1. The final ``<answer>`` (the last assistant message) can additionally be scored
  by :func:`verifiers.rewards.correctness_reward` in ``reward_funcs``.
* The tokenizer's chat template must render tool calls and TRL must be able to parse them:
  the templates ``trl.chat_template_utils.add_response_schema`` recognises (Qwen2.5, Qwen3,
  Qwen3.5/3.6, Llama 3.1/3.2, GLM-4-MoE, GPT-OSS, Nemotron 3, LFM2, Gemma 4, DeepSeek-R1
  distill). SmolLM2's own template has no tools, but it uses the same ChatML tokens as Qwen, so
  :func:`prepare_tool_tokenizer` gives it TRL's ``qwen2_5`` template. The model must also be
  able to write a tool call: SmolLM2-135M-Instruct wrote none in 16 sampled rollouts, so
  without a tool-format warm start its groups carry no signal.

Importing this module loads gymnasium and :mod:`countdown_env`, never torch or trl.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

import gymnasium as gym

import countdown_env  # noqa: F401  (registers CountdownMultiTurn-v0)
from agents.training._model import prepare_tool_tokenizer
from agents.training._tool_config import DEFAULT_INSTRUCTIONS, ToolCheck, ToolEnvConfig
from agents.training._tool_tasks import ResetCount, task_for_row
from countdown_env import prompt_text
from verifiers import CountdownVerifier
from verifiers.errors import ConfigError
from verifiers.extract import extract_answer, extract_bare
from verifiers.rules import Rules

if TYPE_CHECKING:
    from countdown_env import CountdownMultiTurnEnv, Task

__all__ = [
    "DEFAULT_INSTRUCTIONS",
    "CountdownToolEnv",
    "ToolCheck",
    "ToolEnvConfig",
    "prepare_tool_tokenizer",  # re-exported from agents.training._model
]

_ENV_ID = "CountdownMultiTurn-v0"

_ANSWER_TAGS = "<answer> </answer> tags."
_FINAL_HINT = "Give your final answer in " + _ANSWER_TAGS


def _tool_expression(text: str) -> str | None:
    """What ``check_answer`` checks: the last ``<answer>`` block if the model wrapped one, else
    the whole text (models often copy the answer tags into the tool argument)."""
    if "<answer>" in text:
        return extract_answer(text)
    return extract_bare(text)


class CountdownToolEnv:
    """One rollout of multi-turn Countdown, shaped for TRL's ``environment_factory``.

    TRL turns every public method except ``reset`` and ``get_reward`` into a tool, so the only
    tool is :meth:`check_answer`; state is exposed through read-only properties.

    Reward (:meth:`get_reward`): the return of the wrapped ``CountdownMultiTurn-v0`` episode, the
    sum of its step rewards. With the defaults that is 1.0 when a checked answer was correct
    and 0.0 otherwise (including a rollout that never called the tool); with
    ``attempt_penalty=p`` each wrong check subtracts ``p`` (solved on the third check: ``1 - 2p``;
    never solved after ``k`` checks: ``-k*p``). Always a finite float, never ``None`` or NaN.

    Tasks the environment draws itself (``config.task_seed`` set). A GRPO group is only a fair
    comparison when its ``num_generations`` members play the same task (TRL's documentation
    says so for environments that sample their own state), so a drawn task is always keyed,
    never random: ``task_at(task_seed, index, config.generator)``. The ``index`` comes from:

    * a ``task_index`` column. TRL's sampler repeats each row ``num_generations`` times within
      one group, across processes, gradient accumulation and ``num_iterations`` alike, so this
      is right in every setup. A dataset of indexes is all it takes:
      ``Dataset.from_dict({"task_index": range(n)})`` (no ``prompt`` column needed).
    * no dataset at all (``train_dataset`` omitted, ``max_steps`` set): TRL then feeds
      identical placeholder rows (an empty user message), the same rows for every group. The
      environments of one :class:`CountdownToolEnvFactory` count their task-less resets: the
      ``k``-th plays index ``k // config.num_generations``. This holds because TRL resets a
      process's rollouts one by one in batch order with each group's members adjacent, and in
      one process every generation batch holds whole groups. So ``num_generations`` must equal
      ``GRPOConfig.num_generations``, the run must be one process (``WORLD_SIZE`` > 1 is
      refused: a group may span processes), an ``eval_dataset`` must carry its own task
      columns (its rows would otherwise take numbers from the same count), and a resumed run
      starts the count again at 0.

    ``reset`` then returns the task's question (``config.template``, default ``"chat"``) and
    the instructions, which TRL appends to the (empty) user message, so the model sees the
    task. The drawn index is :attr:`task_index`.

    >>> from agents.training import make_environment_factory
    >>> factory = make_environment_factory(task_seed=0, num_generations=2,
    ...                                    generator={"max_numbers": 3})
    >>> group = [factory() for _ in range(4)]   # TRL: one instance per rollout
    >>> texts = [env.reset(prompt=[{"role": "user", "content": ""}]) for env in group]
    >>> [env.task_index for env in group]
    [0, 0, 1, 1]
    >>> texts[0] == texts[1] != texts[2] and texts[0].startswith("Using the numbers")
    True
    >>> from countdown_env import task_at
    >>> (group[2].nums, group[2].target) == (task_at(0, 1, max_numbers=3).nums,
    ...                                       task_at(0, 1, max_numbers=3).target)
    True

    In a training script (a single process)::

        trainer = GRPOTrainer(
            model=model, processing_class=tokenizer,
            environment_factory=make_environment_factory(task_seed=0, num_generations=8),
            args=GRPOConfig(num_generations=8, max_steps=500, max_tool_calling_iterations=3),
        )   # or train_dataset=Dataset.from_dict({"task_index": range(4000)}), any process count

    Args:
        config: the settings (default :class:`ToolEnvConfig()`).
        **overrides: :class:`ToolEnvConfig` fields to change, e.g. ``max_attempts=2``.

    >>> env = CountdownToolEnv(max_attempts=2)
    >>> print(env.reset(prompt=[], nums=[3, 7, 25], target=46).strip())  # doctest: +ELLIPSIS
    You may check a candidate equation with the check_answer tool before answering (2 checks). ...
    >>> print(env.check_answer("25 + 3 + 7"))  # doctest: +ELLIPSIS
    Attempt 1 of 2 is not correct: your answer 25 + 3 + 7 evaluates to 35, not 46. You have 1 ...
    >>> print(env.check_answer("25 + 3 * 7"))
    correct: the expression equals 46. Now give it as your final answer in <answer> </answer> tags.
    >>> env.get_reward(), env.attempts_left
    (1.0, 0)
    """

    def __init__(self, config: ToolEnvConfig | None = None, **overrides: Any) -> None:
        if config is None:
            config = ToolEnvConfig(**overrides)
        elif not isinstance(config, ToolEnvConfig):
            raise ConfigError(
                f"config must be a ToolEnvConfig or None, got {type(config).__name__}"
            )
        elif overrides:
            config = replace(config, **overrides)
        self._config = config
        rules = Rules.from_kwargs(config.rules)
        self._env = gym.make(
            _ENV_ID,
            max_attempts=config.max_attempts,
            attempt_penalty=config.attempt_penalty,
            reward_fn=config.reward,
            verifier=CountdownVerifier(rules, extractor=_tool_expression),
            rules=rules,
            max_action_length=config.max_expression_length,
            check_solvable=config.check_solvable,
            # The wrapped env is driven only through this class, whose own tests cover the
            # Gymnasium contract; the passive checker would only add warnings per instance.
            disable_env_checker=True,
        )
        self._checks: list[ToolCheck] = []
        self._task_index: int | None = None
        # Set by CountdownToolEnvFactory: one count shared by every environment it makes.
        self._draws: ResetCount | None = None

    # ----- TRL's environment protocol -------------------------------------------------------------
    def reset(self, **row: Any) -> str | None:
        """Start a rollout on the row's task, or on one the environment draws; return the text to
        append to the prompt.

        Where the task comes from (see the class docstring for the GRPO group rule):

        * ``nums`` (or ``numbers``) and ``target``: that task. ``solution``, when a string,
          spares the solvability check a search.
        * ``task_index`` (with ``config.task_seed`` set): ``task_at(task_seed, task_index,
          generator)``.
        * neither (TRL's placeholder rows when there is no ``train_dataset``; with
          ``config.task_seed`` and ``config.num_generations`` set, through
          :func:`~agents.training.make_environment_factory`): the ``k``-th reset of the
          factory's environments plays ``task_at(task_seed, k // num_generations, generator)``.

        Every other column (``prompt``, ``id``, ...) is ignored.

        Returns:
            For a row's own task, the instructions (``config.instructions`` with
            ``{max_attempts}`` filled in, or ``None`` when ``instructions`` is ``None``). For a
            drawn task, the task's question in ``config.template`` followed by the instructions
            (after a blank line when the prompt's last message already has text).

        Raises:
            ConfigError: the row is inconsistent (``nums`` without ``target`` or the reverse,
                ``nums`` and ``numbers`` that differ, a task column that is null, ``task_index``
                beside ``nums``/``target``, a ``task_index`` that is not an integer >= 0), has no
                task and the environment draws none, draws by counting resets outside a factory
                or in several processes, or its ``prompt`` is a plain string: tool calling needs
                chat messages (TRL would fail later on it with a bare ``TypeError``).
            countdown_env.TaskError: the task is malformed, or unsolvable with ``check_solvable``.
        """
        prompt = row.get("prompt")
        if isinstance(prompt, str):
            raise ConfigError(
                "environment_factory needs conversational prompts (a list of chat messages), got "
                "a string prompt; build the dataset with to_hf_dataset(..., template='chat')"
            )
        task, index = task_for_row(row, self._config, self._draws)
        self._env.reset(options={"task": task})
        self._task_index = index
        self._checks = []
        instructions = self._config.instructions
        if instructions is not None:
            instructions = instructions.format(max_attempts=self._config.max_attempts)
        if index is None:
            return instructions
        task = cast("Task", task)  # a drawn task (index not None) is a Task, not the row's dict
        question = prompt_text(self._config.template or "chat", task.nums, task.target)
        if _last_content(prompt):
            question = "\n\n" + question
        return question + (instructions or "")

    def check_answer(self, expression: str) -> str:
        """Check a candidate equation for the Countdown task and get feedback.

        Args:
            expression: The equation over the given numbers, for example (25 + 50) * 4.

        Returns:
            Whether it is correct, else its value or why it was refused; the checks left.
        """
        if cast("CountdownMultiTurnEnv", self._env.unwrapped).task is None:
            raise gym.error.ResetNeeded(
                "call reset(**row) before check_answer: there is no task yet"
            )
        if self.attempts_left == 0:
            head = "The task is already solved" if self.solved else "No checks left"
            return f"{head}; nothing was checked. {_FINAL_HINT}"
        text, note = _argument_text(expression)
        observation, reward, terminated, _, info = self._env.step(text)
        feedback = note + observation
        if terminated:
            feedback = f"{feedback.rstrip('.')}. Now give it as your final answer in {_ANSWER_TAGS}"
        self._checks.append(
            ToolCheck(text, feedback, bool(info["correct"]), str(info["status"]), float(reward))
        )
        return feedback

    def get_reward(self) -> float:
        """The rollout's reward: the episode return (see the class docstring), 0.0 if unchecked."""
        return float(sum(check.reward for check in self._checks))

    # ----- read-only state (properties, so TRL does not expose them as tools) ---------------------
    @property
    def config(self) -> ToolEnvConfig:
        """The settings this environment was built with."""
        return self._config

    @property
    def nums(self) -> list[int] | None:
        """The current task's numbers (``None`` before the first reset)."""
        task = cast("CountdownMultiTurnEnv", self._env.unwrapped).task
        return None if task is None else list(task.nums)

    @property
    def target(self) -> int | None:
        """The current task's target (``None`` before the first reset)."""
        task = cast("CountdownMultiTurnEnv", self._env.unwrapped).task
        return None if task is None else task.target

    @property
    def task_index(self) -> int | None:
        """The ``task_at`` index of a task the environment drew (``None`` for a row's task)."""
        return self._task_index

    @property
    def checks(self) -> tuple[ToolCheck, ...]:
        """Every ``check_answer`` call of this rollout that reached the environment, in order."""
        return tuple(self._checks)

    @property
    def attempts_left(self) -> int:
        """Checks still allowed in this rollout (0 once solved)."""
        return 0 if self.solved else self._config.max_attempts - len(self._checks)

    @property
    def solved(self) -> bool:
        """Whether a checked answer was correct."""
        return any(check.correct for check in self._checks)

    def __repr__(self) -> str:
        checks = len(self._checks)
        return f"CountdownToolEnv(nums={self.nums}, target={self.target}, checks={checks})"


def _argument_text(expression: object) -> tuple[str, str]:
    """The text to step the env with, and a note for the model when the argument was not a str.

    A JSON tool call can carry a number, a list or null where a string belongs. Checking its
    JSON spelling lets the environment refuse it (or, for ``8``, say what it evaluates to) and
    count the attempt, so the attempt budget holds whatever the model sends.
    """
    if isinstance(expression, str):
        return expression, ""
    kind = type(expression).__name__
    try:
        text = json.dumps(expression)
    except (TypeError, ValueError, RecursionError):
        text = f"<{kind}>"
    shown = text if len(text) <= 40 else text[:37] + "..."
    return text, (
        f"check_answer expects the expression as a string, got {kind}; "
        f"its JSON form {shown} was checked instead. "
    )


def _last_content(prompt: Any) -> bool:
    """Whether the last message of a chat prompt already has text."""
    if not isinstance(prompt, list) or not prompt or not isinstance(prompt[-1], Mapping):
        return False
    return bool(prompt[-1].get("content"))
