"""``countdown serve`` as a real server process on 127.0.0.1, played with the OpenEnv client."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import gymnasium as gym
import pytest

pytest.importorskip("openenv.core", reason="needs openenv-core: pip install 'countdown-rl[serve]'")

from websockets.exceptions import ConnectionClosed  # openenv-core's dependency
from websockets.sync.client import connect

import countdown_env  # noqa: F401
from countdown_env.openenv import (
    CountdownAction,
    CountdownEnvClient,
    CountdownObservation,
)

ROOT = Path(__file__).resolve().parents[2]
# openenv-core's client opens its websocket the way websockets >= 14 calls deprecated.
pytestmark = pytest.mark.filterwarnings("ignore:connect\\(\\) must be used:DeprecationWarning")


class Server:
    """A ``countdown serve`` child process and its URL."""

    def __init__(self, *flags: str) -> None:
        env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "agents.cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                *flags,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        line = self.process.stdout.readline()
        if " on http://" not in line:
            self.process.kill()
            raise RuntimeError(f"the server did not start: {line!r} {self.process.stderr.read()}")
        self.url = line.split(" on ", 1)[1].split()[0]
        for _ in range(200):  # the port is bound; wait until uvicorn answers
            try:
                self.get("/health")
                break
            except OSError:
                threading.Event().wait(0.05)

    def get(self, path: str) -> dict:
        with urllib.request.urlopen(self.url + path, timeout=10) as response:
            return json.loads(response.read())

    def alive(self) -> bool:
        return self.process.poll() is None and self.get("/health") == {"status": "healthy"}

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()
        self.process.stderr.close()


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    running = Server("--max-sessions", "16")
    yield running
    running.stop()


def test_health_schema_and_metadata(server):
    assert server.get("/health") == {"status": "healthy"}
    schema = server.get("/schema")
    assert schema["action"]["properties"]["text"]["type"] == "string"
    assert {"prompt", "nums", "target", "status"} <= set(schema["observation"]["properties"])
    assert server.get("/metadata")["name"] == "Countdown-v0"


def test_client_plays_like_the_in_process_env(server):
    local = gym.make("Countdown-v0")
    with CountdownEnvClient(base_url=server.url) as env:
        for seed in (0, 1, 2):
            result = env.reset(seed=seed)
            obs, info = local.reset(seed=seed)
            assert isinstance(result.observation, CountdownObservation)
            assert result.observation.text == obs and result.observation.prompt == info["prompt"]
            assert result.observation.nums == info["nums"]
            assert result.observation.target == info["target"]
            assert result.reward is None and not result.done
            assert result.observation.status is None  # no verdict before a step
            answer = f"<answer>{info['solution']}</answer>" if seed != 2 else "<answer>1+1</answer>"
            result = env.step(CountdownAction(text=answer))
            obs, reward, terminated, truncated, info = local.step(answer)
            assert (result.reward, result.done) == (reward, terminated or truncated)
            assert result.observation.status == info["status"]
            assert result.observation.correct == info["correct"]
            assert result.observation.reason == info["reason"]
            assert result.observation.text == obs
        state = env.state()
        assert state.step_count == 1 and state.done and state.nums == info["nums"]


def test_reset_with_a_given_task_and_errors_keep_the_session(server):
    with CountdownEnvClient(base_url=server.url) as env:
        result = env.reset(nums=[3, 7, 25], target=46)
        assert (result.observation.nums, result.observation.target) == ([3, 7, 25], 46)
        result = env.step(CountdownAction(text="<answer>25+3*7</answer>"))
        assert (result.reward, result.done, result.observation.status) == (1.0, True, "correct")
        with pytest.raises(RuntimeError, match="reset"):  # the episode is over
            env.step(CountdownAction(text="<answer>25+3*7</answer>"))
        with pytest.raises(RuntimeError, match="unsolvable"):
            env.reset(nums=[1, 1], target=97)
        with pytest.raises(RuntimeError, match="unknown reset argument"):
            env.reset(numbers=[1, 2])
        assert env.reset(seed=5).observation.nums  # the same session still plays


def test_hostile_actions_are_refused_and_the_server_lives(server):
    with CountdownEnvClient(base_url=server.url) as env:
        env.reset(seed=3)
        huge = env.step(CountdownAction(text="9" * 1_000_000))
        assert huge.observation.status == "too_long" and huge.observation.refused
        assert huge.reward == 0.0 and huge.done
        env.reset(seed=3)
        odd = env.step(CountdownAction(text="<answer>\x00\u202e</answer>"))
        assert odd.observation.status == "forbidden" and odd.reward == 0.0
    with connect(server.url.replace("http", "ws") + "/ws", max_size=None) as ws:

        def ask(raw: str) -> dict:
            ws.send(raw)
            return json.loads(ws.recv(timeout=30))

        ask(json.dumps({"type": "reset", "data": {"seed": 1}}))
        for raw in (
            json.dumps({"type": "step", "data": {"text": 12}}),
            json.dumps({"type": "step", "data": {"text": ["a", "b"]}}),
            json.dumps({"type": "step", "data": {}}),
            json.dumps({"type": "step", "data": {"text": "1+2", "evil": True}}),
            json.dumps({"type": "launch"}),
            "{not json",
        ):
            reply = ask(raw)
            assert reply["type"] == "error", raw
        assert "must be a str" in json.dumps(
            ask(json.dumps({"type": "step", "data": {"text": 12}}))
        )
        reply = ask(json.dumps({"type": "step", "data": {"text": "<answer>1+2</answer>"}}))
        assert reply["type"] == "observation" and reply["data"]["done"] is True
    with connect(server.url.replace("http", "ws") + "/ws") as ws:
        ws.send(json.dumps([1, 2, 3]))  # not an object: openenv-core answers, ends the session
        assert json.loads(ws.recv(timeout=30))["type"] == "error"
    with connect(server.url.replace("http", "ws") + "/ws", max_size=None) as ws:
        ws.send("x" * (8 * 1024 * 1024))  # over the server's message limit: this socket closes
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=30)
    assert server.alive()


def test_eight_clients_at_once_each_with_its_own_episode(server):
    outcomes: dict[int, list] = {}
    errors: list[BaseException] = []

    def play(seed: int) -> None:
        try:
            local = gym.make("Countdown-v0")
            with CountdownEnvClient(base_url=server.url) as env:
                rows = []
                for episode in range(5):
                    result = env.reset(seed=seed * 100 + episode)
                    _, info = local.reset(seed=seed * 100 + episode)
                    assert result.observation.nums == info["nums"]
                    answer = f"<answer>{info['solution']}</answer>"
                    result = env.step(CountdownAction(text=answer))
                    rows.append((result.observation.target, result.reward))
                outcomes[seed] = rows
        except BaseException as err:  # reported to the main thread below
            errors.append(err)

    threads = [threading.Thread(target=play, args=(seed,)) for seed in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sorted(outcomes) == list(range(8))
    assert all(reward == 1.0 for rows in outcomes.values() for _, reward in rows)
    assert server.alive()


@pytest.mark.parametrize(
    ("env_id", "flags", "action"),
    [
        ("CountdownMultiTurn-v0", ["--max-attempts", "2"], "<answer>1+1</answer>"),
        ("CountdownSteps-v0", ["--max-steps", "4"], "1 + 1"),
    ],
)
def test_other_envs_are_served_with_their_options(env_id, flags, action):
    running = Server("--env", env_id, *flags)
    try:
        local = gym.make(env_id, **{flags[0][2:].replace("-", "_"): int(flags[1])})
        with CountdownEnvClient(base_url=running.url) as env:
            result = env.reset(seed=4)
            obs, info = local.reset(seed=4)
            assert result.observation.text == obs and result.observation.nums == info["nums"]
            result = env.step(CountdownAction(text=action))
            obs, reward, terminated, truncated, info = local.step(action)
            assert (result.reward, result.done) == (reward, terminated or truncated)
            assert result.observation.text == obs
            assert result.observation.info == json.loads(json.dumps(info))
        assert running.get("/metadata")["name"] == env_id
    finally:
        running.stop()


def test_serve_refuses_bad_options_in_one_line():
    def err(*argv: str) -> str:
        proc = subprocess.run(
            [sys.executable, "-m", "agents.cli", "serve", *argv],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert proc.returncode == 2, proc
        return proc.stderr.strip()

    assert "applies to --env CountdownMultiTurn-v0" in err("--max-attempts", "2")
    assert err("--min-numbers", "1").startswith("countdown serve: error: --min-numbers")
    with running_socket() as port:
        message = err("--port", str(port))
        assert message.count("\n") == 0 and f"cannot listen on 127.0.0.1:{port}" in message


class running_socket:
    """A port held by another listener."""

    def __enter__(self) -> int:
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        return self.sock.getsockname()[1]

    def __exit__(self, *exc) -> None:
        self.sock.close()


def test_without_openenv_core_the_fix_is_named():
    hide = "import sys; sys.modules['openenv'] = None; "
    proc = subprocess.run(
        [sys.executable, "-c", hide + "from agents.cli import main; sys.exit(main(['serve']))"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "countdown serve: error: countdown serve needs openenv-core "
        "and uvicorn: pip install 'countdown-rl[serve]'"
    )
    proc = subprocess.run(
        [sys.executable, "-c", hide + "import countdown_env.openenv"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert "DependencyError" in proc.stderr and "countdown-rl[serve]" in proc.stderr
