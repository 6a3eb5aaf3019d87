"""The evaluation harness: metrics checked by hand, evaluate(), write_report(), comparisons."""

from __future__ import annotations

import json
import math
import os
import random
import re

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from agents.evaluation import _metrics as metrics
from agents.evaluation._harness import EvalReport, evaluate, write_report
from agents.evaluation._plots import plot_training_curves
from agents.evaluation._reports import (
    compare_reports,
    format_comparison,
    format_summary,
    summarize_records,
)
from agents.policies._base import Completion, Request, SamplingConfig
from countdown_env._generator import generate
from countdown_env._task import Task
from countdown_env.errors import OutputExistsError
from verifiers.errors import ConfigError, CountdownError

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

# --- metrics, against hand-computed values ---------------------------------------------------


@pytest.mark.parametrize(
    ("n", "c", "k", "expected"),
    [
        (5, 2, 1, 2 / 5),
        (5, 2, 2, 1 - 3 / 10),  # 1 - C(3,2)/C(5,2)
        (5, 0, 3, 0.0),
        (5, 3, 3, 1.0),  # n - c < k
        (10, 1, 5, 1 - 126 / 252),  # 1 - C(9,5)/C(10,5)
    ],
)
def test_pass_at_k_matches_the_binomial_formula(n, c, k, expected):
    assert metrics.pass_at_k(n, c, k) == pytest.approx(expected, abs=1e-12)


def test_pass_at_k_is_stable_for_large_n():
    exact = 1 - math.comb(900, 100) / math.comb(1000, 100)
    assert metrics.pass_at_k(1000, 100, 100) == pytest.approx(exact, rel=1e-9)


@pytest.mark.parametrize(
    ("args", "word"), [((0, 0, 1), "n"), ((3, 4, 1), "c"), ((3, 1, 4), "k"), ((3, 1, 0), "k")]
)
def test_pass_at_k_rejects_impossible_counts(args, word):
    with pytest.raises(ConfigError, match=rf"^{word} "):
        metrics.pass_at_k(*args)


def test_point_biserial_by_hand_and_undefined_cases():
    # x mean 5, sxy = -4, sxx = 20, syy = 1  ->  r = -4 / sqrt(20)
    r = metrics.point_biserial([2, 4, 6, 8], [True, True, False, False])
    assert r == pytest.approx(-4 / math.sqrt(20))
    assert metrics.point_biserial([2, 4, 6], [True, True, True]) is None
    assert metrics.point_biserial([5, 5, 5], [True, False, True]) is None
    assert metrics.point_biserial([5], [True]) is None


def test_aha_phrases_are_case_insensitive_whole_words():
    text = (
        "Wait, WAIT. Let me\ncheck: that\u2019s not right. Let's try 7*8. "
        "Awaiting the weight, I re-check it."
    )
    assert metrics.find_aha_phrases(text) == [
        "wait",
        "wait",
        "let me check",
        "that's not right",
        "let's try",
        "re-check",
    ]
    assert metrics.find_aha_phrases("wait", ["hold on"]) == []
    assert metrics.find_aha_phrases("Hold on!", ["hold on"]) == ["hold on"]
    with pytest.raises(ConfigError):
        metrics.find_aha_phrases("x", [])


def _aha_by_definition(text, phrases):
    """The documented matching rule, written the plain way: every phrase tried everywhere."""
    alternatives = sorted({p.strip().lower() for p in phrases}, key=lambda p: (-len(p), p))
    body = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in alternatives)
    pattern = re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)
    return [
        re.sub(r"\s+", " ", m.group(0).lower())
        for m in pattern.finditer(text.replace("\u2019", "'"))
    ]


