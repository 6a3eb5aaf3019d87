"""TRL reward functions: both completion formats, bad completions, kwargs, pickling, TinyZero."""

import pickle

import pytest

from verifiers import CountdownVerifier, rewards
from verifiers.rewards import (
    combine_rewards,
    correctness_reward,
    format_reward,
    get_correctness_reward,
    get_format_reward,
    get_partial_credit_reward,
    get_tinyzero_reward,
    get_verifier_reward,
    tinyzero_reward,
)

TRL_KWARGS = {
    "prompts": ["p"] * 3,
    "completion_ids": [[1, 2]] * 3,
    "trainer_state": object(),
    "log_extra": lambda *a, **k: None,
    "log_metric": lambda *a, **k: None,
    "environments": None,
    "difficulty": [1, 2, 3],
}


def _chat(text):
    return [{"role": "assistant", "content": text}]


def test_string_and_message_completions():
    completions = [
        "<answer>6*4</answer>",
        _chat("<answer>6*4</answer>"),
        _chat("<answer>6+4</answer>"),
    ]
    assert correctness_reward(completions, nums=[[4, 6]] * 3, target=[24] * 3, **TRL_KWARGS) == [
        1.0,
        1.0,
        0.0,
    ]


def test_last_assistant_message_and_content_parts():
    conversation = [
        {"role": "assistant", "content": "<answer>6*4</answer>"},
        {"role": "tool", "content": "<answer>6*4</answer>"},
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "<answer>6+"},
                {"type": "image", "url": "x"},
                {"type": "text", "text": "4</answer>"},
            ],
        },
    ]
    assert correctness_reward([conversation], nums=[[4, 6]], target=[10]) == [1.0]
    only_user = [{"role": "user", "content": "<answer>6*4</answer>"}]
    assert correctness_reward([only_user], nums=[[4, 6]], target=[24]) == [0.0]


@pytest.mark.parametrize(
    "bad",
    [
        None,
        42,
        b"<answer>6*4</answer>",
        [],
        [None],
        {"x": 1},
        [{"role": "assistant", "content": None}],
        [{"role": "assistant", "content": [{"type": "image"}]}],
    ],
)
def test_non_text_completions_score_zero(bad):
    for reward in (
        correctness_reward,
        tinyzero_reward,
        format_reward,
        get_partial_credit_reward(),
        get_verifier_reward(CountdownVerifier()),
    ):
        assert reward([bad], nums=[[4, 6]], target=[24]) == [0.0]


def test_missing_or_mismatched_columns_raise():
    with pytest.raises(ValueError, match="'nums'"):
        correctness_reward(["<answer>1</answer>"], target=[1])
    with pytest.raises(ValueError, match="'target'"):
        tinyzero_reward(["<answer>1</answer>"], nums=[[1]])
    with pytest.raises(ValueError, match="2 entries but there are 1"):
        correctness_reward(["<answer>1</answer>"], nums=[[1], [1]], target=[1])
    with pytest.raises(TypeError):
        correctness_reward("<answer>1</answer>", nums=[[1]], target=[1])


def test_tinyzero_defects_are_fixed():
    nums, target = [[2, 3, 4]], [14]
    cases = {
        "<answer>2+3*4</answer>": 1.0,
        "<answer>\n2 + 3 * 4\n</answer>": 1.0,  # answer split over lines
        "<answer>2+3*4</answer>\nHope this helps!": 1.0,  # answer not on the last line
        "<answer>2+3*4 = 14</answer>": 1.0,  # trailing '= target'
        "<answer>2+3×4</answer>": 1.0,  # Unicode times
        "<answer>(2+3)*4 ÷ 2 - 2 - 2 - 2</answer>": 0.1,  # wrong numbers, but tagged
        "<answer>2**3+3*2</answer>": 0.1,  # power: refused
        "no tag at all 2+3*4": 0.0,
        "<answer>2+3*4": 0.0,  # unclosed
        "<answer></answer>": 0.1,  # a tag, as TinyZero counts it
    }
    for completion, expected in cases.items():
        assert tinyzero_reward([completion], nums=nums, target=target) == [expected], completion
    assert tinyzero_reward(
        ["<answer>23+1/(50*60*70)</answer>"], nums=[[23, 1, 50, 60, 70]], target=[23]
    ) == [0.1]


