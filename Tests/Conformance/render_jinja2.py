#!/usr/bin/env python3
"""Render chat templates with Python's jinja2 the way Hugging Face transformers does.

This is the reference side of ponder's chat-template conformance suite
(Tests/PonderEngineTests/TemplateConformanceTests.swift). It reads one JSON job list on stdin:

    {"now": "2025-07-14T09:30:00",
     "jobs": [{"id": "Qwen3/01-single-user", "template": "...", "context": {"messages": [...], ...}}]}

and writes one JSON object on stdout mapping each id to exactly one of

    {"output": "<rendered text>"}
    {"compile_error": "<message>"}          jinja2 rejects the template itself
    {"render_error": "<message>", "type": "<exception class>"}

The environment matches transformers' chat template utilities: ImmutableSandboxedEnvironment
with trim_blocks and lstrip_blocks, the loopcontrols extension, a `{% generation %}` block that
renders its body (transformers' AssistantTracker outside of assistant-mask mode), `tojson`
replaced by json.dumps with ensure_ascii=False (keys unsorted, `indent`/`separators` honoured),
and the globals raise_exception and strftime_now. strftime_now uses the fixed `now` date so both
sides of the comparison agree.
"""

import datetime
import json
import sys

import jinja2
import jinja2.ext
import jinja2.nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment


class GenerationBlock(jinja2.ext.Extension):
    """`{% generation %}...{% endgeneration %}`: renders the body unchanged."""

    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
        call = self.call_method("_render_body")
        return jinja2.nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _render_body(self, caller):
        return caller()


def make_environment(now):
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(value, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(value, ensure_ascii=ensure_ascii, indent=indent, separators=separators,
                          sort_keys=sort_keys)

    def strftime_now(fmt):
        return now.strftime(fmt)

    env = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[GenerationBlock, jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def main():
    request = json.load(sys.stdin)
    now = datetime.datetime.fromisoformat(request["now"])
    env = make_environment(now)
    compiled = {}
    results = {}
    for job in request["jobs"]:
        source = job["template"]
        if source not in compiled:
            try:
                compiled[source] = env.from_string(source)
            except Exception as error:  # jinja2 rejects the template text itself
                compiled[source] = error
        template = compiled[source]
        if isinstance(template, Exception):
            results[job["id"]] = {"compile_error": f"{type(template).__name__}: {template}"}
            continue
        try:
            results[job["id"]] = {"output": template.render(**job["context"])}
        except Exception as error:
            results[job["id"]] = {"render_error": str(error), "type": type(error).__name__}
    json.dump(results, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