@pytest.mark.parametrize(
    "phrases",
    [
        metrics.DEFAULT_AHA_PHRASES,
        ["hold on", "wait"],
        # First characters that are special inside a regex class, and case-folding oddities.
        ["?!", "-x", "]y", "^z", "\\q", "s", "\u017fo", "\u0130i", "k", "a b", "a-b"],
    ],
)
def test_aha_matcher_finds_what_the_plain_rule_finds(phrases):
    rng = random.Random(0)
    pieces = [
        *"waitWAITletmechkLETMECHKsSkK'\u2019 \n\t-_?!^]\\.,:0123\u017f\u0130\u0131\u212a",
        "wait",
        "let me",
        "re-check",
        "that\u2019s not right",
        "hmm",
        "hold on",
        "a b",
    ]
    find = metrics.AhaMatcher(phrases)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 25)))
        assert find(text) == _aha_by_definition(text, phrases), text
        assert metrics.find_aha_phrases(text, phrases) == find(text)


def test_group_means_and_cached_pass_at_k():
    summary = metrics.group_means(["b", 3, "a", 3], {"x": [1, 2, 3, 4], "y": [0.5, 0, 1, 1]})
    assert list(summary) == ["3", "a", "b"]  # numbers first, then text
    assert summary["3"] == {"n": 2, "x": 3.0, "y": 0.5}
    with pytest.raises(ConfigError, match="column 'x'"):
        metrics.group_means([1, 2], {"x": [1]})
    # Repeated (n, c) pairs are computed once; the mean is the plain per-task mean.
    counts = [(4, 1), (4, 1), (4, 3), (2, 0), (4, 1)]
    by_task = math.fsum(metrics.pass_at_k(n, c, 2) for n, c in counts) / len(counts)
    assert metrics.mean_pass_at_k(counts, 2) == by_task
    # A bool that hashes like an earlier int pair is still refused.
    with pytest.raises(ConfigError, match=r"^c must be an int"):
        metrics.mean_pass_at_k([(1, 1), (1, True)], 1)


def test_length_stats_shares_and_buckets():
    assert metrics.length_stats([3, 1, 2]) == {
        "mean": 2.0,
        "median": 2,
        "min": 1,
        "max": 3,
        "p90": 3,
    }
    assert metrics.status_shares(["a", "b", "b", "b"]) == {"b": 0.75, "a": 0.25}
    assert [metrics.count_bucket(v, (1, 10, 100)) for v in (0, 5, 10, 999)] == [
        "0",
        "1-9",
        "10-99",
        ">=100",
    ]


# --- evaluate() on scripted completions --------------------------------------------------------


class ScriptedPolicy:
    """A policy that answers from a table: the real protocol, with known completions."""

    name = "scripted"
    default_template = "tinyzero"

    def __init__(self, table):
        self.table = table
        self.calls = []

    def generate(self, requests, *, sampling=None):
        self.calls.append((len(requests), sampling))
        out = []
        for request in requests:
            assert isinstance(request, Request)
            out.extend(self.table[(tuple(request.nums), request.target)])
        return out


TASKS = [Task([1, 2], 3), Task([3, 4], 12), Task([2, 5, 7], 70)]
TABLE = {
    ((1, 2), 3): [
        "<think>a</think>\n<answer>1+2</answer>",
        "<think>Wait, maybe</think>\n<answer>2-1</answer>",
    ],
    ((3, 4), 12): ["no answer here", "<think>hmm</think>\n<answer>3*4</answer>"],
    ((2, 5, 7), 70): ["<answer>2*5*7</answer>", "<think>x</think><answer>2*5*7</answer>"],
}


@pytest.fixture(scope="module")
def scripted_report():
    policy = ScriptedPolicy(TABLE)
    sampling = SamplingConfig(temperature=1.0, num_samples=2, seed=9)
    report = evaluate(
        policy, TASKS, sampling=sampling, batch_size=2, progress=False, metadata={"note": "hand"}
    )
    return policy, report


