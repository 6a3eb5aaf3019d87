"""One source for options: the generator flags are made from ``GeneratorConfig``'s fields, and
the choices of ``--preset`` and ``--template`` are the registries' (issue 13, item 4)."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys

import pytest

from agents.cli import build_parser, main
from countdown_env import _prompts as prompts
from countdown_env._config import DRAWS, PRESETS, TARGET_FROM, GeneratorConfig
from countdown_env._prompts import PromptTemplate, register_template, template_names

GENERATOR_COMMANDS = ("generate", "play", "eval", "serve")
TEMPLATE_COMMANDS = ("generate", "eval", "serve")
SPELLINGS = {"exact_use": "--at-most-once", "unique": "--allow-duplicates"}


def _command(name: str, parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    parser = parser or build_parser()
    (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices[name]


def _action(parser: argparse.ArgumentParser, flag: str) -> argparse.Action:
    return parser._option_string_actions[flag]


@pytest.fixture
def own_registry(monkeypatch):
    """Templates registered by a test stay in that test."""
    monkeypatch.setattr(prompts, "_REGISTRY", dict(prompts._REGISTRY))


@pytest.mark.parametrize("command", GENERATOR_COMMANDS)
def test_every_generator_field_has_its_flag(command):
    parser = _command(command)
    for field in dataclasses.fields(GeneratorConfig):
        flag = SPELLINGS.get(field.name, "--" + field.name.replace("_", "-"))
        action = _action(parser, flag)
        assert action.dest == field.name, (command, flag)
        assert action.default in (None, argparse.SUPPRESS), (command, flag)  # presets survive
        assert action.help, (command, flag)


@pytest.mark.parametrize("command", GENERATOR_COMMANDS)
def test_choices_are_the_registries(command):
    parser = _command(command)
    assert list(_action(parser, "--preset").choices) == list(PRESETS)
    assert tuple(_action(parser, "--draw").choices) == DRAWS
    assert tuple(_action(parser, "--target-from").choices) == TARGET_FROM
    if command in TEMPLATE_COMMANDS:
        assert list(_action(parser, "--template").choices) == template_names()


@pytest.mark.parametrize("command", GENERATOR_COMMANDS)
def test_every_flag_reaches_the_config(command):
    from agents.cli.generate import generator_config

    argv = {"generate": ["generate", "-o", "x.jsonl"]}.get(command, [command])
    args = build_parser().parse_args(
        [
            *argv,
            "--min-numbers",
            "2",
            "--max-numbers",
            "5",
            "--draw",
            "uniform",
            "--min-value",
            "2",
            "--max-value",
            "60",
            "--min-target",
            "3",
            "--max-target",
            "none",
            "--target-from",
            "expression",
            "--operators",
            "+*",
            "--at-most-once",
            "--integer-intermediates",
            "--min-solutions",
            "1",
            "--max-solutions",
            "9",
            "--min-ops",
            "1",
            "--rate",
            "--allow-duplicates",
        ]
    )
    config = generator_config(args)
    assert config == GeneratorConfig(
        min_numbers=2,
        max_numbers=5,
        min_value=2,
        max_value=60,
        min_target=3,
        max_target=None,
        operators="+*",
        exact_use=False,
        integer_intermediates=True,
        min_solutions=1,
        max_solutions=9,
        min_ops=1,
        rate=True,
        unique=False,
    )
    tv = generator_config(
        build_parser().parse_args(
            [*argv, "--preset", "tv", "--large-count", "2", "--max-value", "7"]
        )
    )
    assert (tv.draw, tv.large_count, tv.min_numbers, tv.max_target) == ("tv", 2, 6, 999)


@pytest.mark.parametrize("command", TEMPLATE_COMMANDS)
def test_a_template_registered_in_process_is_accepted(command, own_registry, capsys):
    argv = {"generate": ["generate", "-o", "x.jsonl"]}.get(command, [command])
    parser = build_parser()
    with pytest.raises(SystemExit) as info:
        parser.parse_args([*argv, "--template", "mine"])
    assert info.value.code == 2 and "invalid choice: 'mine'" in capsys.readouterr().err
    register_template(PromptTemplate("mine", "{nums_spaced}=>{target}", "bare"))
    assert parser.parse_args([*argv, "--template", "mine"]).template == "mine"  # same parser
    _command(command, parser).print_help()
    shown = " ".join(capsys.readouterr().out.split())
    assert "one of chat, compact, compact-steps, compact-tries, mine, tinyzero" in shown


def test_generate_writes_prompts_of_a_registered_or_imported_template(
    tmp_path, own_registry, monkeypatch
):
    register_template(PromptTemplate("mine", "{nums_spaced}=>{target}", "bare"))
    out = tmp_path / "a.jsonl"
    assert main(["generate", "-n", "2", "-o", str(out), "--template", "mine", "--quiet"]) == 0
    row = json.loads(out.read_text().splitlines()[0])
    assert row["prompt"] == " ".join(map(str, row["nums"])) + f"=>{row['target']}"
    (tmp_path / "my_prompts.py").write_text(
        "from countdown_env import PromptTemplate\n"
        "THEIRS = PromptTemplate('theirs', 'make {target} from {nums_spaced}', 'bare')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    out = tmp_path / "b.jsonl"
    argv = ["generate", "-n", "2", "-o", str(out), "--template", "my_prompts:THEIRS", "--quiet"]
    assert main(argv) == 0
    assert json.loads(out.read_text().splitlines()[0])["prompt"].startswith("make ")
    assert "theirs" in template_names()
    monkeypatch.delitem(sys.modules, "my_prompts")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("no_such_module_h12:X", "cannot import 'no_such_module_h12'"),
        ("json:dumps", "json:dumps is a function, not a PromptTemplate"),
        ("json:NOT_THERE", "template must be one of"),
    ],
)
def test_a_bad_template_import_is_one_clear_line(value, message, own_registry, capsys):
    with pytest.raises(SystemExit) as info:
        main(["generate", "-o", "x.jsonl", "--template", value])
    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_play_help_shows_the_tv_games_values_from_the_same_fields(capsys):
    with pytest.raises(SystemExit):
        main(["play", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "each number used at most once (already so in the TV game)" in out
    assert "(default +-*/)" in out and "default range" in out
    with pytest.raises(SystemExit):
        main(["generate", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "each number used at most once (default: exactly once)" in out
    assert "one of chat, compact, compact-steps, compact-tries, tinyzero, or module:NAME" in out
