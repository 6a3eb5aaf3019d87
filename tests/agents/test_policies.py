"""Policies: protocol conformance, the oracle, the random floor, and Hugging Face models."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import verifiers
from agents.policies._base import (
    Policy,
    RandomPolicy,
    Request,
    SamplingConfig,
    SolverPolicy,
    format_answer,
    random_expression,
)
from countdown_env._generator import generate
from countdown_env._prompts import format_prompt, get_template
from verifiers.errors import ConfigError
from verifiers.extract import has_answer_format


def requests_for(tasks, template):
    t = get_template(template)
    return [
        Request(
            t.format(x.nums, x.target), nums=x.nums, target=x.target, answer_format=t.answer_format
        )
        for x in tasks
    ]


@pytest.fixture(scope="module")
def tasks():
    return generate(40, seed=3)


@pytest.mark.parametrize("template", ["tinyzero", "chat", "compact"])
def test_solver_scores_every_solvable_task_in_every_template(tasks, template):
    policy = SolverPolicy()
    assert isinstance(policy, Policy) and policy.name == "solver"
    completions = policy.generate(requests_for(tasks, template))
    extractor = get_template(template).extractor
    for task, completion in zip(tasks, completions, strict=True):
        verdict = verifiers.verify(completion, task.nums, task.target, extractor=extractor)
        assert verdict.correct, (task, completion, verdict)
        if extractor == "answer":
            # The oracle also earns the strict format reward (one think, one answer block).
            assert has_answer_format(completion)


def test_solver_gives_no_answer_for_an_unsolvable_task():
    request = Request("...", nums=(2, 3), target=7)
    [completion] = SolverPolicy().generate([request])
    assert verifiers.verify(completion, [2, 3], 7).status == verifiers.Status.NO_ANSWER


def test_solver_follows_its_rules():
    request = Request("", nums=(25, 50, 75, 100, 3, 6), target=952, answer_format="bare")
    [answer] = SolverPolicy(exact_use=False, integer_intermediates=True).generate([request])
    assert verifiers.verify_equation(answer, request.nums, 952, rules=verifiers.TV_RULES).correct


def test_random_answers_are_well_formed_and_use_each_number_once(tasks):
    sampling = SamplingConfig(temperature=1.0, num_samples=5, seed=1)
    completions = RandomPolicy().generate(requests_for(tasks, "compact"), sampling=sampling)
    assert len(completions) == 5 * len(tasks)
    allowed = {"correct", "wrong_value", "division_by_zero"}
    for i, completion in enumerate(completions):
        task = tasks[i // 5]
        assert verifiers.verify_equation(completion, task.nums, task.target).status in allowed


def test_random_is_reproducible_by_seed_and_varies_across_seeds(tasks):
    reqs = requests_for(tasks[:10], "tinyzero")
    policy = RandomPolicy()
    a = policy.generate(reqs, sampling=SamplingConfig(seed=5))
    assert a == policy.generate(reqs, sampling=SamplingConfig(seed=5))
    assert a != policy.generate(reqs, sampling=SamplingConfig(seed=6))


def test_random_expression_only_uses_the_allowed_operators():
    import random

    rng = random.Random(0)
    for _ in range(50):
        expr = random_expression([1, 2, 3, 4], rng, operators="+*")
        assert set(expr) <= set("1234+*()")


def test_text_only_policies_refuse_bare_prompts():
    with pytest.raises(ConfigError, match="nums and target"):
        SolverPolicy().generate(["3 7 25>46:"])
    with pytest.raises(ConfigError, match="operators"):
        RandomPolicy(operators="^")


def test_format_answer_continues_an_open_think_block():
    prompt = format_prompt("tinyzero", [1, 2], 3)
    completion = format_answer("1+2", "answer_tag", prompt)
    assert not completion.lstrip().startswith("<think>")
    assert has_answer_format(completion)
    assert verifiers.verify(completion, [1, 2], 3).correct
    assert format_answer(None, "bare") == ""


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"temperature": -1}, "temperature"),
        ({"top_p": 0}, "top_p"),
        ({"top_p": 1.5}, "top_p"),
        ({"max_new_tokens": 0}, "max_new_tokens"),
        ({"num_samples": 0}, "num_samples"),
        ({"num_samples": 2.0, "temperature": 1.0}, "num_samples"),
        ({"num_samples": 3}, "greedy"),
    ],
)
def test_sampling_config_names_the_bad_field(kwargs, field):
    with pytest.raises(ConfigError, match=field):
        SamplingConfig(**kwargs)


def test_request_rejects_an_unknown_answer_format():
    with pytest.raises(ConfigError, match="answer_format"):
        Request("x", answer_format="boxed")


# --- TransformersPolicy with a micro model built in code -------------------------------------

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from agents.policies._models import TransformersPolicy  # noqa: E402
from agents.policies._tiny import TinyModelConfig, build_model, build_tokenizer  # noqa: E402

CHAT_TEMPLATE = (
    "{% for m in messages %}{{ m['content'] }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '>' }}{% endif %}"
)


@pytest.fixture(scope="module")
def micro():
    tokenizer = build_tokenizer()
    model = build_model(
        tokenizer,
        seed=1,
        config=TinyModelConfig(hidden_size=32, num_layers=2, num_heads=2, intermediate_size=64),
    )
    return TransformersPolicy(model, tokenizer, name="micro", device="cpu")


PROMPTS = ["3 7 25>46:", "1 2>3:", "12 5 9 4>100:"]


def test_transformers_policy_conforms_and_returns_only_the_completion(micro):
    assert isinstance(micro, Policy) and micro.name == "micro"
    assert micro.default_template == "compact"
    out = micro.generate(PROMPTS, sampling=SamplingConfig(max_new_tokens=6))
    assert len(out) == 3
    for text in out:
        assert len(text) <= 6
        assert "<pad>" not in text and "</s>" not in text


def test_left_padding_does_not_change_greedy_completions(micro):
    sampling = SamplingConfig(max_new_tokens=8)
    batched = micro.generate(PROMPTS, sampling=sampling)
    alone = [micro.generate([p], sampling=sampling)[0] for p in PROMPTS]
    assert batched == alone


def test_sampling_is_seeded_request_major_and_leaves_global_rng_alone(micro):
    sampling = SamplingConfig(temperature=1.5, num_samples=4, max_new_tokens=8, seed=11)
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = micro.generate(PROMPTS[:2], sampling=sampling)
    assert torch.rand(1) == before  # the policy forked the generator
    assert a == micro.generate(PROMPTS[:2], sampling=sampling)
    assert len(a) == 8 and len(set(a)) > 1
    b = micro.generate(
        PROMPTS[:2],
        sampling=SamplingConfig(temperature=1.5, num_samples=4, max_new_tokens=8, seed=12),
    )
    assert a != b
    # Request-major: the 4 samples of prompt 0 come first; drawn alone they match in number.
    assert len(micro.generate(PROMPTS[:1], sampling=sampling)) == 4


def test_chat_messages_use_the_chat_template(micro):
    micro.tokenizer.chat_template = CHAT_TEMPLATE
    try:
        messages = [{"role": "user", "content": "3 7 25"}]
        sampling = SamplingConfig(max_new_tokens=5)
        # The template renders "3 7 25" + ">" : the same text as the plain prompt.
        assert micro.generate([messages], sampling=sampling) == micro.generate(
            ["3 7 25>"], sampling=sampling
        )
    finally:
        micro.tokenizer.chat_template = None
    with pytest.raises(ConfigError, match="chat template"):
        micro.generate([[{"role": "user", "content": "1 2"}]])


def test_a_batch_mixing_chat_and_plain_prompts_matches_separate_calls(micro):
    micro.tokenizer.chat_template = CHAT_TEMPLATE
    try:
        sampling = SamplingConfig(max_new_tokens=6)
        mixed = [PROMPTS[0], [{"role": "user", "content": "1 2"}], PROMPTS[2]]
        separate = [micro.generate([prompt], sampling=sampling)[0] for prompt in mixed]
        assert micro.generate(mixed, sampling=sampling) == separate
        assert separate[1] == micro.generate(["1 2>"], sampling=sampling)[0]
    finally:
        micro.tokenizer.chat_template = None


def test_sampled_completions_repeat_with_plain_transformers_and_the_seed(micro):
    """A sample can be reproduced outside the policy: torch.manual_seed, then generate."""
    sampling = SamplingConfig(temperature=1.3, top_k=5, num_samples=3, max_new_tokens=8, seed=21)
    ours = micro.generate(PROMPTS[:1], sampling=sampling)
    micro.model.eval()
    encoded = micro.tokenizer(PROMPTS[:1], return_tensors="pt")
    torch.manual_seed(21)
    with torch.inference_mode():
        output = micro.model.generate(
            **encoded,
            do_sample=True,
            temperature=1.3,
            top_k=5,
            num_return_sequences=3,
            max_new_tokens=8,
        )
    width = encoded["input_ids"].shape[1]
    assert ours == micro.tokenizer.batch_decode(output[:, width:], skip_special_tokens=True)


def test_policy_restores_training_mode(micro):
    micro.model.train()
    micro.generate(PROMPTS[:1], sampling=SamplingConfig(max_new_tokens=2))
    assert micro.model.training
    micro.model.eval()
    # A stray submodule in training mode is switched off too, and the model left in eval.
    micro.model.model.layers[0].train()
    micro.generate(PROMPTS[:1], sampling=SamplingConfig(max_new_tokens=2))
    assert not any(module.training for module in micro.model.modules())


def test_device_must_be_one_torch_can_use_here(micro):
    from agents.policies._devices import device_problem

    assert device_problem("auto") is None and device_problem("cpu") is None
    assert device_problem("gpu").startswith("not a torch device")
    if not torch.cuda.is_available():
        assert device_problem("cuda") == "torch has no CUDA here"
        assert device_problem("cuda:1") == "torch has no CUDA here"
    # Refused before the model is moved, with the device named.
    with pytest.raises(ConfigError, match="device 'gpu': not a torch device"):
        TransformersPolicy(micro.model, micro.tokenizer, device="gpu")


def test_context_length_is_the_models_position_limit(micro):
    assert micro.context_length == TinyModelConfig().max_positions == 128


def test_missing_torch_is_a_dependency_error_with_the_fix():
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "from agents.policies._models import load_policy\n"
        "from verifiers.errors import DependencyError\n"
        "try:\n    load_policy('tiny')\nexcept DependencyError as e:\n    print(e)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert "pip install 'countdown-rl[train]'" in result.stdout


def test_generation_budget_is_lowered_to_fit_the_context_once():
    # Past its positions a model writes noise (or fails); the budget is cut to what fits.
    from agents.policies._models import ContextCapWarning, load_policy

    policy = load_policy("tiny")
    with pytest.warns(ContextCapWarning, match="generating at most 118 tokens") as caught:
        first = policy.generate(["3 7 25>46:"], sampling=SamplingConfig(max_new_tokens=10**5))
        policy.generate(["3 7 25>46:"], sampling=SamplingConfig(max_new_tokens=10**5))
    assert len(caught) == 1 and first[0].num_tokens <= 118
    with pytest.raises(ConfigError, match="fills"):
        policy.generate(["1 " * 70 + ">3:"], sampling=SamplingConfig(max_new_tokens=4))
