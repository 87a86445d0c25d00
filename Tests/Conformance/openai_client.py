"""The official `openai` Python client against `ponder serve` (PonderServeTests).

Usage: openai_client.py BASE_URL

Runs, with the client's own parsing, a streamed reply with thinking on (chat_template_kwargs and a
thinking budget, as extra_body), the same question whole with thinking off, and a request the
server must refuse; prints one JSON object with what the client saw, for the Swift test to check.
"""
import json
import sys

import openai
from openai import OpenAI


def extra(model, name):
    """A field outside OpenAI's schema (reasoning_content), kept by the client's models."""
    return (getattr(model, "model_extra", None) or {}).get(name)


def main():
    client = OpenAI(base_url=sys.argv[1] + "/v1", api_key="unused", max_retries=0, timeout=300)
    question = [{"role": "user", "content": "How many legs do three spiders and two ants have in total?"}]

    stream = client.chat.completions.create(
        model="any", messages=question, stream=True, stream_options={"include_usage": True},
        max_tokens=96, temperature=0, seed=1,
        extra_body={"chat_template_kwargs": {"enable_thinking": True}, "thinking_budget_tokens": 24})
    kinds, reasoning, content, finish, usage, ids = [], "", "", None, None, set()
    for chunk in stream:
        ids.add(chunk.id)
        if chunk.usage is not None:
            usage = chunk.usage.model_dump()
        for choice in chunk.choices:
            piece = extra(choice.delta, "reasoning_content")
            if piece:
                reasoning += piece
                kinds.append("reasoning")
            if choice.delta.content:
                content += choice.delta.content
                kinds.append("content")
            if choice.finish_reason:
                finish = choice.finish_reason

    whole = client.chat.completions.create(
        model="any", messages=question, max_tokens=32, temperature=0,
        extra_body={"chat_template_kwargs": {"enable_thinking": False}})
    message = whole.choices[0].message

    refused = None
    try:
        client.chat.completions.create(model="any", messages=[{"role": "robot", "content": "Hi"}])
    except openai.BadRequestError as error:
        refused = {"status": error.status_code, "message": error.body.get("message") if isinstance(error.body, dict) else None}

    print(json.dumps({
        "stream": {"kinds": kinds, "reasoning": reasoning, "content": content, "finish": finish, "usage": usage,
                   "ids": len(ids)},
        "whole": {"content": message.content, "reasoning": extra(message, "reasoning_content"),
                  "finish": whole.choices[0].finish_reason, "usage": whole.usage.model_dump()},
        "refused": refused,
    }))


if __name__ == "__main__":
    main()