def test_report_numbers_match_a_hand_count(scripted_report):
    policy, report = scripted_report
    assert report.n == 3 and report.n_samples == 2
    assert report.accuracy == pytest.approx((0.5 + 0.5 + 1.0) / 3)
    assert report.pass_at_k == {"1": pytest.approx(2 / 3), "2": 1.0}
    assert report.status_counts == {"correct": 4, "wrong_value": 1, "no_answer": 1}
    # "no answer here" and the answer without a think block break the format.
    assert report.format_violation_rate == pytest.approx(2 / 6)
    aha = report.aha
    assert aha["aha_rate"] == pytest.approx(2 / 6)
    assert aha["accuracy_with_aha"] == pytest.approx(1 / 2)
    assert aha["accuracy_without_aha"] == pytest.approx(3 / 4)
    assert aha["phrase_counts"] == {"wait": 1, "hmm": 1}
    assert report.by_difficulty["n_nums"] == {
        "2": {
            "n": 2,
            "accuracy": 0.5,
            "mean_length": pytest.approx(
                sum(len(c) for c in TABLE[((1, 2), 3)] + TABLE[((3, 4), 12)]) / 4
            ),
            "aha_rate": 0.5,
        },
        "3": {
            "n": 1,
            "accuracy": 1.0,
            "mean_length": pytest.approx(sum(len(c) for c in TABLE[((2, 5, 7), 70)]) / 2),
            "aha_rate": 0.0,
        },
    }
    lengths = [len(c) for t in TASKS for c in TABLE[(tuple(t.nums), t.target)]]
    correct = [True, False, False, True, True, True]
    assert report.length["chars"]["max"] == max(lengths)
    assert report.length_correlation["chars"] == pytest.approx(
        metrics.point_biserial(lengths, correct)
    )
    assert report.template == "tinyzero" and report.answer_format == "answer_tag"
    # Batches of 2 then 1 tasks, each seeded by its first task's index.
    assert [(n, s.seed) for n, s in policy.calls] == [(2, 9), (1, 11)]


def test_records_hold_every_sample(scripted_report):
    _, report = scripted_report
    first = report.records[0]
    assert first["nums"] == [1, 2] and first["target"] == 3
    assert first["prompt"].endswith("<think>")
    assert first["n_correct"] == 1 and first["pass_at_1"] == 0.5
    assert [s["status"] for s in first["samples"]] == ["correct", "wrong_value"]
    assert first["samples"][1]["aha_phrases"] == ["wait"]
    assert first["samples"][1]["value"] == "1"
    assert first["completion"] == TABLE[((1, 2), 3)][0]


def test_write_report_files(scripted_report, tmp_path):
    _, report = scripted_report
    paths = write_report(report, tmp_path / "out")
    data = json.loads(paths["report"].read_text())
    assert data["n"] == 3 and isinstance(data["n"], int)
    assert 0.0 <= data["accuracy"] <= 1.0
    assert data["status_counts"] == {"correct": 4, "wrong_value": 1, "no_answer": 1}
    assert data["metadata"] == {"note": "hand"}
    assert sorted(data["plots"]) == ["aha.png", "difficulty.png", "length.png", "status.png"]
    lines = paths["samples"].read_text().splitlines()
    assert [json.loads(line)["target"] for line in lines] == [3, 12, 70]
    for png in paths["plots"]:
        assert png.read_bytes()[:8] == PNG_MAGIC
    # Writing again replaces everything in place and leaves no temporary files behind.
    write_report(report, tmp_path / "out", plots=False)
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]
    assert format_summary(paths["report"]).splitlines()[0].startswith("policy")


