"""What a reward function receives from TRL, turned into text and task columns.

TRL passes ``completions`` either as strings (standard prompts) or as message lists
(conversational prompts), and the dataset columns as keyword lists, one entry per completion.
This module reads both shapes so every reward in :mod:`verifiers.rewards` treats them alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = ["completion_text", "task_columns"]

# Where chat parsers (transformers' parse_response, vLLM) put the thinking they split off.
_REASONING_KEYS = ("reasoning_content", "reasoning", "thinking")


def _content_text(content: object) -> str | None:
    """Text of a message ``content``: a string, or the text parts of a list of parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, (list, tuple)):
        pieces = []
        for part in content:
            if isinstance(part, str):
                pieces.append(part)
            elif isinstance(part, Mapping) and part.get("type", "text") == "text":
                text = part.get("text")
                if isinstance(text, str):
                    pieces.append(text)
        # Parts are consecutive pieces of one message, so they are joined with nothing between.
        return "".join(pieces) if pieces else None
    return None


def completion_text(completion: object, *, with_reasoning: bool = False) -> str | None:
    """The text to score: the string itself, or the last assistant message's content.

    A message list is searched from the end for a message whose ``role`` is ``"assistant"``;
    its ``content`` may be a string or a list of parts (``{"type": "text", "text": ...}``;
    other part types are skipped). A single message dict is accepted too. Anything else
    (``None``, numbers, bytes, an empty list, a message without text) gives ``None``, which
    every reward scores 0.0.

    Args:
        completion: one entry of TRL's ``completions``.
        with_reasoning: when the message carries its thinking in a separate field
            (``reasoning_content``, ``reasoning`` or ``thinking``, as chat parsers do), put it
            back in front as ``<think>...</think>`` so format checks see the whole shape.

    >>> completion_text([{"role": "user", "content": "hi"},
    ...                  {"role": "assistant", "content": [{"type": "text", "text": "<answer>8"},
    ...                                                    {"type": "text", "text": "</answer>"}]}])
    '<answer>8</answer>'
    >>> completion_text(None) is None
    True
    """
    if isinstance(completion, str):
        return completion
    if isinstance(completion, Mapping):
        messages: Sequence[object] = [completion]
    elif isinstance(completion, (list, tuple)):
        messages = completion
    else:
        return None
    for message in reversed(messages):
        if isinstance(message, Mapping) and message.get("role") == "assistant":
            text = _content_text(message.get("content"))
            if with_reasoning:
                for key in _REASONING_KEYS:
                    reasoning = message.get(key)
                    if isinstance(reasoning, str) and reasoning and "</think>" not in (text or ""):
                        return f"<think>{reasoning}</think>\n{text or ''}"
            return text
    return None


def task_columns(
    reward_name: str, count: int, nums: object, target: object
) -> tuple[Sequence[object], Sequence[object]]:
    """Check that the ``nums`` and ``target`` columns are present and one per completion.

    A missing column or a length mismatch is a bug in the caller's wiring, not a bad
    completion, so it raises instead of quietly scoring zeros.

    Raises:
        ValueError: naming the reward and the column.

    >>> task_columns("correctness_reward", 1, [[1, 2]], [3])
    ([[1, 2]], [3])
    """
    for column, values in (("nums", nums), ("target", target)):
        if values is None:
            raise ValueError(
                f"{reward_name} needs the dataset column {column!r} (one entry per completion); "
                "name the dataset columns 'nums' and 'target' or pass them as keyword lists"
            )
        if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
            raise ValueError(
                f"{reward_name}: column {column!r} must be a list with one entry per completion, "
                f"got {type(values).__name__}"
            )
        if len(values) != count:
            raise ValueError(
                f"{reward_name}: column {column!r} has {len(values)} entries but there are "
                f"{count} completions; pass one entry per completion"
            )
    return nums, target  # type: ignore[return-value]
