"""``countdown train``: GRPO on Countdown with TRL (see :mod:`agents.training._pipeline`).

Options are those of three dataclasses parsed by TRL's own ``TrlParser``: Countdown's
(:class:`agents.training.CountdownTrainArguments`), ``trl.GRPOConfig`` and ``trl.ModelConfig``,
so ``countdown train --help`` lists them all and any GRPOConfig flag works. Values come from, in
increasing priority: the dataclass defaults, a recipe (``--recipe NAME`` for a shipped one,
``--config FILE`` for any YAML), then the command line.

With no model and no recipe, the ``cpu-tiny-3`` recipe runs: the embedded model on CPU, on real
Countdown (3 numbers), answering with tries.
"""

from __future__ import annotations

import argparse
import sys

PASSTHROUGH = True

_MODEL_FLAGS = ("--model_name_or_path", "--model-name-or-path", "--model")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "GRPO training with TRL. Run `countdown train --help` for every option; "
        "`--recipe NAME` picks a shipped recipe (default cpu-tiny-3 when no model is given)."
    )


def _pop_option(argv: list[str], name: str) -> str | None:
    for i, item in enumerate(argv):
        if item == name:
            if i + 1 >= len(argv):
                from verifiers.errors import ConfigError

                raise ConfigError(f"{name} needs a value")
            value = argv[i + 1]
            del argv[i : i + 2]
            return value
        if item.startswith(name + "="):
            del argv[i]
            return item.split("=", 1)[1]
    return None


def _model_flag(item: str) -> str:
    """``--model`` (our short name) as TRL's ``--model_name_or_path``."""
    if item == "--model":
        return "--model_name_or_path"
    if item.startswith("--model="):
        return "--model_name_or_path=" + item.split("=", 1)[1]
    return item


def resolve_argv(argv: list[str]) -> tuple[list[str], str | None]:
    """Turn ``--recipe``/``--model`` into TrlParser arguments; returns (argv, recipe used).

    >>> resolve_argv(["--output-dir", "x"])[1]
    'cpu-tiny-3'
    >>> resolve_argv(["--output-dir", "x", "--model", "some/dir"])
    (['--output-dir', 'x', '--model_name_or_path', 'some/dir'], None)
    """
    from agents.training._args import DEFAULT_RECIPE, recipe_path

    argv = [_model_flag(a) for a in argv]  # in place: a later --model still wins on --resume
    recipe = _pop_option(argv, "--recipe")
    has_config = any(a == "--config" or a.startswith("--config=") for a in argv)
    has_model = any(a.split("=", 1)[0] in _MODEL_FLAGS for a in argv)
    if recipe is None and not has_config and not has_model:
        recipe = DEFAULT_RECIPE
    if recipe is not None:
        if has_config:
            from verifiers.errors import ConfigError

            raise ConfigError("give either --recipe or --config, not both")
        argv = ["--config", str(recipe_path(recipe)), *argv]
    return argv, recipe


def run_argv(argv: list[str]) -> int:
    if any(a in ("-h", "--help") for a in argv):
        return _print_help()
    import warnings

    from agents.policies._devices import prefer_passive_wait
    from verifiers.errors import ConfigError

    # Before torch is imported (by the parser below): idle OpenMP threads sleep, not spin.
    prefer_passive_wait()
    # GRPOConfig itself sets the field transformers 5 renamed; the warning is not the user's.
    warnings.filterwarnings("ignore", message=".*gradient_checkpointing", category=FutureWarning)
    _check_output_dir_value(argv)
    argv = _replay_for_resume(argv)
    argv, recipe = resolve_argv(argv)
    config = _config_values(argv)
    _check_model_value(argv, config)
    argv, machine = _cpu_precision(argv, config)
    script, training_args, model_args = _parse(argv)
    from agents.training._model import peft_config

    peft_config(model_args)  # a LoRA problem is one line before anything else is said
    from agents.training._curriculum import check_run

    check_run(script, training_args)  # so is a curriculum the trainer settings would break
    given = _option_value(argv, "--output_dir", "--output-dir") is not None
    if not given and training_args.output_dir in (None, "", "trainer_output"):
        raise ConfigError("--output-dir DIR is required: every run writes into its own folder")
    if recipe:
        print(f"countdown train: recipe {recipe}", file=sys.stderr)
    if "precision_reason" in machine:
        print(
            f"countdown train: CPU run in {machine['precision']}: "
            f"{machine['precision_reason']}; --bf16 true/false overrides",
            file=sys.stderr,
        )
    machine.update(_threads(script.threads))
    names = _option_names(argv) | set(config)
    machine["checkpointing_chosen"] = bool(
        {"gradient_checkpointing", "activation_checkpointing"} & names
    )
    from agents.training._pipeline import run_training

    run_training(script, training_args, model_args, argv=argv, machine=machine)
    return 0