def test_write_report_refuses_or_replaces_an_existing_report(scripted_report, tmp_path):
    _, report = scripted_report
    out = tmp_path / "out"
    write_report(report, out)
    plots = ["aha.png", "difficulty.png", "length.png", "status.png"]
    assert sorted(p.name for p in out.glob("*.png")) == plots
    before = (out / "report.json").read_text()
    with pytest.raises(OutputExistsError, match="already holds a report"):
        write_report(report, out, plots=False, overwrite=False)
    assert (out / "report.json").read_text() == before
    assert sorted(p.name for p in out.glob("*.png")) == plots
    # Replacing (the default) removes the old report's plots the new one does not draw, and
    # nothing else: not the user's files, not a path a hand-edited report.json points at.
    (out / "mine.png").write_bytes(b"x")
    (out / "notes.txt").write_text("keep")
    (tmp_path / "outside.png").write_bytes(b"x")
    data = json.loads(before)
    (out / "report.json").write_text(json.dumps({**data, "plots": [*plots, "../outside.png"]}))
    write_report(report, out, plots=False)
    assert json.loads((out / "report.json").read_text())["plots"] == []
    assert sorted(p.name for p in out.iterdir()) == [
        "mine.png",
        "notes.txt",
        "report.json",
        "samples.jsonl",
    ]
    assert (tmp_path / "outside.png").exists()
    # Without a readable report.json, the standard plot names count as the old report's.
    (out / "report.json").unlink()
    (out / "status.png").write_bytes(b"x")
    write_report(report, out, plots=False)
    assert not (out / "status.png").exists() and (out / "mine.png").exists()
    assert write_report(report, tmp_path / "new", plots=False, overwrite=False)["report"].is_file()
    with pytest.raises(ConfigError, match="empty"):
        write_report(report, "", plots=False)


def test_samples_jsonl_recomputes_the_report(tmp_path):
    """samples.jsonl is json.dumps of every record, and its rows give back every metric."""
    tasks = generate(40, seed=3, rate=True)

    class Chatty(ScriptedPolicy):
        def generate(self, requests, *, sampling=None):
            rng = random.Random(len(self.calls))
            self.calls.append(len(requests))
            texts = [
                'Wait, caf\u00e9 "quoted"\n<answer>1+2</answer>',
                "<answer>3\u00d74</answer>",
                "<think>hmm</think><answer>2*5*7</answer>",
                "\u2212 no answer",
            ]
            n = (sampling or SamplingConfig()).num_samples
            return [
                Completion(t, len(t)) if rng.random() < 0.5 else t
                for t in rng.choices(texts, k=len(requests) * n)
            ]

    for sampling in (SamplingConfig(), SamplingConfig(temperature=1.0, num_samples=3)):
        report = evaluate(Chatty(TABLE), tasks, sampling=sampling, progress=False)
        paths = write_report(report, tmp_path / str(sampling.num_samples), plots=False)
        text = paths["samples"].read_text(encoding="utf-8")
        assert text == "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in report.records)
        rows = [json.loads(line) for line in text.splitlines()]
        ks = [int(k) for k in report.pass_at_k]
        summary = summarize_records(rows, k=ks)
        assert summary == {key: getattr(report, key) for key in summary}
        assert report.by_difficulty.keys() == {"n_nums", "n_solutions", "search_nodes"}


def test_compare_reports_gives_deltas(scripted_report, tmp_path):
    _, report = scripted_report
    better = EvalReport(**{**report.__dict__, "accuracy": 0.9, "policy": "better"})
    diffs = {d.key: d for d in compare_reports(report, better)}
    assert diffs["accuracy"].delta == pytest.approx(0.9 - 2 / 3)
    assert not diffs["n"].changed
    assert diffs["policy"].delta is None and diffs["policy"].changed
    text = format_comparison(report, better, only_changed=True)
    assert "accuracy" in text and "\nn " not in text


def test_bad_input_is_a_clear_error():
    with pytest.raises(ConfigError, match="at least one task"):
        evaluate("solver", [], progress=False)
    with pytest.raises(ConfigError, match="path does not exist"):
        evaluate("./no/such/model", TASKS, progress=False)
    with pytest.raises(ConfigError, match="k must be"):
        evaluate(ScriptedPolicy(TABLE), TASKS, k=[2], progress=False)
    with pytest.raises(ConfigError, match="template"):
        evaluate(ScriptedPolicy(TABLE), TASKS, template="nope", progress=False)
    with pytest.raises(ConfigError, match="nums"):
        evaluate(ScriptedPolicy(TABLE), [{"target": 3}], progress=False)


