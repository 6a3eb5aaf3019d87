"""Dataset I/O round trips: JSONL, parquet, Hugging Face, TinyZero's layout, and safe writing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from countdown_env import (
    OutputExistsError,
    Task,
    TaskError,
    generate,
    read_tasks,
    save_hf_dataset,
    to_hf_dataset,
    write_jsonl,
    write_parquet,
    write_tasks,
    write_tinyzero_parquet,
)
from countdown_env._prompts import format_prompt
from verifiers.rules import TV_RULES

# Parquet needs pyarrow and Hugging Face datasets need datasets (the ``train`` extra); the tests
# that write or read them skip where the core install alone is present.


@pytest.fixture(scope="module")
def tasks():
    return generate(25, seed=3, rate=True)


def test_jsonl_round_trip(tmp_path, tasks):
    path = tmp_path / "tasks.jsonl"
    assert write_jsonl(tasks, path, template="compact") == 25
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert rows[0]["prompt"] == format_prompt("compact", tasks[0].nums, tasks[0].target)
    assert {"nums", "target", "solution", "id"} <= set(rows[0])
    assert read_tasks(path) == tasks
    assert [t.id for t in read_tasks(path)] == [t.id for t in tasks]


def test_parquet_round_trip(tmp_path, tasks):
    pytest.importorskip("pyarrow")
    path = tmp_path / "tasks.parquet"
    assert write_tasks(tasks, path) == 25
    assert read_tasks(path) == tasks


def test_hf_dataset_columns_and_round_trip(tmp_path, tasks):
    pytest.importorskip("datasets")
    text = to_hf_dataset(tasks, template="tinyzero")
    assert text.column_names[:3] == ["prompt", "nums", "target"]
    assert text[0]["prompt"].endswith("Assistant: Let me solve this step by step.\n<think>")
    assert text[0]["nums"] == tasks[0].nums and text[0]["target"] == tasks[0].target
    chat = to_hf_dataset(tasks, template="chat", include_metadata=False)
    assert chat[0]["prompt"][0]["role"] == "user"
    assert chat.column_names == ["prompt", "nums", "target", "solution"]
    assert len(to_hf_dataset([], template="chat")) == 0
    unrated = to_hf_dataset(generate(3, seed=1))
    assert unrated.features["n_solutions"].dtype == "int64"
    save_hf_dataset(tasks, tmp_path / "hf", template="compact")
    assert read_tasks(tmp_path / "hf") == tasks


def test_tinyzero_layout(tmp_path, tasks):
    path = tmp_path / "train.parquet"
    pq = pytest.importorskip("pyarrow.parquet")
    write_tinyzero_parquet(tasks, path, split="train")
    rows = pq.read_table(path).to_pylist()
    row = rows[3]
    assert set(row) == {"data_source", "prompt", "ability", "reward_model", "extra_info"}
    assert row["data_source"] == "countdown" and row["ability"] == "math"
    assert row["prompt"][0]["role"] == "user"
    assert row["prompt"][0]["content"].startswith("A conversation between User and Assistant.")
    assert row["reward_model"] == {
        "style": "rule",
        "ground_truth": {"target": tasks[3].target, "numbers": tasks[3].nums},
    }
    assert row["extra_info"] == {"split": "train", "index": 3}
    assert [(t.nums, t.target) for t in read_tasks(path)] == [(t.nums, t.target) for t in tasks]


def test_countdown_tasks_3to4_layout_and_unsolvable_rows(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "cd.parquet"
    table = pa.table({"target": [46, 5, 8], "nums": [[3, 7, 25], [1, 1], [5, 3]]})
    pq.write_table(table, path)
    assert len(read_tasks(path)) == 3
    assert [t.target for t in read_tasks(path, unsolvable="drop")] == [46, 8]
    with pytest.raises(TaskError, match=r"row 2.*unsolvable"):
        read_tasks(path, unsolvable="raise")
    assert len(read_tasks(path, limit=2)) == 2


def test_bad_rows_are_named(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"nums": [1, 2], "target": 3}\n{"nums": [1, "x"], "target": 3}\n')
    with pytest.raises(TaskError, match=r"bad\.jsonl line 2: nums"):
        read_tasks(path)
    path.write_text('{"nums": [1, 2], "target": 3}\n\nnot json\n')
    with pytest.raises(TaskError, match=r"bad\.jsonl line 3: not a JSON"):
        read_tasks(path)
    path.write_text('{"nums": [1, 2], "target": 3, "solution": "1*2"}\n')
    with pytest.raises(TaskError, match="does not verify"):
        read_tasks(path)


def test_rules_matter_when_reading_solutions(tmp_path):
    tv = generate(5, seed=1, preset="tv")
    path = tmp_path / "tv.jsonl"
    write_jsonl(tv, path)
    assert read_tasks(path, rules=TV_RULES) == tv


def test_existing_output_is_never_lost(tmp_path, tasks):
    path = tmp_path / "keep.jsonl"
    path.write_text("precious\n")
    for writer in (write_jsonl, write_parquet, write_tinyzero_parquet):
        with pytest.raises(OutputExistsError, match="overwrite"):
            writer(tasks, path)
    assert path.read_text() == "precious\n"
    write_jsonl(tasks[:2], path, overwrite=True)
    assert len(read_tasks(path)) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.jsonl"]  # no temp files left
    pytest.importorskip("datasets")
    folder = tmp_path / "hf"
    save_hf_dataset(tasks, folder)
    with pytest.raises(OutputExistsError):
        save_hf_dataset(tasks[:1], folder)
    save_hf_dataset(tasks[:1], folder, overwrite=True)
    assert len(read_tasks(folder)) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hf", "keep.jsonl"]


def test_unknown_extension_is_refused(tmp_path, tasks):
    with pytest.raises(ValueError, match="extension"):
        write_tasks(tasks, tmp_path / "tasks.csv")


def test_task_validation():
    assert Task((1, 2), 3).nums == [1, 2]
    with pytest.raises(TaskError, match="non-negative"):
        Task([-1, 2], 1)
    with pytest.raises(TaskError, match="target"):
        Task([1, 2], "3")
    with pytest.raises(TaskError, match="needs 'nums' and 'target'"):
        Task.from_dict({"nums": [1]})


def test_written_files_get_the_umask_mode_and_clear_errors(tmp_path):
    # mkstemp makes owner-only files; a dataset in a shared folder must be readable as a plain
    # open() would have made it, and a refused write must name the path the user gave.
    import os

    from countdown_env import OutputError, generate, write_tasks

    tasks = generate(3, seed=0)
    old = os.umask(0o022)
    try:
        write_tasks(tasks, tmp_path / "t.jsonl")
    finally:
        os.umask(old)
    assert (tmp_path / "t.jsonl").stat().st_mode & 0o777 == 0o644
    if Path("/proc/self").is_dir():  # a folder that refuses new files, even to root
        with pytest.raises(OutputError, match=r"cannot write /proc/t\.jsonl"):
            write_tasks(tasks, "/proc/t.jsonl")
    (tmp_path / "dir.jsonl").mkdir()
    with pytest.raises(OutputError, match=r"dir\.jsonl"):
        write_tasks(tasks, tmp_path / "dir.jsonl", overwrite=True)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


# ----- refusals name the path, and nothing is left behind ---------------------------------------
def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_hf_overwrite_replaces_only_a_saved_dataset(tmp_path, tasks):
    from countdown_env import OutputError

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "mydata.txt").write_text("keep")
    with pytest.raises(OutputError, match=r"will not replace .*mine: it is not a saved dataset"):
        save_hf_dataset(tasks, mine, overwrite=True)
    assert (mine / "mydata.txt").read_text() == "keep"
    a_file = tmp_path / "file"
    a_file.write_text("keep")
    with pytest.raises(OutputError, match="it is a file"):
        save_hf_dataset(tasks, a_file, overwrite=True)
    assert a_file.read_text() == "keep"
    empty = tmp_path / "empty"
    empty.mkdir()
    pytest.importorskip("datasets")
    assert save_hf_dataset(tasks[:2], empty, overwrite=True) == 2  # nothing to lose
    assert _hidden(tmp_path) == []


@pytest.mark.parametrize("name", ["", ".", ".."])
def test_hf_dataset_needs_a_folder_name(tmp_path, tasks, monkeypatch, name):
    from countdown_env import OutputError

    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    with pytest.raises(OutputError, match="name a new folder for the dataset"):
        save_hf_dataset(tasks, name, overwrite=True)
    assert _hidden(work) == [] and _hidden(tmp_path) == []  # no '..xakrjach' temp folders


def test_failed_hf_write_keeps_the_old_dataset_and_no_temp_folder(tmp_path, tasks, monkeypatch):
    import os

    from countdown_env import OutputError

    datasets = pytest.importorskip("datasets")
    folder = tmp_path / "hf"
    save_hf_dataset(tasks[:3], folder)

    def refuse(self, path, **kwargs):
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(datasets.Dataset, "save_to_disk", refuse)
    with pytest.raises(OutputError, match=r"cannot write .*hf: Permission denied"):
        save_hf_dataset(tasks, folder, overwrite=True)
    monkeypatch.undo()
    assert len(read_tasks(folder)) == 3
    assert _hidden(tmp_path) == []
    # The new dataset is saved but cannot be renamed into place: the old one comes back.
    real_replace = os.replace

    def full_disk(source, destination):
        if Path(source).name == "data":
            raise OSError(28, "No space left on device")
        real_replace(source, destination)

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OutputError, match="No space left on device"):
        save_hf_dataset(tasks, folder, overwrite=True)
    monkeypatch.undo()
    assert len(read_tasks(folder)) == 3
    assert _hidden(tmp_path) == []


def test_unreadable_task_sources_name_the_path(tmp_path):
    import pickle

    from countdown_env.errors import NotADatasetError, NotUTF8Error, TaskFileError

    folder = tmp_path / "not-a-dataset"
    folder.mkdir()
    (folder / "notes.txt").write_text("hello")
    with pytest.raises(TaskFileError, match=r"not-a-dataset is a folder but not a dataset") as info:
        read_tasks(folder)
    assert isinstance(info.value, (NotADatasetError, FileNotFoundError))
    binary = tmp_path / "bin.jsonl"
    binary.write_bytes(b'{"nums": [1, 2], "target": 3}\n\xff\xfe not text\n')
    with pytest.raises(TaskFileError, match=r"bin\.jsonl is not UTF-8 text") as info:
        read_tasks(binary)
    assert isinstance(info.value, UnicodeDecodeError)  # what callers caught before
    again = pickle.loads(pickle.dumps(info.value))
    assert isinstance(again, NotUTF8Error) and str(again) == str(info.value)
    pytest.importorskip("pyarrow")
    broken = tmp_path / "broken.parquet"
    broken.write_text("not parquet")
    with pytest.raises(TaskFileError, match=r"broken\.parquet is not a readable parquet file"):
        read_tasks(broken)


def test_dataset_dict_folder_points_at_a_split(tmp_path, tasks):
    from countdown_env.errors import TaskFileError

    datasets = pytest.importorskip("datasets")

    both = datasets.DatasetDict({"train": to_hf_dataset(tasks), "test": to_hf_dataset(tasks[:2])})
    both.save_to_disk(str(tmp_path / "dd"))
    with pytest.raises(TaskFileError, match=r"holds several splits \(test, train\)"):
        read_tasks(tmp_path / "dd")
    assert len(read_tasks(tmp_path / "dd" / "test")) == 2


@pytest.mark.parametrize("bad", [None, 3, Task([1, 2], 3), "tasks"])
def test_writers_refuse_what_is_not_a_list_of_tasks(tmp_path, bad):
    with pytest.raises(TaskError, match="tasks must be an iterable of Task objects"):
        write_jsonl(bad, tmp_path / "x.jsonl")
    assert not (tmp_path / "x.jsonl").exists()
    pytest.importorskip("datasets")
    with pytest.raises(TaskError, match="tasks must be an iterable of Task objects"):
        to_hf_dataset(bad)


def test_check_output_refuses_before_any_work(tmp_path):
    from countdown_env import OutputError
    from countdown_env._writers import check_output

    assert check_output(tmp_path / "a.jsonl") == "jsonl"
    assert check_output(tmp_path / "d", format="hf") == "hf"
    (tmp_path / "a.jsonl").write_text("x")
    with pytest.raises(OutputExistsError):
        check_output(tmp_path / "a.jsonl")
    assert check_output(tmp_path / "a.jsonl", overwrite=True) == "jsonl"
    with pytest.raises(OutputError, match="is not a folder"):
        check_output(tmp_path / "a.jsonl" / "b.jsonl")
    with pytest.raises(ValueError, match="format must be one of"):
        check_output(tmp_path / "a.csv", format="csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jsonl"]