def _check_output_dir_value(argv: list[str]) -> None:
    """Refuse, before anything loads, an ``--output-dir`` that is empty or is not a folder.

    Raises:
        ConfigError: the value is empty (it would mean the current folder), or names a file,
            a device or a FIFO.
    """
    from pathlib import Path

    from verifiers.errors import ConfigError

    value = _option_value(argv, "--output_dir", "--output-dir")
    if value is None:
        return
    if not value.strip():
        raise ConfigError(
            "--output-dir is empty; name a folder, for example --output-dir runs/train"
        )
    folder = Path(value).expanduser()
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"--output-dir {folder} exists and is not a directory")


def _check_model_value(argv: list[str], config: dict[str, object]) -> None:
    """Refuse a path-like ``--model`` that does not exist, before anything loads.

    Raises:
        ConfigError: ``path does not exist: X``.
    """
    from agents.training._model import model_path_problem
    from verifiers.errors import ConfigError

    spec: object = _option_value(argv, *_MODEL_FLAGS)
    if spec is None:
        spec = config.get("model_name_or_path")
    if isinstance(spec, str):
        problem = model_path_problem(spec)
        if problem is not None:
            raise ConfigError(f"--model: {problem}")


def _threads(value: str) -> dict[str, object]:
    """Apply ``--threads`` to torch and say what is in force on stderr."""
    from agents.policies._devices import apply_threads, parse_threads

    chosen = apply_threads(parse_threads(value))
    print(
        f"countdown train: {chosen['threads']} torch thread(s) ({chosen['threads_rule']}; "
        f"--threads N overrides), {chosen['interop_threads']} inter-op, "
        f"OMP_WAIT_POLICY={chosen['omp_wait_policy'] or 'unset'}",
        file=sys.stderr,
    )
    return chosen


def _option_names(argv: list[str]) -> set[str]:
    return {a[2:].split("=", 1)[0].replace("-", "_") for a in argv if a.startswith("--")}


def _config_values(argv: list[str]) -> dict[str, object]:
    """The top-level keys of the ``--config`` YAML (empty without one).

    Raises:
        ConfigError: the file does not exist or is not a YAML mapping.
    """
    from pathlib import Path

    from verifiers.errors import ConfigError

    path = _option_value(argv, "--config")
    if path is None:
        return {}
    if not Path(path).is_file():
        raise ConfigError(f"--config {path}: no such file")
    import yaml

    try:
        values = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise ConfigError(f"--config {path} is not readable YAML: {err}") from None
    if not isinstance(values, dict):
        raise ConfigError(f"--config {path} must hold a mapping of option: value")
    return values


def _cpu_precision(
    argv: list[str],
    config: dict[str, object],
    flags: frozenset[str] | None = None,
    machine: str | None = None,
) -> tuple[list[str], dict[str, object]]:
    """Choose float32 for a CPU run where neither the command line nor the config chose a precision.

    GRPOConfig defaults to ``bf16=True``: bf16 autocast, emulated (several times slower) on a
    CPU without bf16 instructions, and measured slower even on one with them for the models
    trained on CPU here (AMD EPYC with avx512_bf16, the cpu-tiny recipe, 30 GRPO steps: 21.8 s
    and 26.6 s in bf16 against 17.7 s and 24.1 s in float32; warm start 11.5-11.8 s against
    7.2-9.0 s). So a CPU run (``use_cpu``, or no GPU) gets ``--bf16 false``; ``--bf16 true``
    chooses autocast. Whether the CPU has native bf16
    (:func:`agents.policies._devices.native_bf16`) is recorded beside the choice. ``flags`` and
    ``machine`` default to this machine's. Returns the argv and what was chosen (for
    config.json and the line ``run_argv`` prints once the arguments parsed).
    """
    import platform

    from agents.policies._devices import cpu_flags, native_bf16

    names = _option_names(argv) | set(config)
    use_cpu = _truthy(_option_value(argv, "--use_cpu", "--use-cpu"), config.get("use_cpu"))
    chosen: dict[str, object] = {"cpu_run": use_cpu or not _has_gpu()}
    if {"bf16", "fp16"} & names or not chosen["cpu_run"]:
        chosen["precision"] = "as configured"
        return argv, chosen
    flags = cpu_flags() if flags is None else flags
    machine = platform.machine() if machine is None else machine
    native = native_bf16(flags, machine)
    why = "bf16 autocast was measured slower for CPU training, even with native bf16"
    if not native:
        why = (
            "this CPU has no native bf16 (avx512_bf16/amx_bf16, or bf16 on ARM): emulated bf16 "
            "is several times slower"
        )
    chosen.update(bf16=False, precision="float32", precision_reason=why, native_bf16=native)
    return [*argv, "--bf16", "false"], chosen