def test_a_policy_returning_the_wrong_count_is_caught():
    class Short(ScriptedPolicy):
        def generate(self, requests, *, sampling=None):
            return super().generate(requests, sampling=sampling)[:-1]

    with pytest.raises(CountdownError, match="returned 5 completions"):
        evaluate(
            Short(TABLE),
            TASKS,
            sampling=SamplingConfig(temperature=1, num_samples=2),
            progress=False,
        )


def test_solver_and_random_policies_end_to_end():
    tasks = generate(30, seed=5, rate=True)
    solver = evaluate("solver", tasks, progress=False)
    assert solver.accuracy == 1.0 and solver.status_counts == {"correct": 30}
    assert {"n_nums", "n_solutions", "search_nodes"} <= set(solver.by_difficulty)
    floor = evaluate(
        "random",
        tasks,
        template="compact",
        progress=False,
        sampling=SamplingConfig(temperature=1.0, num_samples=4),
    )
    assert 0.0 <= floor.accuracy < 0.5
    assert floor.pass_at_k["4"] >= floor.accuracy


def test_transformers_policy_end_to_end_with_token_lengths():
    pytest.importorskip("transformers")
    from agents.policies._models import TransformersPolicy
    from agents.policies._tiny import TinyModelConfig, build_model, build_tokenizer

    tokenizer = build_tokenizer()
    model = build_model(
        tokenizer,
        seed=0,
        config=TinyModelConfig(hidden_size=32, num_layers=1, num_heads=2, intermediate_size=64),
    )
    policy = TransformersPolicy(model, tokenizer, name="micro", device="cpu")
    report = evaluate(policy, generate(12, seed=1), batch_size=5, progress=False)
    assert report.template == "compact" and report.n == 12
    assert sum(report.status_counts.values()) == 12
    assert report.length["tokens"]["max"] <= 24
    # Generated tokens as counted by the policy: one per character in the embedded
    # tokenizer, plus EOS and any special tokens decoding skips.
    assert all(r["length"] <= r["length_tokens"] <= 24 for r in report.records)


def test_training_curves_plot_whichever_metrics_exist(tmp_path):
    rows = [
        {
            "step": s,
            "reward": s / 10,
            "rewards/correctness_reward/mean": s / 20,
            "completions/mean_length": 10 - s,
            "format_violation_rate": 1 / s,
            "eval_accuracy": s / 30,
            "aha_rate": 0.1,
            "learning_rate": 3e-4,
            "reward_std": 0.2,
        }
        for s in range(1, 6)
    ]
    rows.append({"train_runtime": 12.0})  # no step: skipped
    paths = plot_training_curves(rows, tmp_path)
    assert [p.name for p in paths] == [
        "training_reward.png",
        "training_accuracy.png",
        "training_format.png",
        "training_length.png",
        "training_aha.png",
    ]
    assert all(p.read_bytes()[:8] == PNG_MAGIC for p in paths)
    assert plot_training_curves([{"step": 1, "loss": 0.3}], tmp_path / "none") == []


def test_record_fields_keep_their_order_and_match_the_verdict():
    # samples.jsonl rows are written in dict order; their layout is part of the file format.
    from verifiers import verify

    report = evaluate("random", generate(4, seed=3), template="compact", progress=False)
    for record in report.records:
        # The random policy has no tokenizer and reports no token counts: no length_tokens.
        assert list(record) == [
            "index",
            "id",
            "nums",
            "target",
            "solution",
            "n_solutions",
            "search_nodes",
            "prompt",
            "completion",
            "correct",
            "status",
            "value",
            "expression",
            "reason",
            "length",
            "format_ok",
            "aha_phrases",
            "n_samples",
            "n_correct",
            "pass_at_1",
        ]
        verdict = verify(
            record["completion"], record["nums"], record["target"], extractor="bare"
        ).to_dict()
        assert {key: record[key] for key in verdict} == verdict
        assert record["pass_at_1"] == float(record["correct"])