def test_format_reward():
    good = "<think>5+3 is 8</think>\n<answer>5+3</answer>"
    assert format_reward(
        [
            good,
            _chat(good),
            "5+3</think><answer>5+3</answer>",
            "<think>a</think><answer></answer>",
            "<think>a</think><answer>1</answer><answer>5+3</answer>",
            None,
        ]
    ) == [1.0, 1.0, 1.0, 0.0, 0.0, 0.0]
    split = [
        {"role": "assistant", "reasoning_content": "5+3 is 8", "content": "<answer>5+3</answer>"}
    ]
    assert format_reward([split]) == [1.0]
    strict = get_format_reward(allow_implicit_think=False)
    assert strict(["5+3</think><answer>5+3</answer>"]) == [0.0]


def test_factories_and_names():
    boxed = get_correctness_reward("boxed", exact_use=False)
    assert boxed.__name__ == "correctness_reward"
    assert boxed([r"so \boxed{25*4}"], nums=[[25, 4, 3]], target=[100]) == [1.0]
    bare = get_correctness_reward("bare")
    assert bare([" 25*4 "], nums=[[25, 4]], target=[100]) == [1.0]
    custom = get_correctness_reward(lambda text: text.rpartition("=>")[2])
    assert custom(["so => 25*4"], nums=[[25, 4]], target=[100]) == [1.0]
    tz = get_tinyzero_reward(format_score=0.2, integer_intermediates=True)
    assert tz.__name__ == "tinyzero_reward"
    assert tz(["<answer>7/2*2</answer>"], nums=[[7, 2, 2]], target=[7]) == [0.2]
    assert get_format_reward().__name__ == "format_reward"
    assert get_partial_credit_reward().__name__ == "partial_credit_reward"
    with pytest.raises(rewards.ConfigError):
        get_partial_credit_reward(cap=1.0)
    with pytest.raises(rewards.ConfigError):
        get_tinyzero_reward(format_score=float("nan"))
    with pytest.raises(Exception, match="unknown rule"):
        get_correctness_reward(exact=True)


def test_partial_credit_formula():
    reward = get_partial_credit_reward(cap=0.5)
    nums = [[5, 90]] * 4 + [[5, 90, 5]]
    scores = reward(
        [
            "<answer>90+5</answer>",
            "<answer>90*5</answer>",
            "<answer>95</answer>",
            "<answer>90+5+5</answer>",
            "<answer>(90+5)/5</answer>",
        ],
        nums=nums,
        target=[100, 100, 95, 100, 19],
    )
    assert scores == [pytest.approx(0.475), 0.0, 0.0, 0.0, 1.0]


def test_verifier_reward_and_combination():
    bare = get_verifier_reward(
        CountdownVerifier(extractor="bare"), name="bare_reward", wrong_score=-1.0
    )
    assert bare.__name__ == "bare_reward"
    assert bare(["3*5", "3+5"], nums=[[3, 5]] * 2, target=[15, 15]) == [1.0, -1.0]
    both = combine_rewards([(correctness_reward, 1.0), (format_reward, 0.5)], name="total")
    assert both.__name__ == "total"
    scored = both(
        ["<think>ok</think><answer>2*3</answer>", "<answer>2*3</answer>", None],
        nums=[[2, 3]] * 3,
        target=[6] * 3,
        **TRL_KWARGS,
    )
    assert scored == [1.5, 1.0, 0.0]

    def not_applicable(completions, **kwargs):
        return [None] * len(completions)

    assert combine_rewards([(not_applicable, 1.0)])(["x"]) == [None]

    def wrong_length(completions, **kwargs):
        return [1.0]

    with pytest.raises(ValueError, match="returned 1 scores"):
        combine_rewards([(wrong_length, 1.0)])(["a", "b"])
    with pytest.raises(rewards.ConfigError):
        combine_rewards([])