def _truthy(*values: object) -> bool:
    """The first given value (command line first, then config) read as a boolean."""
    for value in values:
        if value is None:
            continue
        if isinstance(value, str):
            text = value.strip().lower()
            return text.startswith("--") or text in ("", "1", "true", "yes", "y", "on")
        return bool(value)
    return False


def _has_gpu() -> bool:
    import torch

    return bool(torch.cuda.is_available() or torch.backends.mps.is_available())


def _option_value(argv: list[str], *names: str) -> str | None:
    """The value of the first of ``names`` on the command line (``--x V`` or ``--x=V``); an
    option given without a value reads as ``""``."""
    for i, item in enumerate(argv):
        name, equals, value = item.partition("=")
        if name in names:
            return value if equals else (argv[i + 1] if i + 1 < len(argv) else "")
    return None


def _replay_for_resume(argv: list[str]) -> list[str]:
    """With ``--resume``, put the run's saved command line first so its settings hold.

    Flags given now come after the saved ones, so they win (e.g. a larger ``--max_steps``).
    """
    import json
    from pathlib import Path

    if "--resume" not in argv and not any(a.startswith("--resume=") for a in argv):
        return argv
    folder = _option_value(argv, "--output_dir", "--output-dir")
    config = Path(folder) / "config.json" if folder else None
    if config is None or not config.is_file():
        return argv  # run_training reports the missing run clearly
    saved = json.loads(config.read_text(encoding="utf-8")).get("argv") or []
    return [*saved, *argv]


def _parser():
    from agents.policies._models import require_transformers

    require_transformers()
    from trl import ModelConfig, TrlParser

    from agents.training._args import CountdownTrainArguments
    from agents.training._grpo_config import CountdownGRPOConfig

    # trl types dataclass_types as a NewType over Any, which no dataclass is without a wrapper.
    dataclass_types = (CountdownTrainArguments, CountdownGRPOConfig, ModelConfig)
    return TrlParser(dataclass_types, prog="countdown train")  # type: ignore[arg-type]


def _parse(argv: list[str]):
    from verifiers.errors import ConfigError

    try:
        return _parser().parse_args_and_config(argv)
    except ValueError as err:
        raise ConfigError(str(err)) from err


_HELP_HEAD = """\
usage: countdown train --output-dir DIR [--recipe NAME | --config FILE] [--model PATH_OR_ID]
                       [--resume] [OPTION VALUE ...]

GRPO training on Countdown with TRL. Main options:
  --output-dir DIR     the run's folder (required); an existing run is never overwritten
  --recipe NAME        a shipped recipe (default {default} when no model is given):
                       {recipes}
  --config FILE        any YAML file of option: value (instead of --recipe)
  --model PATH_OR_ID   a local model folder, a GGUF file, "smollm2" or a hub id
                       (same as --model_name_or_path)
  --resume             continue the run in --output-dir with its saved settings
  --threads N          torch threads (default auto: OMP_NUM_THREADS, else the usable cores)
  --save_minutes M     also save a GRPO checkpoint every M minutes (0: only --save_steps)
  --rewards R [R ...]  correctness, tinyzero, format, partial, progress (worked steps
                       that keep the task solvable earn step_score), TRL's overlong and
                       repetition, MODULE:FUNCTION (your reward) or verifier:MODULE:NAME;
                       NAME:key=value,... sets parameters; --reward_weights, one per reward
  --use_peft           train a LoRA adapter (--lora_r, --lora_alpha, --lora_dropout,
                       --lora_target_modules ...); final/ holds the merged model
  --curriculum SPEC    difficulty levels raised by the sampled hit rate: numbers:2,3,4,
                       min_solutions:20,5,1, axes joined by ';', or a YAML list
                       (--curriculum_file FILE; --curriculum_threshold, _window, _min_steps)

Values come from, in increasing priority: the defaults listed below, the recipe or config
file, then the command line. The defaults below are the dataclasses' own; a recipe changes
many of them (for example cpu-tiny sets warmstart_steps 600 and max_steps 2200).
Every option of TRL's GRPOConfig and ModelConfig is accepted.

"""


def _print_help() -> int:
    from agents.training._args import DEFAULT_RECIPE, available_recipes

    print(_HELP_HEAD.format(recipes=", ".join(available_recipes()), default=DEFAULT_RECIPE))
    _parser().print_help()
    return 0
