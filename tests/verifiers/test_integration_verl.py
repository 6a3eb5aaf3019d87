"""verifiers.integrations.verl.compute_score: called as verl's reward managers call it.

The contract tests run everywhere; the last ones load the function through verl's own loader
(``get_custom_reward_fn``) and skip cleanly when verl is not installed.
"""

from __future__ import annotations

import importlib.util
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from countdown_env import generate, prompt_text
from verifiers.errors import ConfigError, RulesError
from verifiers.integrations import verl as verl_integration
from verifiers.integrations.verl import compute_score

TRUTH = {"target": 24, "numbers": [4, 6, 1]}
KEYS = {"score", "acc", "status"}


def verl_call(solution_str: object, ground_truth: object = TRUTH, **reward_kwargs) -> dict:
    """The call verl's NaiveRewardManager makes (keywords only, extra_info as it fills it)."""
    return compute_score(
        data_source="countdown",
        solution_str=solution_str,
        ground_truth=ground_truth,
        extra_info={"split": "train", "index": 0, "num_turns": None, "rollout_reward_scores": {}},
        **reward_kwargs,
    )


@pytest.mark.parametrize(
    ("response", "score", "status"),
    [
        ("I think it is 24.", 0.0, "no_answer"),
        ("<answer>4*6", 0.0, "no_answer"),  # cut at max length: no complete block
        ("<answer></answer>", 0.1, "malformed"),
        ("<answer>4+6+1</answer>", 0.1, "wrong_value"),
        ("<answer>4*6</answer>", 0.1, "wrong_numbers"),  # exact use: the 1 is left out
        ("<answer>2**3</answer>", 0.1, "forbidden"),
        ("<think>4*6=24, times 1</think>\n<answer>4 * 6 * 1</answer>", 1.0, "correct"),
        ("<answer>4*6*1</answer>\nThat is my answer, I hope it is right.", 1.0, "correct"),
    ],
)
def test_tinyzero_scores_and_verdict_fields(response: str, score: float, status: str) -> None:
    result = verl_call(response)
    assert result == {"score": score, "acc": 1.0 if status == "correct" else 0.0, "status": status}


def test_the_last_answer_block_counts_with_or_without_a_chat_marker() -> None:
    both = "<answer>4+6+1</answer> no wait <answer>(4*6)*1</answer>"
    assert verl_call(both)["score"] == 1.0
    assert verl_call("Assistant: " + both)["score"] == 1.0
    assert verl_call("<|im_start|>assistant\n" + both)["score"] == 1.0
    assert verl_call("<answer>(4*6)*1</answer> no wait <answer>4+6+1</answer>")["score"] == 0.1


def test_the_example_answer_in_tinyzero_prompt_is_never_scored() -> None:
    # Older reward managers decoded prompt + response, and the prompt shows an example answer.
    prompt = prompt_text("tinyzero", [1, 2, 3], 1)
    assert "<answer> (1 + 2) / 3 </answer>" in prompt and "Assistant:" in prompt
    truth = {"target": 1, "numbers": [1, 2, 3]}
    assert verl_call(prompt + " I could not find it.</think>", truth)["score"] == 0.0
    assert verl_call(prompt + "</think><answer>(1 + 2) / 3</answer>", truth)["score"] == 1.0


@pytest.mark.parametrize(
    "ground_truth",
    [
        {"target": 24, "numbers": np.array([4, 6, 1])},  # pandas gives numpy arrays
        {"target": np.int64(24), "numbers": np.array([4.0, 6.0, 1.0])},
        {"target": 24.0, "nums": [4, 6, 1]},  # our layout, a whole float from a round trip
        {"target": 24, "nums": (4, 6, 1), "solution": "4*6*1"},
    ],
)
def test_ground_truth_as_verl_loads_it(ground_truth: dict) -> None:
    assert verl_call("<answer>4*6*1</answer>", ground_truth)["score"] == 1.0


@pytest.mark.parametrize(
    ("ground_truth", "named"),
    [
        ({"answer": "24"}, "['answer']"),
        ({"target": 24}, "['target']"),
        ({"numbers": [4, 6, 1]}, "['numbers']"),
        ({"target": 24.5, "numbers": [4, 6, 1]}, "24.5"),
        ({"target": 24, "numbers": "4 6 1"}, "str"),
        ({"target": 24, "numbers": [4, -6, 1]}, "-6"),
        ({"target": "24", "numbers": [4, 6, 1]}, "'24'"),
        (json.dumps(TRUTH), "str"),
        (None, "NoneType"),
    ],
)
def test_a_malformed_ground_truth_is_a_clear_error(ground_truth: object, named: str) -> None:
    with pytest.raises(ValueError, match="ground_truth") as err:
        verl_call("<answer>4*6*1</answer>", ground_truth)
    assert named in str(err.value)


