"""Writers never destroy what they did not create (issue 14, items 1, 22, 23, 24).

Every case runs against something made in ``tmp_path``: a named pipe, a device node made with
``mknod`` (root only), links; no test writes near the real ``/dev``.
"""

from __future__ import annotations

import os
import resource
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from agents.cli import main
from countdown_env import generate, read_tasks
from countdown_env._writers import save_hf_dataset, write_jsonl, write_parquet, write_tasks
from countdown_env.errors import OutputError, OutputExistsError
from countdown_env.files import atomic_file, output_target, write_text_atomic

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tasks():
    return generate(6, seed=3)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    env["OMP_NUM_THREADS"] = "1"
    return env


def _countdown(*argv: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "agents.cli", *argv],
        cwd=kwargs.pop("cwd"),
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def _err_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert err and "Traceback" not in "".join(err)
    return err[-1]


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# ----- item 1: only a regular file is ever replaced ----------------------------------------------
def _specials(folder: Path) -> dict[str, Path]:
    """A named pipe, a socket and (as root) a character device like /dev/null, in ``folder``."""
    import socket

    made = {"fifo": folder / "pipe.jsonl"}
    os.mkfifo(made["fifo"])
    made["socket"] = folder / "sock.jsonl"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(made["socket"]))
    if os.geteuid() == 0:
        made["device"] = folder / "null.jsonl"
        os.mknod(made["device"], stat.S_IFCHR | 0o666, os.makedev(1, 3))
    return made


def _still(path: Path, kind: str) -> bool:
    test = {"fifo": stat.S_ISFIFO, "socket": stat.S_ISSOCK, "device": stat.S_ISCHR}[kind]
    return test(os.lstat(path).st_mode)


def test_writers_refuse_devices_pipes_and_sockets_even_when_forced(tmp_path, tasks):
    for kind, path in _specials(tmp_path).items():
        for writer in (write_jsonl, write_parquet):
            with pytest.raises(OutputError, match=rf"will not write .*{path.name}: it is a"):
                writer(tasks, path, overwrite=True)
        with pytest.raises(OutputError, match="not a regular file"):
            write_text_atomic(path, "report")
        with pytest.raises(OutputError, match="will not replace"):
            save_hf_dataset(tasks, path, overwrite=True)
        assert _still(path, kind), kind
    assert _hidden(tmp_path) == []


def test_generate_force_refuses_a_device_with_one_line(tmp_path, capsys):
    # As root, 'generate -o /dev/null --force' used to replace the system's /dev/null.
    for kind, path in _specials(tmp_path).items():
        argv = ["generate", "-n", "5", "-o", str(path), "--format", "jsonl", "--force", "--quiet"]
        assert main(argv) == 2
        line = _err_line(capsys)
        assert f"{path}: it is a" in line and "not a regular file" in line, line
        assert _still(path, kind), kind


def test_a_link_is_written_through_not_replaced(tmp_path, tasks):
    real = tmp_path / "real.jsonl"
    real.write_text("old\n")
    link = tmp_path / "link.jsonl"
    link.symlink_to(real.name)
    write_tasks(tasks, link, overwrite=True)
    assert link.is_symlink() and len(read_tasks(real)) == len(tasks)
    with pytest.raises(OutputExistsError):
        write_jsonl(tasks, link)  # the file it points to exists
    # A link to nothing yet creates the file it names, like open(path, "w").
    dangling = tmp_path / "dangling.jsonl"
    dangling.symlink_to("made.jsonl")
    write_jsonl(tasks[:2], dangling)
    assert dangling.is_symlink() and len(read_tasks(tmp_path / "made.jsonl")) == 2
    # A link to a device is refused like the device itself.
    if os.geteuid() == 0:
        os.mknod(tmp_path / "dev", stat.S_IFCHR | 0o666, os.makedev(1, 3))
        (tmp_path / "to-dev.jsonl").symlink_to("dev")
        with pytest.raises(OutputError, match=r"to-dev\.jsonl \(a link to .*dev\): it is a char"):
            write_jsonl(tasks, tmp_path / "to-dev.jsonl", overwrite=True)
        assert stat.S_ISCHR(os.lstat(tmp_path / "dev").st_mode)
    loop = tmp_path / "loop.jsonl"
    loop.symlink_to("loop.jsonl")
    with pytest.raises(OutputError, match=r"cannot write .*loop\.jsonl: Too many levels"):
        output_target(loop)
    assert _hidden(tmp_path) == []


def test_a_link_to_a_saved_dataset_is_written_through(tmp_path, tasks):
    pytest.importorskip("datasets")
    save_hf_dataset(tasks, tmp_path / "ds")
    (tmp_path / "ds-link").symlink_to("ds")
    save_hf_dataset(tasks[:2], tmp_path / "ds-link", overwrite=True)
    assert (tmp_path / "ds-link").is_symlink()
    assert len(read_tasks(tmp_path / "ds")) == 2
    assert _hidden(tmp_path) == []


