"""The wire types of the Countdown OpenEnv server: one action, one observation, one state.

They are pydantic models derived from openenv-core's ``Action``, ``Observation`` and ``State``,
so the server validates what arrives and publishes their JSON schemas at ``GET /schema``.
"""

from __future__ import annotations

from typing import Any

from openenv.core.env_server.types import Action, Observation, State
from pydantic import Field, field_validator
from pydantic_core import PydanticCustomError

__all__ = ["CountdownAction", "CountdownObservation", "CountdownState"]


class CountdownAction(Action):
    """One action: the completion text (``Countdown-v0``), an answer (``CountdownMultiTurn-v0``)
    or a move such as ``"25 * 4"`` (``CountdownSteps-v0``).

    Anything but a string is refused with the environment's own message, before it reaches the
    environment; a string too long or with characters outside the action space is passed on and
    refused by the environment (status ``too_long`` / ``forbidden``, reward ``refused_reward``).

    >>> CountdownAction(text="<answer>25+3*7</answer>").text
    '<answer>25+3*7</answer>'
    """

    text: str = Field(description="The completion text the environment verifies.")

    @field_validator("text", mode="before")
    @classmethod
    def _text_only(cls, value: Any) -> Any:
        if not isinstance(value, str):
            # The in-process env raises InvalidActionError with the same words. A custom error
            # (not ValueError) keeps the error's context JSON-ready: openenv-core sends it back
            # as is, and an exception object in it would end the session.
            raise PydanticCustomError(
                "action_not_text",
                "an action must be a str (the completion text), got {kind}",
                {"kind": type(value).__name__},
            )
        return value


class CountdownObservation(Observation):
    """What the environment shows: the task, its prompt and, after a step, the verdict.

    ``reward`` and ``done`` (terminated or truncated) are those of the in-process environment;
    ``info`` holds the environment's whole ``info`` dict (``board`` and ``history`` of
    ``CountdownSteps-v0``, ``attempt`` of ``CountdownMultiTurn-v0``, ...).
    """

    text: str = Field(default="", description="The environment's observation string.")
    prompt: str | list[dict[str, str]] = Field(
        default="", description="The episode's prompt (text, or chat messages for chat templates)."
    )
    nums: list[int] = Field(default_factory=list, description="The task's numbers.")
    target: int | None = Field(default=None, description="The task's target.")
    task_id: str | None = Field(default=None, description="The task's id.")
    correct: bool | None = Field(default=None, description="After a step: the answer is correct.")
    status: str | None = Field(
        default=None, description="After a step: the verdict status (or the game's status)."
    )
    value: str | None = Field(default=None, description="After a step: the exact value as text.")
    expression: str | None = Field(default=None, description="After a step: the expression read.")
    reason: str | None = Field(default=None, description="After a step: one sentence why.")
    refused: bool | None = Field(
        default=None, description="After a step: the action was refused before it was checked."
    )
    terminated: bool = Field(default=False, description="The episode ended (won or lost).")
    truncated: bool = Field(default=False, description="The episode ran out of steps.")
    info: dict[str, Any] = Field(default_factory=dict, description="The env's info dict.")


class CountdownState(State):
    """The session's state: openenv's ``episode_id`` and ``step_count`` plus the task."""

    env_id: str = Field(default="", description="The Gymnasium id served.")
    nums: list[int] = Field(default_factory=list, description="The task's numbers.")
    target: int | None = Field(default=None, description="The task's target.")
    done: bool = Field(default=True, description="No episode is running (reset first).")