@pytest.mark.parametrize(
    "solution_str",
    [
        None,
        b"<answer>4*6*1</answer>",
        24,
        ["<answer>4*6*1</answer>"],
        "",
        "\x00" * 10,
        "<answer>" * 10_000,
        "<answer>" + "(" * 50_000 + "</answer>",
        "<answer>1e999</answer>",
    ],
)
def test_no_solution_str_raises(solution_str: object) -> None:
    result = verl_call(solution_str)
    assert set(result) == KEYS and result["score"] in (0.0, 0.1) and result["acc"] == 0.0


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/answerAsit:|_ 0123456789+-*/()\n")), max_size=80))
def test_any_text_gets_a_score_and_the_same_keys(text: str) -> None:
    result = verl_call(text)
    assert set(result) == KEYS
    assert result["score"] in (0.0, 0.1, 1.0) and isinstance(result["status"], str)


def test_reward_kwargs_choose_the_scheme() -> None:
    assert verl_call("<answer>4+6+1</answer>", format_score=0.0)["score"] == 0.0
    assert verl_call("<answer>4*6*1</answer>", correct_score=2.0)["score"] == 2.0
    assert verl_call("<answer>4*6</answer>", rules={"exact_use": False})["score"] == 1.0
    # Keywords verl adds for its reward router are ignored.
    assert verl_call("<answer>4*6*1</answer>", reward_router_address=None)["score"] == 1.0
    with pytest.raises(ConfigError, match="format_score"):
        verl_call("<answer>4*6*1</answer>", format_score=math.nan)
    with pytest.raises(RulesError, match="exact_uses"):
        verl_call("<answer>4*6*1</answer>", rules={"exact_uses": False})


def test_generate_tinyzero_parquet_is_what_verl_reads(tmp_path) -> None:
    """`countdown generate --format tinyzero` writes the columns RLHFDataset and the reward
    manager read, and each row's reference solution scores 1.0 from the parquet as loaded."""
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    from agents.cli import main

    path = tmp_path / "train.parquet"
    argv = ["generate", "-n", "20", "--seed", "3", "-o", str(path), "--format", "tinyzero"]
    assert main(argv) == 0
    frame = pd.read_parquet(path)
    assert list(frame.columns) == ["data_source", "prompt", "ability", "reward_model", "extra_info"]
    tasks = generate(20, seed=3)
    for row, task in zip(frame.itertuples(), tasks, strict=True):
        assert row.data_source == "countdown"
        assert [dict(message) for message in row.prompt] == [
            {"role": "user", "content": prompt_text("tinyzero", task.nums, task.target)}
        ]
        assert row.reward_model["style"] == "rule" and row.extra_info["index"] >= 0
        truth = row.reward_model["ground_truth"]
        assert isinstance(truth["numbers"], np.ndarray)
        answer = f"<think>...</think><answer>{task.solution}</answer>"
        assert compute_score(row.data_source, answer, truth, row.extra_info)["score"] == 1.0


def test_generate_tinyzero_marks_the_held_out_file_as_the_test_split(tmp_path) -> None:
    """TinyZero's data prep writes ``extra_info.split`` "train" and "test"; so does ours."""
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    from agents.cli import main

    train, test = tmp_path / "train.parquet", tmp_path / "test.parquet"
    argv = ["generate", "-n", "20", "--seed", "3", "-o", str(train), "--format", "tinyzero"]
    assert main([*argv, "--test-output", str(test), "--test-num", "5", "--quiet"]) == 0
    assert {row["split"] for row in pd.read_parquet(train)["extra_info"]} == {"train"}
    assert {row["split"] for row in pd.read_parquet(test)["extra_info"]} == {"test"}


# ---- through verl's own loader (skipped when verl is not installed) ----


def _verl_loader():
    if importlib.util.find_spec("verl") is None:
        pytest.skip("verl is not installed")
    reward = pytest.importorskip("verl.trainer.ppo.reward")
    omegaconf = pytest.importorskip("omegaconf")
    return reward.get_custom_reward_fn, omegaconf.OmegaConf


