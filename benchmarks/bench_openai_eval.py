"""Benchmark of ``countdown eval --policy openai``: tasks per second at concurrency 1 and 8.

Run: ``python benchmarks/bench_openai_eval.py [--quick] [--latency S]`` against a stand-in
OpenAI-compatible server started here (``http.server`` in a thread, answering each chat request
with the solver's answer after ``--latency`` seconds, 0.05 by default, to stand for a model's
generation time), or ``--base-url URL --model NAME`` against a real server (vLLM, SGLang,
``transformers serve``). Evaluates the same generated tasks through
:class:`agents.policies.OpenAIPolicy` and :func:`agents.evaluation.evaluate` at each
concurrency and prints one Markdown table of tasks/s (wall time) and accuracy.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agents.evaluation._harness import evaluate
from agents.policies._base import SamplingConfig
from agents.policies._openai import OpenAIPolicy
from countdown_env import generate, solve

_TASK = re.compile(r"\[([\d, ]+)\], create an equation that equals (\d+)")


def stand_in(latency: float) -> ThreadingHTTPServer:
    """A chat-completions server on a free port of 127.0.0.1 that solves every task."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            numbers, target = _TASK.search(body["messages"][-1]["content"]).groups()
            nums = [int(n) for n in re.findall(r"\d+", numbers)]
            time.sleep(latency)
            answer = f"<think>ok</think>\n<answer>{solve(nums, int(target))}</answer>"
            data = json.dumps(
                {
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": answer}}],
                    "usage": {"prompt_tokens": 60, "completion_tokens": 12, "total_tokens": 72},
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="few tasks (a smoke run)")
    parser.add_argument("-n", type=int, default=400, help="tasks per measurement")
    parser.add_argument(
        "--latency",
        type=float,
        default=0.05,
        help="the stand-in's seconds per answer (default: %(default)s)",
    )
    parser.add_argument("--base-url", help="a real server instead of the stand-in")
    parser.add_argument("--model", default="stand-in", help="model name on --base-url")
    parser.add_argument("--max-new-tokens", type=int, default=64)
    args = parser.parse_args(argv)
    n = 24 if args.quick else args.n
    server = None
    url = args.base_url
    if url is None:
        server = stand_in(args.latency)
        url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    tasks = generate(n, seed=11)
    sampling = SamplingConfig(max_new_tokens=args.max_new_tokens)
    rows = []
    try:
        for concurrency in (1, 8):
            policy = OpenAIPolicy(url, args.model, concurrency=concurrency)
            start = time.perf_counter()
            report = evaluate(
                policy,
                tasks,
                template="chat",
                sampling=sampling,
                batch_size=len(tasks),
                progress=False,
            )
            rows.append((concurrency, n / (time.perf_counter() - start), report.accuracy))
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
    where = f"stand-in, {args.latency:g} s/answer" if server is not None else args.model
    print(f"| countdown eval --policy openai ({n} tasks, {where}) | tasks/s | accuracy |")
    print("|---|---:|---:|")
    for concurrency, rate, accuracy in rows:
        print(f"| concurrency {concurrency} | {rate:,.1f} | {accuracy:.0%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
