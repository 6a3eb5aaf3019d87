"""Prompt templates, and the runnable examples in every countdown_env docstring."""

from __future__ import annotations

import doctest
import importlib

import pytest

from countdown_env import PromptTemplate, format_prompt, get_template, register_template
from countdown_env._prompts import prompt_text, template_names
from verifiers.errors import ConfigError

MODULES = [
    "countdown_env",
    "countdown_env._checks",
    "countdown_env._config",
    "countdown_env._datasets",
    "countdown_env._generator",
    "countdown_env._prompts",
    "countdown_env._rating",
    "countdown_env._search",
    "countdown_env._solver",
    "countdown_env._space",
    "countdown_env._splits",
    "countdown_env._stepwise",
    "countdown_env._task",
    "countdown_env.envs.multi_turn",
    "countdown_env.envs.single",
    "countdown_env.envs.steps",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name, doctest_needs):
    # Examples of a function that needs an optional package (to_hf_dataset: datasets) run only
    # where it is installed; the rest of the module's examples run with the core install too.
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    tests = doctest.DocTestFinder().find(importlib.import_module(name))
    runnable = [test for test in tests if test.examples and not doctest_needs(test.name)]
    for test in runnable:
        runner.run(test)
    assert runnable and runner.summarize(verbose=False).failed == 0


def test_tinyzero_template_is_word_for_word():
    text = format_prompt("tinyzero", [44, 19, 35], 98)
    assert text == (
        "A conversation between User and Assistant. The user asks a question, and the Assistant "
        "solves it. The assistant first thinks about the reasoning process in the mind and then "
        "provides the user with the answer.\nUser: Using the numbers [44, 19, 35], create an "
        "equation that equals 98. You can use basic arithmetic operations (+, -, *, /) and each "
        "number can only be used once. Show your work in <think> </think> tags. And return the "
        "final answer in <answer> </answer> tags, for example <answer> (1 + 2) / 3 </answer>.\n"
        "Assistant: Let me solve this step by step.\n<think>"
    )


def test_chat_and_compact_templates():
    messages = format_prompt("chat", [44, 19, 35], 98)
    assert messages == [{"role": "user", "content": prompt_text("chat", [44, 19, 35], 98)}]
    assert messages[0]["content"].startswith("Using the numbers [44, 19, 35], create")
    assert format_prompt("compact", [3, 7, 25], 46) == "3 7 25>46:"
    assert get_template("compact").answer_format == "bare"
    assert get_template("chat").extractor == "answer"
    assert {"tinyzero", "chat", "compact"} <= set(template_names())


def test_user_templates():
    mine = PromptTemplate("test-boxed-free", "Make {target} from {nums_spaced}.", "bare", chat=True)
    register_template(mine)
    assert format_prompt("test-boxed-free", [1, 2], 3) == [
        {"role": "user", "content": "Make 3 from 1 2."}
    ]
    with pytest.raises(ConfigError, match="overwrite=True"):
        register_template(mine)
    register_template(mine, overwrite=True)
    with pytest.raises(ConfigError, match="one of"):
        get_template("nope")
    with pytest.raises(ConfigError, match=r"str\.format"):
        PromptTemplate("bad", "{numbers}")
    with pytest.raises(ConfigError, match="answer_format"):
        PromptTemplate("bad", "{nums}", answer_format="boxed")
