"""What the three Countdown environments share: the task source, text spaces, actions, rendering.

Task source. Each ``reset`` draws one task with ``self.np_random`` (never in ``__init__``), so the
same seed gives the same task. Tasks come from the generator (``config`` and/or generator fields
as keyword arguments, e.g. ``min_numbers=2``) or from ``tasks``, a list or dataset of tasks (each a
:class:`~countdown_env._task.Task` or a row ``{"nums": [...], "target": ...}``; a pre-generated pool
is the fastest source). ``reset(options={"task": ...})`` or ``options={"nums": [...],
"target": ...}`` plays a given task instead, so a GRPO group can share one task;
``options={"task_index": i}`` picks item ``i`` of ``tasks``.

Solvability. Generated tasks are solvable under the env's rules by construction. A task from
``tasks`` or ``options`` is checked once (its reference solution, else the exact solver) and an
unsolvable one raises :class:`~countdown_env.errors.TaskError`, unless ``check_solvable=False``.
"Solvable" means the verifier accepts the solver's answer under the env's rules (its limits on
digits and length included). The solver gets ``solvable_timeout`` seconds (default
:data:`DEFAULT_SOLVABLE_TIMEOUT`; ``None``: no limit): 7 or 8 numbers with a target out of reach
can take minutes, and a check that runs out of time raises
:class:`~countdown_env.errors.SolvabilityTimeoutError` (a ``TaskError``).

Text spaces. Observations are ``Text(max_observation_length)`` over printable ASCII plus newline
and the template's own characters. Actions are ``Text(max_action_length, min_length=0)`` over
:data:`ACTION_CHARSET`: printable ASCII, tab/newline/carriage return, and the printable characters
of Latin-1, Greek, general punctuation, super/subscripts, arrows and mathematical operators (so
``×``, ``÷``, ``·``, ``−`` and most math typography). Pass ``action_charset`` to widen it (e.g. with
CJK characters). A non-``str`` action raises :class:`~countdown_env.errors.InvalidActionError`; a
string longer than ``max_action_length`` or with a character outside the charset (control
characters, other scripts, emoji) is refused: status ``too_long`` / ``forbidden``, reward
``refused_reward``, a reason in ``info``; the environment keeps working.

Vector environments. ``gymnasium.make_vec(id, num_envs=n)`` (sync) works as is. For
``vectorization_mode="async"`` pass ``vector_kwargs={"shared_memory": False}``: Gymnasium's
``AsyncVectorEnv`` reads ``Text`` observations from shared memory only once, when it starts
(Gymnasium#1164), so with shared memory every observation, the first one included, would be
the empty buffer. The observation space (:class:`ObservationText`) therefore refuses shared
memory with a :class:`~verifiers.errors.ConfigError` that says what to pass. Environments
pickle, so ``AsyncVectorEnv`` can ship them to worker processes.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, cast

import gymnasium as gym
from gymnasium import spaces

from countdown_env._config import GeneratorConfig
from countdown_env._datasets import task_from_row
from countdown_env._generator import build_task
from countdown_env._prompts import PromptTemplate, get_template
from countdown_env._solver import accepted_solution
from countdown_env._task import Task
from countdown_env.envs._scoring import call_reward, finite
from countdown_env.envs._spaces import (
    ACTION_CHARSET,
    DEFAULT_MAX_ACTION_LENGTH,
    DEFAULT_MAX_OBSERVATION_LENGTH,
    OBSERVATION_CHARSET,
    ObservationText,
    sanitize,
)
from countdown_env.errors import (
    InvalidActionError,
    SolvabilityTimeoutError,
    SolverTimeoutError,
    TaskError,
    shown,
)
from verifiers import CountdownVerifier, Status, Verdict, Verifier, verify_equation
from verifiers.errors import ConfigError
from verifiers.rules import Rules

__all__ = [
    "ACTION_CHARSET",
    "DEFAULT_MAX_ACTION_LENGTH",
    "DEFAULT_MAX_OBSERVATION_LENGTH",
    "DEFAULT_SOLVABLE_TIMEOUT",
    "OBSERVATION_CHARSET",
    "CountdownBaseEnv",
    "ObservationText",
    "call_reward",
    "sanitize",
]


DEFAULT_SOLVABLE_TIMEOUT = 5.0
"""Seconds the solvability check of a given task may take (``solvable_timeout``)."""
_TASK_SEED_SPAN = 2**63 - 1
_OPTION_KEYS = ("task", "nums", "target", "task_index")


class CountdownBaseEnv(gym.Env[str, str]):
    """Common machinery; see :class:`~countdown_env.envs.single.CountdownEnv` for the docs."""

    # gym.Env declares metadata an instance attribute (mypy refuses a ClassVar override); it
    # is a class-level constant by gymnasium's convention, never mutated.
    metadata: dict[str, Any] = {"render_modes": ["ansi", "human"], "render_fps": 1}  # noqa: RUF012

    def __init__(
        self,
        *,
        tasks: Iterable[Task | Mapping[str, Any]] | None = None,
        config: GeneratorConfig | Mapping[str, Any] | None = None,
        rules: Rules | None = None,
        template: str | PromptTemplate = "tinyzero",
        render_mode: str | None = None,
        max_action_length: int = DEFAULT_MAX_ACTION_LENGTH,
        max_observation_length: int = DEFAULT_MAX_OBSERVATION_LENGTH,
        action_charset: str | None = None,
        refused_reward: float = 0.0,
        check_solvable: bool = True,
        solvable_timeout: float | None = DEFAULT_SOLVABLE_TIMEOUT,
        **generator_kwargs: Any,
    ) -> None:
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ConfigError(
                f"render_mode must be one of {self.metadata['render_modes']} or None, "
                f"got {shown(render_mode)}"
            )
        self.render_mode = render_mode
        self.template = get_template(template)
        if tasks is None:
            self.config: GeneratorConfig | None = GeneratorConfig.from_kwargs(
                config, rules=rules, **generator_kwargs
            )
            self.rules = rules if rules is not None else self.config.rules
            self.tasks: list[Task] | None = None
        else:
            if config is not None or generator_kwargs:
                unused = sorted(generator_kwargs) + (["config"] if config is not None else [])
                raise ConfigError(f"tasks= replaces the generator; drop {unused}")
            self.config = None
            self.rules = Rules.from_kwargs(rules)
            self.tasks = [t if isinstance(t, Task) else task_from_row(t) for t in tasks]
            if not self.tasks:
                raise ConfigError("tasks must hold at least one task")
        for name, value, low in (
            ("max_action_length", max_action_length, 1),
            ("max_observation_length", max_observation_length, 64),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ConfigError(f"{name} must be an integer >= {low}, got {shown(value)}")
        self.refused_reward = finite("refused_reward", refused_reward)
        self.check_solvable = bool(check_solvable)
        if solvable_timeout is not None and (
            isinstance(solvable_timeout, bool)
            or not isinstance(solvable_timeout, (int, float))
            or not 0 < solvable_timeout < math.inf
        ):
            raise ConfigError(
                "solvable_timeout must be a number of seconds > 0, or None for no limit, got "
                f"{shown(solvable_timeout)}"
            )
        self.solvable_timeout = solvable_timeout
        charset = ACTION_CHARSET if action_charset is None else action_charset
        if not isinstance(charset, str) or not charset:
            raise ConfigError("action_charset must be a non-empty str of allowed characters")
        self.action_space = spaces.Text(max_action_length, min_length=0, charset=charset)
        obs_chars = "".join(sorted(set(OBSERVATION_CHARSET) | set(self.template.text)))
        self.observation_space = ObservationText(max_observation_length, charset=obs_chars)
        self._obs_charset = frozenset(obs_chars)
        self._action_charset = frozenset(charset)
        self._known_solvable: set[tuple[tuple[int, ...], int]] = set()
        self.task: Task | None = None
        self._last_render = ""

    # ----- tasks --------------------------------------------------------------------------------
    def _draw_task(self, options: Mapping[str, Any] | None) -> Task:
        if options is not None and not isinstance(options, Mapping):
            raise ConfigError(
                f"reset options must be a dict such as {{'nums': [...], 'target': ...}} or None, "
                f"got {type(options).__name__}"
            )
        if options:
            unknown = sorted(set(options) - set(_OPTION_KEYS))
            if unknown:
                raise ConfigError(
                    f"unknown reset option(s) {unknown}; accepted: {list(_OPTION_KEYS)}"
                )
            if "task" in options:
                given = options["task"]
                return self._checked(given if isinstance(given, Task) else task_from_row(given))
            if "nums" in options or "target" in options:
                return self._checked(Task.from_dict(options))
            if "task_index" in options:
                if self.tasks is None:
                    raise ConfigError("options['task_index'] needs an env built with tasks=")
                index = options["task_index"]
                if isinstance(index, numbers.Integral) and not isinstance(index, bool):
                    index = int(index)  # numpy integers too, as np_random hands them out
                if type(index) is not int or not 0 <= index < len(self.tasks):
                    raise ConfigError(
                        f"task_index must be an integer in 0..{len(self.tasks) - 1}, "
                        f"got {shown(index)}"
                    )
                return self._checked(self.tasks[index])
        if self.tasks is not None:
            return self._checked(self.tasks[int(self.np_random.integers(len(self.tasks)))])
        seed = int(self.np_random.integers(_TASK_SEED_SPAN))
        return cast(Task, build_task(cast(GeneratorConfig, self.config), seed, 0, 0))

    def _checked(self, task: Task) -> Task:
        """``task`` once it is known solvable: its own solution verifies, or the verifier
        accepts the solver's (found within ``solvable_timeout``)."""
        if not self.check_solvable or task.key in self._known_solvable:
            return task
        ok = (
            task.solution is not None
            and verify_equation(task.solution, task.nums, task.target, rules=self.rules).correct
        )
        if not ok:
            limit = self.solvable_timeout
            try:
                solution, why = accepted_solution(
                    task.nums, task.target, rules=self.rules, timeout=limit
                )
            except SolverTimeoutError:
                raise SolvabilityTimeoutError(
                    f"checking that the task {shown(task.nums)} -> {shown(task.target)} is "
                    f"solvable took more than solvable_timeout={limit:g} s; pass a larger "
                    "solvable_timeout (None: no limit), give the task a 'solution', or pass "
                    "check_solvable=False to skip the check"
                ) from None
            except TaskError as err:  # more numbers than the solver takes
                raise TaskError(
                    f"cannot check that the task is solvable: {err}; give the task a 'solution' "
                    "or pass check_solvable=False"
                ) from None
            if solution is None:
                raise TaskError(
                    f"the task {shown(task.nums)} -> {shown(task.target)} {why} (the env's "
                    "rules); remove it or pass check_solvable=False"
                )
        self._known_solvable.add(task.key)
        return task

    def _check_observation(self, text: str) -> str:
        limit = cast(spaces.Text, self.observation_space).max_length
        if len(text) > limit:
            raise TaskError(
                f"an observation of {len(text)} characters exceeds max_observation_length="
                f"{limit}; raise it"
            )
        return text

    # ----- actions ------------------------------------------------------------------------------
    def _refusal(self, action: Any) -> Verdict | None:
        """A verdict for an action the env refuses to score, or ``None`` when it is acceptable."""
        if not isinstance(action, str):
            raise InvalidActionError(
                f"an action must be a str (the completion text), got {type(action).__name__}"
            )
        limit = cast(spaces.Text, self.action_space).max_length
        if len(action) > limit:
            return Verdict(
                False,
                Status.TOO_LONG,
                None,
                None,
                f"the action has {len(action)} characters, more than max_action_length={limit}",
            )
        allowed = self._action_charset
        if allowed.issuperset(action):
            return None
        for position, char in enumerate(action):
            if char not in allowed:
                return Verdict(
                    False,
                    Status.FORBIDDEN,
                    None,
                    None,
                    f"the action contains U+{ord(char):04X} at position {position}, a character "
                    "outside the action space's charset",
                )
        return None

    def _set_scoring(
        self,
        reward_fn: Callable[..., Sequence[float | None]] | None,
        verifier: Verifier | None,
    ) -> None:
        """The scoring :meth:`_judge` uses: an injected reward and a verifier (default: ours)."""
        if reward_fn is not None and not callable(reward_fn):
            raise ConfigError(
                "reward_fn must be a TRL-style reward function fn(completions, nums=, target=, "
                f"...) or None, got {type(reward_fn).__name__}"
            )
        if verifier is not None and not callable(verifier):
            raise ConfigError(
                f"verifier must be callable (completion, nums, target) -> Verdict or None, "
                f"got {type(verifier).__name__}"
            )
        self.reward_fn = reward_fn
        self.verifier = verifier or CountdownVerifier(self.rules, extractor=self.template.extractor)
        self._prompt: Any = None
        self._done = True

    def _start_episode(self, seed: int | None, options: Mapping[str, Any] | None) -> str:
        """Draw this episode's task (seeded) and return its prompt text, the observation."""
        super().reset(seed=seed)
        task = self._draw_task(options)
        self.task = task
        observation = self._check_observation(self.template.text_for(task.nums, task.target))
        self._prompt = self.template.wrap(observation)
        self._done = False
        return observation

    def _judge(
        self, action: Any, task: Task, default_reward: Callable[[Verdict], float]
    ) -> tuple[Verdict, float, bool]:
        """``(verdict, reward, refused)`` for one action on ``task``.

        A refused action gets ``refused_reward``; otherwise the injected ``reward_fn`` scores
        it, or ``default_reward(verdict)`` when there is none.
        """
        verdict = self._refusal(action)
        if verdict is not None:
            return verdict, self.refused_reward, True
        verdict = self.verifier(action, task.nums, task.target)
        if not isinstance(verdict, Verdict):
            raise TypeError(
                f"the env's verifier must return a verifiers.Verdict (the env reports its status, "
                f"value and reason), got {type(verdict).__name__} {verdict!r:.60}; build one with "
                "Verdict(correct=..., status=Status...., value=..., expression=..., reason=...)"
            )
        if self.reward_fn is None:
            return verdict, default_reward(verdict), False
        return verdict, call_reward(self.reward_fn, action, task, self._prompt), False

    def _sanitize(self, text: str, limit: int = 200) -> str:
        return sanitize(text, self._obs_charset, limit)

    @staticmethod
    def _task_info(task: Task) -> dict[str, Any]:
        return {"nums": list(task.nums), "target": task.target, "task_id": task.id}

    @staticmethod
    def _verdict_info(verdict: Verdict) -> dict[str, Any]:
        return {
            "correct": verdict.correct,
            "status": verdict.status.value,
            "value": None if verdict.value is None else str(verdict.value),
            "expression": verdict.expression,
            "reason": verdict.reason,
        }

    # ----- rendering ----------------------------------------------------------------------------
    def render(self) -> str | None:
        """``"ansi"``: the current state as text; ``"human"``: print it; ``None``: nothing."""
        if self.render_mode == "ansi":
            return self._last_render
        if self.render_mode == "human":
            print(self._last_render)
        return None
