"""A policy that asks any OpenAI-compatible server (vLLM, SGLang, ``transformers serve``, ...).

:class:`OpenAIPolicy` sends one ``POST {base_url}/chat/completions`` per task (or
``/completions`` with ``api="completions"``), ``concurrency`` at a time, with the standard
library only (``urllib`` and threads; the ``openai`` package is not needed). Sampling maps to
the API's fields: ``temperature``, ``top_p``, ``max_tokens`` (``max_new_tokens``), ``n``
(``num_samples``; a server that returns fewer choices is asked again for the rest) and
``top_k`` when set (vLLM and SGLang read it). :attr:`OpenAIPolicy.usage` sums the responses'
``prompt_tokens``, ``completion_tokens`` and ``total_tokens`` and counts the HTTP ``requests``
sent and the ``retries`` among them (``countdown eval`` keeps it in ``report.json`` under
``metadata.usage``).

Failures. 429, 5xx, timeouts and dropped connections are retried up to ``max_retries`` times,
waiting ``Retry-After`` when the server sends it, else an exponential backoff with jitter
(``backoff * 2**attempt`` seconds times a random factor in [0.5, 1], at most ``max_backoff``).
Anything else (401 bad key, 404 wrong URL or model, 400) stops the run at once with a
:class:`PolicyServerError` that says what to fix. The first request of a run is sent alone, so a
server that is not there (connection refused) or a bad key fails in one request, not after the
whole run.

>>> policy = OpenAIPolicy("http://127.0.0.1:8000/v1", "my-model")
>>> policy.name, policy.default_template
('openai:my-model', 'chat')
"""

from __future__ import annotations

import http.client
import json
import os
import random
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import Any

from agents.policies._base import Completion, Prompt, Request, SamplingConfig, as_request
from agents.policies._openai_http import (
    RETRIED_STATUS,
    PolicyServerError,
    Retry,
    retry_after,
    server_message,
)
from verifiers.errors import ConfigError

__all__ = ["API_KINDS", "OpenAIPolicy", "PolicyServerError"]

API_KINDS = ("chat", "completions")
"""The OpenAI endpoints the policy can call."""


