"""``countdown eval --policy openai`` against real HTTP servers on 127.0.0.1.

The fast tests run a stand-in OpenAI-compatible server (``http.server`` in a thread) that solves
the tasks it is asked, and on cue answers 429 (with ``Retry-After``), 5xx, slowly, or 401. The
slow test runs ``transformers serve`` with the SmolLM2 model converted from the packaged GGUF.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from agents.cli import main
from agents.policies._base import Request, SamplingConfig
from agents.policies._openai import OpenAIPolicy, PolicyServerError
from countdown_env import solve

ROOT = Path(__file__).resolve().parents[2]
_TASK = re.compile(r"\[([\d, ]+)\], create an equation that equals (\d+)|^([\d ]+)>(\d+):")


class StandIn:
    """An OpenAI-compatible server that answers every Countdown prompt correctly.

    ``script`` holds what the next requests get instead of an answer: ``(status, headers)``
    for an error, or ``("sleep", seconds)`` for a slow answer. ``key`` makes every request
    without ``Bearer key`` a 401. ``choices_cap`` returns at most that many choices.
    """

    def __init__(self) -> None:
        self.script: list[tuple] = []
        self.key: str | None = None
        self.delay = 0.0
        self.choices_cap: int | None = None
        self.requests: list[tuple[float, str, dict]] = []
        self.in_flight = self.most_in_flight = 0
        self.lock = threading.Lock()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with stand_in.lock:
                    stand_in.requests.append((time.monotonic(), self.path, body))
                    step = stand_in.script.pop(0) if stand_in.script else None
                    stand_in.in_flight += 1
                    stand_in.most_in_flight = max(stand_in.most_in_flight, stand_in.in_flight)
                try:
                    self._answer(body, step)
                finally:
                    with stand_in.lock:
                        stand_in.in_flight -= 1

            def _answer(self, body: dict, step: tuple | None) -> None:
                if stand_in.key and self.headers.get("Authorization") != f"Bearer {stand_in.key}":
                    return self._send(401, {"error": {"message": "Incorrect API key provided"}})
                if step and step[0] == "sleep":
                    time.sleep(step[1])
                elif step:
                    return self._send(step[0], {"error": {"message": "busy"}}, step[1])
                time.sleep(stand_in.delay)
                chat = self.path.endswith("/chat/completions")
                if not (self.path.startswith("/v1/") and self.path.endswith("/completions")):
                    return self._send(404, {"detail": "Not Found"})
                prompt = body["messages"][-1]["content"] if chat else body["prompt"]
                found = _TASK.search(prompt)
                groups = found.groups()
                nums = [int(n) for n in re.findall(r"\d+", groups[0] or groups[2])]
                target = int(groups[1] or groups[3])
                text = f"<think>easy</think>\n<answer>{solve(nums, target)}</answer>"
                n = min(body.get("n", 1), stand_in.choices_cap or body.get("n", 1))
                choices = [
                    {
                        "index": i,
                        "finish_reason": "stop",
                        **(
                            {"message": {"role": "assistant", "content": text}}
                            if chat
                            else {"text": text}
                        ),
                    }
                    for i in range(n)
                ]
                usage = {
                    "prompt_tokens": 50,
                    "completion_tokens": 10 * n,
                    "total_tokens": 50 + 10 * n,
                }
                self._send(
                    200,
                    {
                        "id": "x",
                        "object": "chat.completion",
                        "model": body["model"],
                        "choices": choices,
                        "usage": usage,
                    },
                )

            def _send(self, status: int, payload: dict, headers: dict | None = None) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client timed out first
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    server = StandIn()
    yield server
    server.close()


def _eval(url: str, tmp_path: Path, *extra: str, n: int = 6) -> int:
    return main(
        [
            "eval",
            "--policy",
            "openai",
            "--base-url",
            url,
            "--model",
            "stand-in",
            "-n",
            str(n),
            "--seed",
            "3",
            "--output-dir",
            str(tmp_path / "out"),
            "--no-plots",
            "--quiet",
            *extra,
        ]
    )


def _report(tmp_path: Path) -> dict:
    return json.loads((tmp_path / "out" / "report.json").read_text())


def test_eval_writes_the_usual_report_with_token_usage(stand_in, tmp_path):
    assert _eval(stand_in.url, tmp_path, n=12) == 0
    report = _report(tmp_path)
    assert report["n"] == 12 and report["accuracy"] == 1.0
    assert report["policy"] == "openai:stand-in" and report["template"] == "chat"
    assert report["metadata"]["usage"] == {
        "prompt_tokens": 600,
        "completion_tokens": 120,
        "total_tokens": 720,
        "requests": 12,
        "retries": 0,
    }
    rows = (tmp_path / "out" / "samples.jsonl").read_text().splitlines()
    assert len(rows) == 12 and json.loads(rows[0])["length_tokens"] == 10
    body = stand_in.requests[0][2]
    assert body["model"] == "stand-in" and body["temperature"] == 0.0 and body["n"] == 1
    assert body["messages"][0]["role"] == "user" and body["max_tokens"] == 512


def test_429_with_retry_after_then_5xx_are_retried(stand_in, tmp_path):
    stand_in.script = [(429, {"Retry-After": "1"}), (500, {}), (503, {})]
    assert _eval(stand_in.url, tmp_path, "--concurrency", "1", n=3) == 0
    report = _report(tmp_path)
    assert report["accuracy"] == 1.0 and report["metadata"]["usage"]["retries"] == 3
    times = [when for when, _, _ in stand_in.requests]
    assert len(times) == 6 and times[1] - times[0] >= 0.95  # Retry-After: 1 was honoured


def test_a_slow_answer_times_out_and_is_retried(stand_in, tmp_path):
    stand_in.script = [("sleep", 3.0)]
    assert _eval(stand_in.url, tmp_path, "--timeout", "0.5", n=2) == 0
    assert _report(tmp_path)["metadata"]["usage"]["retries"] == 1


def test_retries_run_out_in_one_line(stand_in, tmp_path, capsys):
    stand_in.script = [(500, {})] * 10
    assert _eval(stand_in.url, tmp_path, "--max-retries", "2") == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "gave up after 2 retries" in err and "HTTP 500" in err
    assert len(stand_in.requests) == 3


def test_a_bad_key_fails_at_the_first_request(stand_in, tmp_path, capsys, monkeypatch):
    stand_in.key = "right"
    monkeypatch.setenv("OPENAI_API_KEY", "wrong")
    assert _eval(stand_in.url, tmp_path, n=50) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "refused the API key (HTTP 401" in err
    assert len(stand_in.requests) == 1  # not one request per task
    assert not (tmp_path / "out" / "report.json").exists()
    assert _eval(stand_in.url, tmp_path, "--api-key", "right", n=2) == 0


def test_an_unreachable_server_fails_in_one_line(tmp_path, capsys):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert _eval(f"http://127.0.0.1:{port}/v1", tmp_path, n=50) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and f"cannot reach the server at http://127.0.0.1:{port}" in err


def test_a_wrong_path_is_a_404_with_advice(stand_in, tmp_path, capsys):
    assert _eval(stand_in.url.removesuffix("/v1") + "/nope", tmp_path) == 2
    assert "check --base-url" in capsys.readouterr().err


def test_samples_are_n_and_missing_choices_are_asked_again(stand_in, tmp_path):
    stand_in.choices_cap = 3
    assert (
        _eval(
            stand_in.url,
            tmp_path,
            "--samples",
            "4",
            "--temperature",
            "0.7",
            "--top-p",
            "0.9",
            "--max-new-tokens",
            "64",
            n=2,
        )
        == 0
    )
    report = _report(tmp_path)
    assert report["n_samples"] == 4 and report["pass_at_k"]["4"] == 1.0
    asked = [body["n"] for _, _, body in stand_in.requests]
    assert sorted(asked) == [1, 1, 4, 4]
    body = stand_in.requests[0][2]
    assert (body["temperature"], body["top_p"], body["max_tokens"]) == (0.7, 0.9, 64)


def test_completions_api_sends_text_prompts(stand_in, tmp_path):
    assert _eval(stand_in.url, tmp_path, "--completions", n=3) == 0
    report = _report(tmp_path)
    assert report["accuracy"] == 1.0 and report["template"] == "tinyzero"
    path, body = stand_in.requests[0][1:]
    assert path == "/v1/completions" and body["prompt"].endswith("<think>")


def test_requests_run_concurrently_up_to_the_limit(stand_in):
    stand_in.delay = 0.3
    policy = OpenAIPolicy(stand_in.url, "stand-in", concurrency=4)
    requests = [
        Request(f"{a} {b}>{a + b}:", nums=(a, b), target=a + b, answer_format="bare")
        for a, b in zip(range(1, 13), range(2, 14), strict=True)
    ]
    completions = policy.generate(requests, sampling=SamplingConfig())
    assert len(completions) == 12 and stand_in.most_in_flight == 4
    assert all("<answer>" in c for c in completions)


def test_server_options_need_policy_openai(tmp_path, capsys):
    assert main(["eval", "--policy", "solver", "--base-url", "http://x/v1", "-n", "2"]) == 2
    assert "--base-url only apply with --policy openai" in capsys.readouterr().err
    assert main(["eval", "--policy", "openai", "--model", "m", "-n", "2"]) == 2
    assert "--policy openai needs --base-url" in capsys.readouterr().err


def test_policy_refuses_bad_settings():
    with pytest.raises(PolicyServerError.__mro__[1]):  # CountdownError
        OpenAIPolicy("127.0.0.1:8000", "m")
    with pytest.raises(ValueError, match="concurrency"):
        OpenAIPolicy("http://127.0.0.1:8000/v1", "m", concurrency=0)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_eval_against_transformers_serve_with_smollm2(tmp_path):
    """``transformers serve`` (transformers' own OpenAI-compatible server) with SmolLM2-135M
    converted from the packaged GGUF; nothing is downloaded (HF_HUB_OFFLINE=1)."""
    pytest.importorskip("fastapi", reason="transformers serve needs transformers[serving]")
    command = shutil.which("transformers")
    if command is None:
        pytest.skip("the transformers command is not on PATH")
    from agents.policies._gguf import convert_gguf, smollm2_path

    model_dir = convert_gguf(smollm2_path(), cache=tmp_path / "cache")
    port = _free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    serve = subprocess.Popen(
        [command, "serve", "--host", "127.0.0.1", "--port", str(port), str(model_dir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2).close()
                break
            except OSError:
                assert serve.poll() is None, serve.stderr.read()
                time.sleep(0.5)
        out = tmp_path / "out"
        code = main(
            [
                "eval",
                "--policy",
                "openai",
                "--base-url",
                f"http://127.0.0.1:{port}/v1",
                "--model",
                str(model_dir),
                "-n",
                "4",
                "--max-new-tokens",
                "32",
                "--concurrency",
                "2",
                "--output-dir",
                str(out),
                "--no-plots",
                "--quiet",
            ]
        )
        assert code == 0
        report = json.loads((out / "report.json").read_text())
        assert report["n"] == 4 and report["metadata"]["usage"]["completion_tokens"] > 0
        rows = [json.loads(line) for line in (out / "samples.jsonl").read_text().splitlines()]
        assert all(row["completion"] and row["length_tokens"] <= 32 for row in rows)
    finally:
        serve.terminate()
        try:
            serve.wait(timeout=30)
        except subprocess.TimeoutExpired:
            serve.kill()
            serve.wait()
