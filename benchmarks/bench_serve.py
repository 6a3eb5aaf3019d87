"""Benchmark of ``countdown serve``: episodes per second through the OpenEnv server.

Run: ``python benchmarks/bench_serve.py [--quick] [--episodes N]``. Starts ``countdown serve``
(``Countdown-v0``) on a free port of 127.0.0.1 and plays whole episodes (reset with a seed, one
step with the reference solution) with 1 and with 8 ``CountdownEnvClient`` sessions at once
(one thread each), then the same episodes with the in-process ``gymnasium.make("Countdown-v0")``
beside them. Prints one Markdown table of episodes/s (wall time: the server is another process).
Needs ``pip install 'countdown-rl[serve]'``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import gymnasium as gym

import countdown_env  # noqa: F401 - registers the ids
from countdown_env.openenv import CountdownAction, CountdownEnvClient

ROOT = Path(__file__).resolve().parents[1]


def start_server() -> tuple[subprocess.Popen, str]:
    """``countdown serve --port 0`` as a child process, and its URL once it answers."""
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    process = subprocess.Popen(
        [sys.executable, "-m", "agents.cli", "serve", "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    line = process.stdout.readline()
    if " on http://" not in line:
        process.kill()
        raise SystemExit(f"countdown serve did not start: {line!r}")
    url = line.split(" on ", 1)[1].split()[0]
    for _ in range(400):
        try:
            urllib.request.urlopen(url + "/health", timeout=5).close()
            return process, url
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("countdown serve did not answer /health")


def play_remote(url: str, seeds: Sequence[int]) -> None:
    """One client session playing one episode per seed."""
    local = gym.make("Countdown-v0")  # only to know each task's reference solution
    with CountdownEnvClient(base_url=url) as env:
        for seed in seeds:
            env.reset(seed=seed)
            _, info = local.reset(seed=seed)
            env.step(CountdownAction(text=f"<answer>{info['solution']}</answer>"))


def remote_rate(url: str, clients: int, episodes: int) -> float:
    """Episodes/s with ``clients`` sessions at once sharing ``episodes`` episodes."""
    shares = [list(range(c, episodes, clients)) for c in range(clients)]
    threads = [threading.Thread(target=play_remote, args=(url, share)) for share in shares]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return episodes / (time.perf_counter() - start)


def local_rate(episodes: int) -> float:
    """Episodes/s of the in-process env (the same work, solutions looked up the same way)."""
    env, lookup = gym.make("Countdown-v0"), gym.make("Countdown-v0")
    start = time.perf_counter()
    for seed in range(episodes):
        env.reset(seed=seed)
        _, info = lookup.reset(seed=seed)
        env.step(f"<answer>{info['solution']}</answer>")
    return episodes / (time.perf_counter() - start)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="few episodes (a smoke run)")
    parser.add_argument("--episodes", type=int, default=2000, help="episodes per measurement")
    args = parser.parse_args(argv)
    episodes = 80 if args.quick else args.episodes
    process, url = start_server()
    try:
        remote_rate(url, 1, 16)  # warm-up: imports and first sessions
        rows = [
            (f"server, {n} client{'s' if n > 1 else ''}", remote_rate(url, n, episodes))
            for n in (1, 8)
        ]
    finally:
        process.terminate()
        process.wait(timeout=30)
    rows.append(("in-process gymnasium.make", local_rate(episodes)))
    print(f"| Countdown-v0 ({episodes} episodes: reset + 1 step) | episodes/s |")
    print("|---|---:|")
    for label, rate in rows:
        print(f"| {label} | {rate:,.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