class OpenAIPolicy:
    """Completions from an OpenAI-compatible server (see the module docstring).

    Args:
        base_url: the API root, e.g. ``"http://127.0.0.1:8000/v1"`` (the part before
            ``/chat/completions``).
        model: the model name the server knows.
        api_key: sent as ``Authorization: Bearer ...`` (default ``$OPENAI_API_KEY``; none when
            unset, as local servers need none).
        api: ``"chat"`` (default; prompts are sent as chat messages) or ``"completions"``
            (plain text prompts).
        concurrency: requests in flight at once (default 8).
        timeout: seconds to wait for one response (default 120).
        max_retries: retries of one request after 429, 5xx, a timeout or a dropped connection
            (default 5).
        backoff: first backoff in seconds (default 0.5); ``max_backoff`` caps it (default 30).
        name: the policy name in reports (default ``"openai:" + model``).
        progress: show a tqdm bar on stderr while generating.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        api: str = "chat",
        concurrency: int = 8,
        timeout: float = 120.0,
        max_retries: int = 5,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        name: str | None = None,
        progress: bool = False,
    ) -> None:
        if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
            raise ConfigError(f"base_url must start with http:// or https://, got {base_url!r}")
        if not isinstance(model, str) or not model.strip():
            raise ConfigError(
                "model must name the model the server serves, e.g. --model Qwen/Qwen2.5-3B-Instruct"
            )
        if api not in API_KINDS:
            raise ConfigError(f"api must be one of {API_KINDS}, got {api!r}")
        for field, count, low in (("concurrency", concurrency, 1), ("max_retries", max_retries, 0)):
            if isinstance(count, bool) or not isinstance(count, int) or count < low:
                raise ConfigError(f"{field} must be an integer >= {low}, got {count!r}")
        for field, value in (
            ("timeout", timeout),
            ("backoff", backoff),
            ("max_backoff", max_backoff),
        ):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ConfigError(f"{field} must be a number of seconds > 0, got {value!r}")
        self.base_url = base_url.rstrip("/")
        self.model = model.strip()
        self.api = api
        self.api_key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY")
        self.concurrency = concurrency
        self.timeout = float(timeout)
        self.max_retries = max_retries
        self.backoff = float(backoff)
        self.max_backoff = float(max_backoff)
        self.name = name or f"openai:{self.model}"
        self.default_template = "chat" if api == "chat" else "tinyzero"
        self.progress = progress
        self.usage: dict[str, int] = {
            "prompt_tokens": 0,
            "completion_tokens": 0,
            "total_tokens": 0,
            "requests": 0,
            "retries": 0,
        }
        self._lock = threading.Lock()
        self._answered = False  # a server that answered once is there: connection errors retry
        self._rng = random.Random()

    # ----- the Policy protocol ------------------------------------------------------------------
    def generate(
        self, requests: Sequence[Request | Prompt], *, sampling: SamplingConfig | None = None
    ) -> list[str]:
        """``sampling.num_samples`` completions per request, request-major."""
        config = sampling or SamplingConfig()
        items = [as_request(item) for item in requests]
        results: list[list[Completion] | None] = [None] * len(items)
        if not items:
            return []
        from tqdm.auto import tqdm

        bar = tqdm(
            total=len(items),
            desc=f"eval {self.name}",
            unit="task",
            file=sys.stderr,
            disable=not self.progress,
            dynamic_ncols=True,
        )
        stop = threading.Event()

        def one(index: int) -> None:
            if stop.is_set():
                return
            results[index] = self._complete(items[index], config, stop)
            bar.update(1)
            if self.progress:
                bar.set_postfix(tokens=self.usage["completion_tokens"], refresh=False)

        with bar:
            one(0)  # alone: an absent server or a bad key fails here, in one request
            with ThreadPoolExecutor(self.concurrency, thread_name_prefix="openai") as pool:
                futures = [pool.submit(one, index) for index in range(1, len(items))]
                try:
                    done, _ = wait(futures, return_when=FIRST_EXCEPTION)
                    failed = next((f for f in done if f.exception() is not None), None)
                    if failed is not None:
                        raise failed.exception()  # type: ignore[misc]
                except BaseException:  # a failed request or Ctrl-C: send no more requests
                    stop.set()
                    for future in futures:
                        future.cancel()
                    raise
        return [completion for group in results for completion in group or ()]

    # ----- one task -----------------------------------------------------------------------------
    def _payload(self, request: Request, config: SamplingConfig, n: int) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "model": self.model,
            "max_tokens": config.max_new_tokens,
            "temperature": config.temperature,
            "n": n,
        }
        if config.top_p < 1:
            payload["top_p"] = config.top_p
        if config.top_k > 0:
            payload["top_k"] = config.top_k
        prompt = request.prompt
        if self.api == "chat":
            payload["messages"] = (
                [{"role": "user", "content": prompt}] if isinstance(prompt, str) else prompt
            )
        else:
            if not isinstance(prompt, str):
                raise ConfigError(
                    "the completions API takes text prompts; use a text template "
                    "(tinyzero, compact) or the chat API"
                )
            payload["prompt"] = prompt
        return payload

    def _complete(
        self, request: Request, config: SamplingConfig, stop: threading.Event
    ) -> list[Completion]:
        """All ``num_samples`` completions of one request (asking again for missing choices)."""
        wanted = config.num_samples
        out: list[Completion] = []
        while len(out) < wanted:
            body = self._post(self._payload(request, config, wanted - len(out)), stop)
            choices = body.get("choices") if isinstance(body, dict) else None
            if not isinstance(choices, list) or not choices:
                raise PolicyServerError(
                    f"{self._endpoint()} answered without choices: {json.dumps(body)[:200]}"
                )
            usage = body.get("usage") if isinstance(body.get("usage"), dict) else {}
            choices = sorted(choices, key=lambda c: c.get("index", 0) if isinstance(c, dict) else 0)
            tokens = usage.get("completion_tokens") if len(choices) == 1 else None
            out.extend(
                Completion(self._text(choice), num_tokens=tokens)
                for choice in choices[: wanted - len(out)]
            )
            with self._lock:
                for key in ("prompt_tokens", "completion_tokens", "total_tokens"):
                    value = usage.get(key)
                    if isinstance(value, int) and not isinstance(value, bool):
                        self.usage[key] += value
        return out

    def _text(self, choice: Any) -> str:
        if not isinstance(choice, dict):
            raise PolicyServerError(
                f"{self._endpoint()} answered a choice that is not an object: {choice!r:.100}"
            )
        if self.api == "chat":
            message = choice.get("message")
            text = message.get("content") if isinstance(message, dict) else None
        else:
            text = choice.get("text")
        return text if isinstance(text, str) else ""

    # ----- HTTP ---------------------------------------------------------------------------------
    def _endpoint(self) -> str:
        return f"{self.base_url}/{'chat/completions' if self.api == 'chat' else 'completions'}"

    def _post(self, payload: dict[str, Any], stop: threading.Event) -> Any:
        """POST ``payload``; retry what is worth retrying; raise :class:`PolicyServerError`."""
        data = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        for attempt in range(self.max_retries + 1):
            if stop.is_set():
                raise PolicyServerError("stopped: another request failed")
            try:
                with self._lock:
                    self.usage["requests"] += 1
                return self._send(urllib.request.Request(self._endpoint(), data, headers))
            except Retry as retry:
                if attempt == self.max_retries:
                    raise PolicyServerError(
                        f"{self._endpoint()}: gave up after {self.max_retries} retries; last "
                        f"error: {retry}"
                    ) from None
                delay = (
                    retry.delay
                    if retry.delay is not None
                    else min(self.max_backoff, self.backoff * 2**attempt)
                    * (0.5 + self._rng.random() / 2)
                )
                with self._lock:
                    self.usage["retries"] += 1
                stop.wait(delay)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _send(self, request: urllib.request.Request) -> Any:
        url = request.full_url
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as err:
            message = server_message(err.read() or b"")
            if err.code in RETRIED_STATUS:
                raise Retry(
                    f"HTTP {err.code}: {message}", retry_after(err.headers.get("Retry-After"))
                ) from None
            raise PolicyServerError(self._advice(err.code, message)) from None
        except TimeoutError:
            raise Retry(f"no answer within {self.timeout:g} s") from None
        except (ConnectionResetError, ConnectionAbortedError, http.client.HTTPException) as err:
            raise Retry(f"connection dropped: {err!r:.100}") from None
        except OSError as err:  # URLError too: refused, unknown host, timeout while connecting
            reason = getattr(err, "reason", err)
            if isinstance(reason, TimeoutError):
                raise Retry(f"no answer within {self.timeout:g} s") from None
            if not self._answered:
                raise PolicyServerError(
                    f"cannot reach the server at {url}: {reason}; is it "
                    "running, and is --base-url right?"
                ) from None
            raise Retry(f"connection error: {reason}") from None
        self._answered = True
        try:
            return json.loads(raw)
        except ValueError:
            raise PolicyServerError(
                f"{url} did not answer JSON: {raw[:120].decode('utf-8', 'replace')!r}"
            ) from None

    def _advice(self, code: int, message: str) -> str:
        url = self._endpoint()
        if code in (401, 403):
            return (
                f"the server at {url} refused the API key (HTTP {code}: {message}); set "
                "OPENAI_API_KEY or --api-key"
            )
        if code == 404:
            return (
                f"{url} answered 404 ({message}); check --base-url (it usually ends in /v1) "
                f"and --model {self.model}"
            )
        return f"{url} refused the request (HTTP {code}: {message})"
