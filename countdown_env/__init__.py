"""Countdown tasks and Gymnasium environments for reinforcement learning on language models.

The task source of countdown-rl: an exact solver, a reproducible generator of guaranteed-solvable
tasks with leak-free splits, prompt templates, dataset I/O (Hugging Face, JSONL, parquet,
TinyZero's layout) and three Gymnasium games, registered on import:

- ``Countdown-v0``: one prompt, one completion, TinyZero's reward by default;
- ``CountdownMultiTurn-v0``: several attempts with feedback after each wrong one;
- ``CountdownSteps-v0``: the TV game, one operation on two numbers per step.

>>> import countdown_env
>>> task = countdown_env.generate(1, seed=0)[0]
>>> countdown_env.solve(task.nums, task.target) is not None
True
>>> sorted(countdown_env.ENV_IDS)
['Countdown-v0', 'CountdownMultiTurn-v0', 'CountdownSteps-v0']

Importing this package loads the standard library, numpy, gymnasium and :mod:`verifiers` only;
``datasets`` and ``pyarrow`` load inside the functions that write or read those formats.
"""

from __future__ import annotations

from verifiers.integrations.conflicts import check_name_clashes

# Before anything else loads: another package's files under our import names fail here, in
# one line, rather than later on an unrelated import.
check_name_clashes()

import gymnasium as gym

from countdown_env._config import PRESETS, GeneratorConfig
from countdown_env._datasets import (
    read_tasks,
    task_from_row,
    to_hf_dataset,
    to_records,
)
from countdown_env._generator import generate, iter_tasks, task_at
from countdown_env._prompts import (
    ANSWER_FORMATS,
    PromptTemplate,
    format_prompt,
    get_template,
    import_template,
    prompt_text,
    register_template,
    template_names,
)
from countdown_env._rating import rate_task
from countdown_env._solver import (
    count_solutions,
    first_move,
    min_operations,
    solve,
    solve_all,
    solve_tree,
)
from countdown_env._space import enumerate_tasks, task_space_size
from countdown_env._splits import (
    fair_holdout_fraction,
    is_held_out,
    make_splits,
    skewed_split,
    split,
)
from countdown_env._task import Task, task_id, task_key
from countdown_env._writers import (
    check_output,
    save_hf_dataset,
    write_jsonl,
    write_parquet,
    write_tasks,
    write_tinyzero_parquet,
)
from countdown_env.envs import (
    ACTION_CHARSET,
    OBSERVATION_CHARSET,
    CountdownEnv,
    CountdownMultiTurnEnv,
    CountdownStepsEnv,
)
from countdown_env.errors import (
    GeneratorOptionError,
    InvalidActionError,
    OutputError,
    OutputExistsError,
    SolverTimeoutError,
    TaskError,
    TaskFileError,
    TaskSpaceExhaustedError,
)

__all__ = [
    "ACTION_CHARSET",
    "ANSWER_FORMATS",
    "ENV_IDS",
    "OBSERVATION_CHARSET",
    "PRESETS",
    "TEMPLATE_NAMES",
    "CountdownEnv",
    "CountdownMultiTurnEnv",
    "CountdownStepsEnv",
    "GeneratorConfig",
    "GeneratorOptionError",
    "InvalidActionError",
    "OutputError",
    "OutputExistsError",
    "PromptTemplate",
    "SolverTimeoutError",
    "Task",
    "TaskError",
    "TaskFileError",
    "TaskSpaceExhaustedError",
    "check_output",
    "count_solutions",
    "enumerate_tasks",
    "fair_holdout_fraction",
    "first_move",
    "format_prompt",
    "generate",
    "get_template",
    "import_template",
    "is_held_out",
    "iter_tasks",
    "make_splits",
    "min_operations",
    "prompt_text",
    "rate_task",
    "read_tasks",
    "register_template",
    "save_hf_dataset",
    "skewed_split",
    "solve",
    "solve_all",
    "solve_tree",
    "split",
    "task_at",
    "task_from_row",
    "task_id",
    "task_key",
    "task_space_size",
    "template_names",
    "to_hf_dataset",
    "to_records",
    "write_jsonl",
    "write_parquet",
    "write_tasks",
    "write_tinyzero_parquet",
]

TEMPLATE_NAMES: tuple[str, ...] = ("tinyzero", "chat", "compact")
"""The built-in prompt templates (see :func:`template_names` for all registered ones)."""

ENV_IDS: dict[str, str] = {
    "Countdown-v0": "countdown_env.envs.single:CountdownEnv",
    "CountdownMultiTurn-v0": "countdown_env.envs.multi_turn:CountdownMultiTurnEnv",
    "CountdownSteps-v0": "countdown_env.envs.steps:CountdownStepsEnv",
}
"""Registered environment ids and their string entry points."""

for _env_id, _entry_point in ENV_IDS.items():
    if _env_id not in gym.registry:  # re-importing must not re-register (gymnasium would warn)
        gym.register(id=_env_id, entry_point=_entry_point)
