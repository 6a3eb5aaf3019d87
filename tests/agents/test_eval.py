"""The evaluation harness: metrics checked by hand, evaluate(), write_report(), comparisons."""

from __future__ import annotations

import json
import math
import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from agents import metrics
from agents.evaluate import EvalReport, evaluate, write_report
from agents.plots import plot_training_curves
from agents.policies import Request, SamplingConfig
from agents.reports import compare_reports, format_comparison, format_summary
from countdown_env.generator import generate
from countdown_env.task import Task
from verifiers.errors import ConfigError, CountdownError

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

# --- metrics, against hand-computed values ---------------------------------------------------


@pytest.mark.parametrize(("n", "c", "k", "expected"), [
    (5, 2, 1, 2 / 5),
    (5, 2, 2, 1 - 3 / 10),        # 1 - C(3,2)/C(5,2)
    (5, 0, 3, 0.0),
    (5, 3, 3, 1.0),               # n - c < k
    (10, 1, 5, 1 - 126 / 252),    # 1 - C(9,5)/C(10,5)
])
def test_pass_at_k_matches_the_binomial_formula(n, c, k, expected):
    assert metrics.pass_at_k(n, c, k) == pytest.approx(expected, abs=1e-12)


def test_pass_at_k_is_stable_for_large_n():
    exact = 1 - math.comb(900, 100) / math.comb(1000, 100)
    assert metrics.pass_at_k(1000, 100, 100) == pytest.approx(exact, rel=1e-9)


@pytest.mark.parametrize(("args", "word"), [((0, 0, 1), "n"), ((3, 4, 1), "c"),
                                            ((3, 1, 4), "k"), ((3, 1, 0), "k")])
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
    text = ("Wait, WAIT. Let me\ncheck: that\u2019s not right. Let's try 7*8. "
            "Awaiting the weight, I re-check it.")
    assert metrics.find_aha_phrases(text) == [
        "wait", "wait", "let me check", "that's not right", "let's try", "re-check"]
    assert metrics.find_aha_phrases("wait", ["hold on"]) == []
    assert metrics.find_aha_phrases("Hold on!", ["hold on"]) == ["hold on"]
    with pytest.raises(ConfigError):
        metrics.find_aha_phrases("x", [])


def test_length_stats_shares_and_buckets():
    assert metrics.length_stats([3, 1, 2]) == {"mean": 2.0, "median": 2, "min": 1, "max": 3,
                                               "p90": 3}
    assert metrics.status_shares(["a", "b", "b", "b"]) == {"b": 0.75, "a": 0.25}
    assert [metrics.count_bucket(v, (1, 10, 100)) for v in (0, 5, 10, 999)] == [
        "0", "1-9", "10-99", ">=100"]


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
    ((1, 2), 3): ["<think>a</think>\n<answer>1+2</answer>",
                  "<think>Wait, maybe</think>\n<answer>2-1</answer>"],
    ((3, 4), 12): ["no answer here",
                   "<think>hmm</think>\n<answer>3*4</answer>"],
    ((2, 5, 7), 70): ["<answer>2*5*7</answer>",
                      "<think>x</think><answer>2*5*7</answer>"],
}


@pytest.fixture(scope="module")
def scripted_report():
    policy = ScriptedPolicy(TABLE)
    sampling = SamplingConfig(temperature=1.0, num_samples=2, seed=9)
    report = evaluate(policy, TASKS, sampling=sampling, batch_size=2, progress=False,
                      metadata={"note": "hand"})
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
        "2": {"n": 2, "accuracy": 0.5, "mean_length": pytest.approx(
            sum(len(c) for c in TABLE[((1, 2), 3)] + TABLE[((3, 4), 12)]) / 4),
            "aha_rate": 0.5},
        "3": {"n": 1, "accuracy": 1.0, "mean_length": pytest.approx(
            sum(len(c) for c in TABLE[((2, 5, 7), 70)]) / 2), "aha_rate": 0.0},
    }
    lengths = [len(c) for t in TASKS for c in TABLE[(tuple(t.nums), t.target)]]
    correct = [True, False, False, True, True, True]
    assert report.length["chars"]["max"] == max(lengths)
    assert report.length_correlation["chars"] == pytest.approx(
        metrics.point_biserial(lengths, correct))
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
    with pytest.raises(ConfigError, match="not a policy name"):
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
        evaluate(Short(TABLE), TASKS, sampling=SamplingConfig(temperature=1, num_samples=2),
                 progress=False)


def test_solver_and_random_policies_end_to_end():
    tasks = generate(30, seed=5, rate=True)
    solver = evaluate("solver", tasks, progress=False)
    assert solver.accuracy == 1.0 and solver.status_counts == {"correct": 30}
    assert {"n_nums", "n_solutions", "search_nodes"} <= set(solver.by_difficulty)
    floor = evaluate("random", tasks, template="compact", progress=False,
                     sampling=SamplingConfig(temperature=1.0, num_samples=4))
    assert 0.0 <= floor.accuracy < 0.5
    assert floor.pass_at_k["4"] >= floor.accuracy


def test_transformers_policy_end_to_end_with_token_lengths():
    pytest.importorskip("transformers")
    from agents.models import TransformersPolicy
    from agents.tiny import TinyModelConfig, build_model, build_tokenizer

    tokenizer = build_tokenizer()
    model = build_model(tokenizer, seed=0, config=TinyModelConfig(
        hidden_size=32, num_layers=1, num_heads=2, intermediate_size=64))
    policy = TransformersPolicy(model, tokenizer, name="micro", device="cpu")
    report = evaluate(policy, generate(12, seed=1), batch_size=5, progress=False)
    assert report.template == "compact" and report.n == 12
    assert sum(report.status_counts.values()) == 12
    assert report.length["tokens"]["max"] <= 24
    # Generated tokens as counted by the policy: one per character in the embedded
    # tokenizer, plus EOS and any special tokens decoding skips.
    assert all(r["length"] <= r["length_tokens"] <= 24 for r in report.records)


def test_training_curves_plot_whichever_metrics_exist(tmp_path):
    rows = [{"step": s, "reward": s / 10, "rewards/correctness_reward/mean": s / 20,
             "completions/mean_length": 10 - s, "format_violation_rate": 1 / s,
             "eval_accuracy": s / 30, "aha_rate": 0.1, "learning_rate": 3e-4,
             "reward_std": 0.2} for s in range(1, 6)]
    rows.append({"train_runtime": 12.0})  # no step: skipped
    paths = plot_training_curves(rows, tmp_path)
    assert [p.name for p in paths] == ["training_reward.png", "training_accuracy.png",
                                       "training_format.png", "training_length.png",
                                       "training_aha.png"]
    assert all(p.read_bytes()[:8] == PNG_MAGIC for p in paths)
    assert plot_training_curves([{"step": 1, "loss": 0.3}], tmp_path / "none") == []
