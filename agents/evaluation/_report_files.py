"""Report files: writing ``report.json``, ``samples.jsonl`` and the plots, and reading them back.

A report's files are written as one unit, all or nothing (:mod:`countdown_env.files`); an
existing report is replaced only with ``overwrite=True`` and then takes its stale plots with
it. Without matplotlib a report is written without plots, saying why in its ``notes``. The
metrics and the printed tables are :mod:`agents.evaluation._reports`.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agents.evaluation._plots import REPORT_PLOTS
from countdown_env.errors import OutputError, OutputExistsError
from countdown_env.files import output_target, place, staging_folder
from verifiers.errors import ConfigError, DependencyError

if TYPE_CHECKING:
    from agents.evaluation._report import EvalReport

__all__ = [
    "check_report_targets",
    "existing_report_files",
    "load_report",
    "plots_unavailable",
    "write_report",
]

_PLOTS_INSTALL = "pip install 'countdown-rl[train]'"


_MAX_REPORT_BYTES = 64 * 2**20
"""A report.json holds summaries only (samples go to samples.jsonl): a few KB in practice."""


def load_report(source: str | os.PathLike[str] | Mapping[str, Any] | Any) -> dict[str, Any]:
    """A report as a dict, from a ``report.json`` path, its directory, a dict or an EvalReport."""
    if hasattr(source, "to_dict"):
        return source.to_dict()
    if isinstance(source, Mapping):
        return dict(source)
    path = Path(source).expanduser()
    if path.is_dir():
        folder, path = path, path / "report.json"
        stages = [folder / stage / "report.json" for stage in ("eval_before", "eval_after")]
        if not path.is_file() and any(stage.is_file() for stage in stages):
            raise ConfigError(
                f"no report at {path}; {folder} looks like a training run: compare "
                f"{stages[0]} and {stages[1]}"
            )
    if path.exists() and not path.is_file():  # a FIFO or device would block or never end
        raise ConfigError(f"{path} is not a regular file, so not a report.json")
    if path.is_file() and path.stat().st_size > _MAX_REPORT_BYTES:
        raise ConfigError(f"{path} is larger than a report.json can be ({_MAX_REPORT_BYTES} bytes)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise ConfigError(f"no report at {path}") from err
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text, so not a report.json") from None
    except OSError as err:
        raise ConfigError(f"cannot read {path}: {err.strerror or err}") from err
    except json.JSONDecodeError as err:
        raise ConfigError(f"{path} is not valid JSON: {err}") from err
    if not isinstance(data, dict) or "accuracy" not in data:
        raise ConfigError(f"{path} is not an evaluation report (no 'accuracy' key)")
    return data


_LINE_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False)
"""One encoder reused for every ``samples.jsonl`` row (``json.dumps`` builds a new one a call);
rows are trees of plain values, so the circular-reference check is skipped."""


_REPORT_FILES = ("report.json", "samples.jsonl")


def existing_report_files(output_dir: str | os.PathLike[str]) -> list[Path]:
    """The report files (``report.json``, ``samples.jsonl``) already in ``output_dir``."""
    out = Path(output_dir).expanduser()
    return [out / name for name in _REPORT_FILES if (out / name).exists()]


def _old_plots(out: Path) -> set[str]:
    """The PNG names of the report already in ``out``: those its ``report.json`` lists, else
    (no readable list) the ones :func:`~agents.evaluation.plot_report` writes. Only plain ``.png``
    file names count, so a hand-edited list cannot point outside ``out``."""
    try:
        listed = json.loads((out / "report.json").read_text(encoding="utf-8")).get("plots")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError):
        listed = None
    if not isinstance(listed, list):
        return set(REPORT_PLOTS)
    return {
        name
        for name in listed
        if isinstance(name, str)
        and name.endswith(".png")
        and not name.startswith(".")
        and Path(name).name == name
    }


def plots_unavailable() -> str | None:
    """Why the report's plots cannot be drawn here (matplotlib missing), or ``None``.

    ``countdown eval`` asks before any work, to say so at once; :func:`write_report` then
    writes the report without plots and records this reason in its ``notes``.
    """
    from agents.evaluation._plots import pyplot

    try:
        pyplot()
    except DependencyError:
        return f"no plots drawn: matplotlib is not installed ({_PLOTS_INSTALL} adds it)"
    return None


def write_report(
    report: EvalReport,
    output_dir: str | os.PathLike[str],
    *,
    plots: bool = True,
    overwrite: bool = True,
) -> dict[str, Any]:
    """Write ``report.json``, ``samples.jsonl`` and (with ``plots``) the PNGs into ``output_dir``.

    The files are one unit: all are written into a hidden staging folder first, then renamed
    into ``output_dir`` one after the other, ``report.json`` last. A failure or an interrupt
    before that leaves ``output_dir`` as it was (an old report whole, or none), never a
    ``samples.jsonl`` without its ``report.json``; once ``report.json`` is there, every file it
    lists is too. Without matplotlib the plots are skipped: ``report.json`` then has
    ``"plots": []`` and says why in ``"notes"``. Returns the paths:
    ``{"report": Path, "samples": Path, "plots": [Path, ...]}``.

    Args:
        report: what :func:`agents.evaluation.evaluate` returned.
        output_dir: the folder (created when missing; a link to a folder is written through).
        plots: draw the PNG plots.
        overwrite: replace a report already in ``output_dir`` (the default, which the
            evaluation stages of ``countdown train`` rely on); ``False`` raises
            :class:`~countdown_env.errors.OutputExistsError` instead. Replacing a report also
            deletes its plots that the new report does not draw, so the folder stays
            consistent (``countdown eval`` refuses unless ``--force``).

    Raises:
        OutputError: a report file in ``output_dir`` is not a regular file (a device, a named
            pipe; see :mod:`countdown_env.files`), or the files cannot be written.
    """
    out = Path(output_dir).expanduser()
    if not str(output_dir).strip():
        raise ConfigError("output_dir must name a folder, got an empty string")
    if out.exists() and not out.is_dir():
        raise ConfigError(f"output_dir {out} exists and is not a directory")
    existing = existing_report_files(out)
    if existing and not overwrite:
        raise OutputExistsError(
            f"{out} already holds a report ({existing[0].name}); pass overwrite=True to replace it"
        )
    check_report_targets(out)
    stale = _old_plots(out) if existing else set()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ConfigError(f"cannot create output_dir {out}: {err}") from err
    tick = time.perf_counter()
    encode = _LINE_ENCODER.encode
    lines = "".join([encode(record) + "\n" for record in report.records])
    notes = []
    with staging_folder(out / "report.json") as stage:
        (stage / "samples.jsonl").write_text(lines, encoding="utf-8")
        drawn: list[str] = []
        missing = plots_unavailable() if plots else None
        if missing:
            notes.append(missing)
        elif plots:
            drawn = _draw_plots(report, stage, out)
        report.timings["write_s"] = time.perf_counter() - tick
        data = report.to_dict()
        data["plots"] = drawn
        if notes:
            data["notes"] = notes
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        (stage / "report.json").write_text(text, encoding="utf-8")
        order = ["samples.jsonl", *drawn, "report.json"]
        for name in order:  # refuse before anything is moved
            output_target(out / name)
        for name in order:
            # Without overwrite, samples.jsonl claims the report's place: a report that
            # appeared meanwhile stops this one before any file is moved.
            place(stage / name, out / name, overwrite=overwrite or name != "samples.jsonl")
    for name in sorted(stale - set(drawn)):
        (out / name).unlink(missing_ok=True)
    return {
        "report": out / "report.json",
        "samples": out / "samples.jsonl",
        "plots": [out / name for name in drawn],
    }


def _draw_plots(report: EvalReport, stage: Path, out: Path) -> list[str]:
    """Draw the plots into ``stage``; their names. A refused write names ``out``, not stage."""
    from agents.evaluation._plots import plot_report

    try:
        paths = plot_report(report.to_dict(), report.records, stage)
    except OutputError as err:
        raise OutputError(str(err).replace(str(stage), str(out))) from None
    return [path.name for path in paths]


def check_report_targets(output_dir: str | os.PathLike[str]) -> None:
    """Raise :class:`OutputError` now if a report file in ``output_dir`` is something a
    report must not replace (a device, a named pipe, a socket, a folder); links are followed.
    """
    out = Path(output_dir).expanduser()
    for name in (*_REPORT_FILES, *REPORT_PLOTS):
        output_target(out / name)