@pytest.mark.parametrize("path", [verl_integration.__file__, "pkg://verifiers.integrations.verl"])
def test_verl_loads_and_calls_compute_score(path: str) -> None:
    get_custom_reward_fn, OmegaConf = _verl_loader()
    config = OmegaConf.create(
        {"reward": {"custom_reward_function": {"path": path, "name": "compute_score"}}}
    )
    reward_fn = get_custom_reward_fn(config)
    assert reward_fn is not None
    assert reward_fn(
        data_source="countdown",
        solution_str="<think>ok</think><answer>4*6*1</answer>",
        ground_truth={"target": 24, "numbers": np.array([4, 6, 1])},
        extra_info={"index": 0},
    ) == {"score": 1.0, "acc": 1.0, "status": "correct"}


def test_verl_reward_kwargs_reach_compute_score() -> None:
    get_custom_reward_fn, OmegaConf = _verl_loader()
    config = OmegaConf.create(
        {
            "reward": {
                "custom_reward_function": {
                    "path": verl_integration.__file__,
                    "name": "compute_score",
                    "reward_kwargs": {"format_score": 0.0, "rules": {"exact_use": False}},
                }
            }
        }
    )
    reward_fn = get_custom_reward_fn(config)
    kwargs = {"data_source": "countdown", "ground_truth": TRUTH, "extra_info": {}}
    assert reward_fn(solution_str="<answer>4+6</answer>", **kwargs)["score"] == 0.0
    assert reward_fn(solution_str="<answer>4*6</answer>", **kwargs)["score"] == 1.0


def _byte_tokenizer():
    """A real byte-level tokenizer built in code (no download): every text round-trips."""
    tokenizers = pytest.importorskip("tokenizers")
    transformers = pytest.importorskip("transformers")
    alphabet = sorted(tokenizers.pre_tokenizers.ByteLevel.alphabet())
    vocab = {char: i for i, char in enumerate(alphabet)}
    vocab["<pad>"] = len(vocab)
    backend = tokenizers.Tokenizer(tokenizers.models.BPE(vocab=vocab, merges=[]))
    backend.pre_tokenizer = tokenizers.pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = tokenizers.decoders.ByteLevel()
    return transformers.PreTrainedTokenizerFast(tokenizer_object=backend, pad_token="<pad>")


@pytest.mark.parametrize(
    ("response", "score", "status"),
    [
        ("<think>4*6=24</think>\n<answer>4*6*1</answer>", 1.0, "correct"),
        ("<think>hm</think>\n<answer>4+6+1</answer>", 0.1, "wrong_value"),
        ("<think>I give up", 0.0, "no_answer"),
    ],
)
def test_verl_reward_manager_scores_a_decoded_response(
    response: str, score: float, status: str
) -> None:
    """verl's own NaiveRewardManager: decodes the padded response, calls compute_score, and
    keeps every key of the returned dict as reward_extra_info."""
    get_custom_reward_fn, OmegaConf = _verl_loader()
    torch = pytest.importorskip("torch")
    naive = pytest.importorskip("verl.experimental.reward_loop.reward_manager.naive")
    from verl import DataProto

    tokenizer = _byte_tokenizer()
    config = OmegaConf.create(
        {
            "reward": {
                "custom_reward_function": {
                    "path": verl_integration.__file__,
                    "name": "compute_score",
                }
            }
        }
    )
    manager = naive.NaiveRewardManager(config, tokenizer, get_custom_reward_fn(config))
    ids = tokenizer(response)["input_ids"]
    pad = 3
    data = DataProto.from_dict(
        tensors={
            "prompts": torch.tensor([ids[:2]]),
            "responses": torch.tensor([ids + [tokenizer.pad_token_id] * pad]),
            "attention_mask": torch.tensor([[1, 1] + [1] * len(ids) + [0] * pad]),
        },
        non_tensors={
            "data_source": np.array(["countdown"], dtype=object),
            "reward_model": np.array(
                [{"style": "rule", "ground_truth": {"target": 24, "numbers": np.array([4, 6, 1])}}],
                dtype=object,
            ),
            "extra_info": np.array([{"split": "train", "index": 0}], dtype=object),
        },
    )
    result = manager.loop.run_until_complete(manager.run_single(data))
    assert result["reward_score"] == score
    assert result["reward_extra_info"] == {
        "score": score,
        "acc": 1.0 if status == "correct" else 0.0,
        "status": status,
    }