def test_rewards_survive_pickle():
    for reward in (
        correctness_reward,
        tinyzero_reward,
        format_reward,
        get_correctness_reward("boxed", exact_use=False),
        get_tinyzero_reward(0.2),
        get_format_reward(require_think=False),
        get_partial_credit_reward(0.3),
        get_verifier_reward(CountdownVerifier(), name="v"),
        combine_rewards([(correctness_reward, 1.0), (format_reward, 0.1)]),
    ):
        copy = pickle.loads(pickle.dumps(reward))
        assert copy.__name__ == reward.__name__
        assert copy(["<think>x</think><answer>2*3</answer>"], nums=[[2, 3]], target=[6]) == (
            reward(["<think>x</think><answer>2*3</answer>"], nums=[[2, 3]], target=[6])
        )


def test_rewards_work_in_trl_naming():
    pytest.importorskip("trl")
    from trl.trainer.utils import get_callable_name, is_async_callable

    for reward in (
        correctness_reward,
        get_tinyzero_reward(),
        combine_rewards([(format_reward, 1.0)], name="fmt"),
    ):
        assert get_callable_name(reward) == reward.__name__
        assert not is_async_callable(reward)


def test_whole_float_columns_count_as_integers():
    # A pandas or parquet round trip turns an int column with gaps into floats.
    np = pytest.importorskip("numpy")
    completions = ["<answer>1+2</answer>", "<answer>3*4</answer>"]
    nums = [[1.0, 2.0], np.array([3.0, 4.0])]
    target = [3.0, np.float64(12)]
    for reward in (
        correctness_reward,
        tinyzero_reward,
        get_partial_credit_reward(),
        get_verifier_reward(CountdownVerifier()),
    ):
        assert reward(completions, nums=nums, target=target) == [1.0, 1.0]
    assert get_partial_credit_reward()(["<answer>1+2</answer>"], nums=[[1, 2]], target=[4.0]) == [
        pytest.approx(0.375)
    ]


@pytest.mark.parametrize(
    ("nums", "target", "message"),
    [
        ([[1, 2]], [3.5], r"target\[0\] is 3.5, not a whole number"),
        ([[1, 2.5]], [3], r"nums\[0\]\[1\] is 2.5, not a whole number"),
    ],
)
def test_fractional_columns_are_a_data_bug(nums, target, message):
    with pytest.raises(ValueError, match=message):
        correctness_reward(["<answer>1+2</answer>"], nums=nums, target=target)


def test_verifier_must_return_a_verdict():
    reward = get_verifier_reward(lambda completion, nums, target: True)
    with pytest.raises(
        TypeError,
        match=r"the verifier \S*<lambda> returned bool True, expected a verifiers\.Verdict",
    ):
        reward(["1+2"], nums=[[1, 2]], target=[3])
    assert reward([None], nums=[[1, 2]], target=[3]) == [0.0]  # no text: the verifier is not asked


def test_combined_reward_refuses_non_finite_components_and_takes_positional_columns():
    # NaN from one user component used to pass straight into GRPO's group baseline.
    import numpy as np

    from verifiers import rewards

    def nan(completions, **kwargs):
        return [float("nan")] * len(completions)

    def text(completions, **kwargs):
        return ["1"] * len(completions)

    batch, columns = ["<answer>25+3*7</answer>"], {"nums": [[3, 7, 25]], "target": [46]}
    for bad in (nan, text):
        combined = rewards.combine_rewards([(rewards.correctness_reward, 1.0), (bad, 1.0)])
        with pytest.raises(ValueError, match=f"component '{bad.__name__}' returned"):
            combined(batch, **columns)
    half = rewards.combine_rewards([(rewards.correctness_reward, np.float32(0.5))])
    assert half(batch, [[3, 7, 25]], [46]) == [0.5]  # positionally, like the other rewards