# ----- item 22: a killed writer's temporary is cleaned up by the next write ----------------------
_KILLED_MID_WRITE = """
import os, signal, sys
from countdown_env.files import atomic_file
with atomic_file(sys.argv[1]) as tmp, open(tmp, "w") as out:
    out.write("x" * 300_000)
    out.flush()
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_temporary_left_by_kill_9_is_removed_by_the_next_write(tmp_path, capsys):
    out = tmp_path / "tasks.jsonl"
    child = subprocess.run([sys.executable, "-c", _KILLED_MID_WRITE, str(out)], env=_env())
    assert child.returncode == -signal.SIGKILL
    left = _hidden(tmp_path)
    assert len(left) == 1 and left[0].startswith(".tasks.jsonl.tmp-"), left
    # Not ours to remove: other names, a live writer's temporary, a look-alike folder's link.
    keep = [
        ".tasks.jsonl.tmp-notapid-abcdefgh",
        f".tasks.jsonl.tmp-{os.getpid()}-abcdefgh",
        ".other.jsonl.tmp-999999999-abcdefgh",
        ".tasks.jsonl.tmp-1-abcdefgh",
    ]
    for name in keep:
        (tmp_path / name).write_text("not stale")
    assert main(["generate", "-n", "3", "-o", str(out), "--quiet"]) == 0
    assert _hidden(tmp_path) == sorted(keep)
    assert len(read_tasks(out)) == 3


def test_a_dead_writers_dataset_folder_is_removed_by_the_next_save(tmp_path, tasks):
    pytest.importorskip("datasets")
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    stale = tmp_path / f".ds.tmp-{int(dead.stdout)}-abc_1234"
    (stale / "data").mkdir(parents=True)
    (stale / "data" / "state.json").write_text("{}")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep").write_text("keep")
    (stale / "link").symlink_to(elsewhere)  # removing the folder must not follow this
    save_hf_dataset(tasks, tmp_path / "ds")
    assert _hidden(tmp_path) == [] and (elsewhere / "keep").read_text() == "keep"
    assert len(read_tasks(tmp_path / "ds")) == len(tasks)


def test_kill_9_during_generate_leaves_nothing_the_next_run_keeps(tmp_path):
    out = tmp_path / "big.jsonl"
    for _attempt in range(3):  # kill as soon as the temporary appears; retry if it was missed
        child = _countdown("generate", "-n", "20000", "-o", str(out), "--quiet", cwd=tmp_path)
        while child.poll() is None and not _hidden(tmp_path):
            time.sleep(0.002)
        child.kill()
        child.communicate()
        if child.returncode == -signal.SIGKILL and _hidden(tmp_path):
            break
        out.unlink(missing_ok=True)
    else:
        pytest.fail("generate was never caught writing")
    assert not out.exists()
    again = _countdown("generate", "-n", "4", "-o", str(out), "--quiet", cwd=tmp_path)
    assert again.wait(timeout=300) == 0
    assert _hidden(tmp_path) == [] and len(read_tasks(out)) == 4


# ----- item 23: of two writers racing for one new name, exactly one wins --------------------------
def test_racing_writers_never_both_win(tmp_path, tasks):
    for writer, name, needs in (
        (write_jsonl, "race.jsonl", None),
        (write_parquet, "race.parquet", "pyarrow"),
        (save_hf_dataset, "race-hf", "datasets"),
    ):
        if needs is not None:  # jsonl has raced by now, with the core install too
            pytest.importorskip(needs)
        out = tmp_path / name
        both_checked = threading.Barrier(2)

        def both_past_the_check(chosen=tasks):
            both_checked.wait(timeout=60)  # runs after the exists-check, before the write
            yield from chosen

        results: list[object] = []

        def write(chosen, results=results, writer=writer, out=out, gate=both_past_the_check):
            try:
                results.append(writer(gate(chosen), out))
            except OutputExistsError as err:
                results.append(err)

        threads = [threading.Thread(target=write, args=(chosen,)) for chosen in (tasks, tasks[:2])]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        won = [r for r in results if isinstance(r, int)]
        lost = [r for r in results if isinstance(r, OutputExistsError)]
        assert len(won) == 1 and len(lost) == 1, (writer.__name__, results)
        assert "exists; pass overwrite=True (--force)" in str(lost[0])
        assert len(read_tasks(out)) == won[0]
    assert _hidden(tmp_path) == []


def test_two_generate_processes_one_output(tmp_path):
    for trial in range(2):
        out = tmp_path / f"race{trial}.jsonl"
        argv = ("generate", "-n", "3000", "-o", str(out), "--quiet")
        children = [_countdown(*argv, "--seed", str(seed), cwd=tmp_path) for seed in (1, 2)]
        results = [(child.wait(timeout=300), child.communicate()[1]) for child in children]
        codes = sorted(code for code, _ in results)
        assert codes == [0, 2], results
        loser = next(err for code, err in results if code == 2).strip().splitlines()
        assert len(loser) == 1 and "exists" in loser[0] and "--force" in loser[0], loser
        assert len(read_tasks(out)) == 3000
    assert _hidden(tmp_path) == []


# ----- item 24: a full disk or file-size limit is one line, exit 2, no temporary ------------------
def _file_size_limit(limit: int):
    def preexec() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of being killed
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return preexec


@pytest.mark.parametrize(
    ("name", "fmt"), [("t.jsonl", "jsonl"), ("t.parquet", "parquet"), ("tz.parquet", "tinyzero")]
)
def test_a_file_size_limit_is_one_line_and_leaves_nothing(tmp_path, name, fmt):
    if fmt != "jsonl":
        pytest.importorskip("pyarrow")
    out = tmp_path / name
    child = _countdown(
        "generate",
        "-n",
        "2000",
        "-o",
        str(out),
        "--format",
        fmt,
        "--quiet",
        cwd=tmp_path,
        preexec_fn=_file_size_limit(20_000),
    )
    _, err = child.communicate(timeout=300)
    lines = err.strip().splitlines()
    assert child.returncode == 2, err
    assert len(lines) == 1 and f"cannot write {out}: " in lines[0], lines
    assert "too large" in lines[0].lower(), lines
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_an_error_while_writing_names_the_output_and_removes_the_temporary(tmp_path):
    out = tmp_path / "x.jsonl"
    refused = pytest.raises(OutputError, match=rf"cannot write {out}: No space left on device")
    with refused, atomic_file(out) as tmp:
        Path(tmp).write_text("partial")
        raise OSError(28, "No space left on device")
    assert sorted(p.name for p in tmp_path.iterdir()) == []
