"""The compact-steps answer format: worked steps the verifier checks, as the warm start writes
them."""

from __future__ import annotations

import random

import pytest

from agents.training._steps import random_steps_answer, step_choices
from agents.training._warmstart import format_only_texts
from countdown_env import generate, get_template
from verifiers import evaluate, verify, verify_equation
from verifiers.errors import ConfigError
from verifiers.extract import extract_steps

_SPACES = str.maketrans("+-*/", "    ")


def test_the_template_asks_for_worked_answers() -> None:
    template = get_template("compact-steps")
    assert template.format([3, 7, 5], 26) == "3 7 5>26:"
    assert template.extractor == "steps"
    assert verify("3*7=21\n21 5>26:21+5", [3, 7, 5], 26, extractor=template.extractor).correct


@pytest.mark.parametrize("seed", range(4))
def test_random_worked_answers_hold_and_rarely_hit(seed: int) -> None:
    """Every step the warm start writes is true, the task-left lines carry the target and the
    numbers at hand, and the equation uses each number once."""
    rng = random.Random(seed)
    tasks = generate(150, seed=seed, min_numbers=3, max_numbers=4, min_value=1, max_value=12)
    hits = 0
    for task in tasks:
        nums, target = list(task.nums), task.target
        completion = random_steps_answer(nums, target, rng)
        lines = completion.split("\n")
        assert len(lines) == len(nums) - 1
        at_hand = sorted(nums)
        for line in lines:
            head, _, step = line.rpartition(":")
            if head:
                assert int(head.partition(">")[2]) == target
                assert sorted(int(n) for n in head.partition(">")[0].split()) == at_hand
            if line is not lines[-1]:
                operation, _, result = step.partition("=")
                assert evaluate(operation) == int(result)
                a, b = (int(n) for n in operation.translate(_SPACES).split())
                at_hand.remove(a)
                at_hand.remove(b)
                at_hand = sorted([*at_hand, int(result)])
        equation = extract_steps(completion)
        assert equation is not None, completion
        assert verify_equation(equation, nums, 10**9).status.value in (
            "wrong_value",
            "division_by_zero",
        )  # every number used exactly once
        hits += verify(completion, nums, target, extractor="steps").correct
    assert hits < len(tasks) * 0.25  # random steps rarely solve the task


def test_two_numbers_get_a_bare_expression() -> None:
    answer = random_steps_answer([4, 9], 36, random.Random(0))
    assert "\n" not in answer
    assert extract_steps(answer) == answer


def test_step_choices_are_whole_and_not_negative() -> None:
    nums = [4, 2, 7]
    choices = step_choices(nums)
    assert all(r >= 0 for *_, r in choices)
    assert [(nums[i], nums[j]) for i, j, op, _ in choices if op == "/"] == [(4, 2)]
    assert (1, 2, "-", -5) not in choices and (2, 1, "-", 5) in choices


def test_warm_start_texts_follow_the_template() -> None:
    tasks = generate(20, seed=1, min_numbers=3, max_numbers=3, min_value=1, max_value=10)
    prompts = [get_template("compact-steps").format(t.nums, t.target) for t in tasks]
    nums = [list(t.nums) for t in tasks]
    targets = [t.target for t in tasks]
    pairs = format_only_texts(
        prompts, nums, random.Random(0), targets=targets, answer_format="steps"
    )
    assert all(completion.count("\n") == 1 for _, completion in pairs)
    assert all(extract_steps(completion) is not None for _, completion in pairs)
    with pytest.raises(ConfigError, match="targets"):
        format_only_texts(prompts, nums, random.Random(0), answer_format="steps")
    with pytest.raises(ConfigError, match="answer_tag"):
        format_only_texts(prompts, nums, random.Random(0), answer_format="answer_tag")


def test_the_embedded_tokenizer_reads_newlines() -> None:
    pytest.importorskip("transformers")
    from agents.policies import build_tokenizer

    tokenizer = build_tokenizer()
    text = "3*7=21\n21 5>26:21+5"
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    assert tokenizer.unk_token_id not in ids
    assert tokenizer.decode(ids) == text


def test_a_trained_model_keeps_its_template(tmp_path) -> None:
    """countdown train records the template in the model's config; loading the folder as a
    policy prompts it the same way (a compact-steps model must not get compact prompts)."""
    pytest.importorskip("transformers")
    from agents.policies import build_model, build_tokenizer, load_policy

    tokenizer = build_tokenizer()
    model = build_model(tokenizer, seed=0)
    model.config.countdown_template = "compact-steps"
    model.save_pretrained(tmp_path)
    tokenizer.save_pretrained(tmp_path)
    assert load_policy(str(tmp_path)).default_template == "compact-steps"
    model.config.countdown_template = "no-such-template"  # e.g. a module's, not imported
    model.save_pretrained(tmp_path)
    assert load_policy(str(tmp_path)).default_template == "compact"
