#!/usr/bin/env python3
"""What the chat UI costs while a reply streams, with an empty and with a long conversation.

Issue 12, point 6: "the UI does not slow down with the conversation". This drives the real
binary exactly as a user would: `ponder --server URL` in a private tmux server (120x40), once
with a new conversation and once with `--resume` of a 5,000-message transcript (every reply with
a reasoning trace, written here in ponder's transcript format), against a loopback
OpenAI-compatible server written below that streams N small deltas (a trace, then an answer),
one every `--interval` seconds. For each run it reads ponder's utime+stime from /proc/PID/stat:

- stream: from the moment the reply's first delta is on screen until the last one is (the
  server holds the rest of the stream back at both ends until the script has read the clock),
  so it is the cost of receiving, parsing, reducing and drawing the N deltas and nothing else;
- exchange: from just before Enter until ponder is idle again after saving the reply (building
  and sending the request and the save are in it, so this grows with the conversation by design).

ponder writes the monotonic time of every frame it draws to PONDER_FRAME_LOG at exit; frames
between the first and the last delta give the redraw rate (capped at 60 per second).
The two conditions alternate for `--rounds` rounds; medians are printed as Markdown table rows.
Then the SSE client's parse speed: `ponder bench-stream` (hidden) parses a recorded llama-server
stream of small `delta.content` chunks (Tests/Fixtures/llama-server/plain-stream.sse) over and
over, one part per event, and reports chunks per CPU second.

usage: dev/ui-bench.py [--ponder .build/release/ponder] [--rounds 5] [--tokens 2000]
                       [--messages 5000] [--interval 0.001] [--repeat 10000]
Python 3 standard library only; needs tmux.
"""
import argparse, datetime, http.server, json, os, random, shlex, shutil, statistics, subprocess, sys
import tempfile, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MODEL = "bench-model"
START_MARK = "BENCHSTART"
END_MARK = "BENCHEND"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

WORDS = ("the of and to in is that for it as with was on be by this are from at or an which not have "
         "but all were when we there can more if will one about so some what into them would out only "
         "prime number divisor check small odd even square root product factor seven thirteen eleven "
         "model token trace answer reason step first next then therefore because since given assume "
         "case value result sum count list item table code line function return call loop index array "
         "string byte width height frame screen window layout cache block message reply stream server "
         "client parse chunk delta event buffer queue thread lock state reduce render draw cell grid").split()


def words(rng, count):
    return " ".join(rng.choice(WORDS) for _ in range(count))


# --- The transcript ------------------------------------------------------------------------

def make_transcript(path, count, seed=12):
    """`count` messages, user and assistant in turn; every reply has a reasoning trace of a few
    lines and a Markdown answer (a list or code now and then), as ponder writes them."""
    rng = random.Random(seed)
    start = datetime.datetime(2026, 12, 1, 9, 0, 0, tzinfo=datetime.timezone.utc)

    def stamp(seconds):
        t = start + datetime.timedelta(seconds=seconds)
        return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)

    messages = []
    for index in range(count):
        date = stamp(index * 7)
        if index % 2 == 0:
            messages.append({"role": "user", "date": date, "content": words(rng, rng.randint(6, 30)).capitalize() + "?"})
            continue
        trace = "\n".join(words(rng, rng.randint(10, 24)).capitalize() + "." for _ in range(rng.randint(2, 6)))
        kind = index % 6
        if kind == 1:
            answer = "\n".join("- " + words(rng, rng.randint(3, 9)) for _ in range(rng.randint(2, 5)))
        elif kind == 3:
            answer = words(rng, 12).capitalize() + ":\n\n```python\ndef f(x):\n    return x * %d\n```\n" % index
        else:
            answer = " ".join(words(rng, rng.randint(8, 20)).capitalize() + "." for _ in range(rng.randint(1, 4)))
            answer = answer.replace(" prime ", " **prime** ", 1)
        messages.append({
            "role": "assistant", "date": date, "think": "on",
            "reasoning_tokens": len(trace.split()), "content_tokens": len(answer.split()),
            "time_to_first_token": 0.25, "reasoning_duration": 1.5, "duration": 3.0, "stopped": False,
            "reasoning": trace, "content": answer,
        })
    doc = {
        "format": "ponder.transcript", "version": 2, "title": messages[0]["content"][:60] if messages else "",
        "created": stamp(0), "updated": stamp(count * 7),
        "backend": {"kind": "remote", "model": MODEL, "server_url": "http://127.0.0.1"},
        "settings": {"think": {"mode": "on"}},
        "messages": messages,
    }
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")


# --- The server ----------------------------------------------------------------------------

class Exchange:
    """One streamed reply, held back at its start and its end until the script says go."""

    def __init__(self, deltas, interval):
        self.deltas = deltas
        self.interval = interval
        self.go = threading.Event()      # the script read the clock after the first delta showed
        self.sent = threading.Event()    # every delta is out
        self.finish = threading.Event()  # the script read the clock after the last delta showed
        self.requests = 0


def stream_deltas(count, seed=5):
    """`count` small deltas: the first half a trace, the rest an answer with some Markdown.
    Words are drawn at random, so ponder's loop guard does not see a repeating reply."""
    rng = random.Random(seed)
    deltas = [("reasoning_content", START_MARK)]
    for index in range(1, count - 1):
        field = "reasoning_content" if index < count // 2 else "content"
        word = rng.choice(WORDS)
        if index % 11 == 0:
            piece = ".\n" if field == "reasoning_content" else "\n\n- "
        elif index % 37 == 0 and field == "content":
            piece = " **" + word + "**"
        else:
            piece = " " + word
        deltas.append((field, piece))
    deltas.append(("content", " " + END_MARK))
    return deltas


def chunk(delta=None, finish=None, usage=None):
    body = {"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1796000000, "model": MODEL,
            "choices": [] if usage else [{"index": 0, "delta": delta or {}, "finish_reason": finish}]}
    if usage:
        body["usage"] = usage
    return ("data: " + json.dumps(body, separators=(",", ":")) + "\n\n").encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, content_type="application/json"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True

    def do_GET(self):
        if self.path == "/v1/models":
            self.reply(200, json.dumps({"object": "list", "data": [{"id": MODEL, "object": "model"}]}))
        else:
            self.reply(404, '{"error": "not found"}')

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        if self.path != "/v1/chat/completions":
            self.reply(404, '{"error": "not found"}')
            return
        exchange = self.server.exchange
        exchange.requests += 1
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()

        def send(data):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

        try:
            send(chunk({"role": "assistant", "content": None}))
            deltas = exchange.deltas
            send(chunk({deltas[0][0]: deltas[0][1]}))
            exchange.go.wait(120)
            next_time = time.monotonic()
            for field, text in deltas[1:]:
                next_time += exchange.interval
                pause = next_time - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                send(chunk({field: text}))
            exchange.sent.set()
            exchange.finish.wait(120)
            send(chunk(finish="stop"))
            send(chunk(usage={"prompt_tokens": 100, "completion_tokens": len(deltas), "total_tokens": 100 + len(deltas)}))
            send(b"data: [DONE]\n\n")
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


# --- ponder in tmux ------------------------------------------------------------------------

class Tmux:
    def __init__(self, command, width, height):
        self.socket = "ponder-uibench-%d" % os.getpid()
        self.run("new-session", "-d", "-s", "bench", "-x", str(width), "-y", str(height), command)

    def run(self, *args):
        return subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args],
                              check=True, capture_output=True, text=True).stdout

    def screen(self):
        return self.run("capture-pane", "-p", "-t", "bench:0").rstrip("\n").split("\n")

    def type(self, text):
        self.run("send-keys", "-t", "bench:0", "-l", text)

    def press(self, *keys):
        self.run("send-keys", "-t", "bench:0", *keys)

    def wait(self, what, condition, timeout=120, poll=0.02):
        deadline = time.monotonic() + timeout
        while True:
            rows = self.screen()
            if condition(rows):
                return rows
            if time.monotonic() > deadline:
                raise RuntimeError("timed out waiting for %s; the screen:\n%s" % (what, "\n".join(rows)))
            time.sleep(poll)

    def close(self):
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def cpu_seconds(pid):
    """utime + stime of the whole process (every thread), in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def wait_idle(pid, quiet=0.5, timeout=60):
    """Until the process has used no CPU for `quiet` seconds."""
    deadline = time.monotonic() + timeout
    last, since = cpu_seconds(pid), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.05)
        now = cpu_seconds(pid)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return now
    return last


def run_once(args, server, transcript, work, label):
    """One ponder process, one streamed reply. Returns the figures of this run."""
    exchange = Exchange(stream_deltas(args.tokens), args.interval)
    server.exchange = exchange
    folder = os.path.join(work, "run-%s-%d" % (label, time.monotonic_ns()))
    for sub in ("transcripts", "config", "data", "state"):
        os.makedirs(os.path.join(folder, sub))
    frames_file = os.path.join(folder, "frames.txt")
    pid_file = os.path.join(folder, "pid")
    flags = ["--server", "http://127.0.0.1:%d" % server.server_address[1], "--transcripts",
             os.path.join(folder, "transcripts"), "--think", "on"]
    if transcript:
        copy = os.path.join(folder, "transcripts", os.path.basename(transcript))
        shutil.copyfile(transcript, copy)
        flags += ["--resume", copy]
    env = {"LANG": "C.UTF-8", "TERM": "tmux-256color", "SWIFT_BACKTRACE": "interactive=no",
           "XDG_CONFIG_HOME": os.path.join(folder, "config"), "XDG_DATA_HOME": os.path.join(folder, "data"),
           "XDG_STATE_HOME": os.path.join(folder, "state"), "PONDER_FRAME_LOG": frames_file}
    command = "echo $$ > %s; exec env %s %s" % (
        shlex.quote(pid_file), " ".join("%s=%s" % (k, shlex.quote(v)) for k, v in env.items()),
        shlex.join([args.ponder] + flags))
    tmux = Tmux("sh -c %s" % shlex.quote(command), args.width, args.height)
    try:
        tmux.wait("ponder to connect", lambda rows: MODEL in rows[-1], timeout=60)
        with open(pid_file) as f:
            pid = int(f.read())
        wait_idle(pid, quiet=0.3)
        before_send = cpu_seconds(pid)
        tmux.type("Tell me about prime numbers.")
        tmux.press("Enter")
        tmux.wait("the first delta", lambda rows: any(START_MARK in row for row in rows))
        profiler = None
        if args.perf and transcript:
            profiler = subprocess.Popen(["perf", "record", "-g", "-F", "2000", "-o", args.perf, "-p", str(pid)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.5)
        stream_start = cpu_seconds(pid)
        t_start = time.monotonic()
        exchange.go.set()
        tmux.wait("the last delta", lambda rows: any(END_MARK in row for row in rows), timeout=300, poll=0.01)
        stream_end = cpu_seconds(pid)
        t_end = time.monotonic()
        if profiler:
            profiler.send_signal(2)
            profiler.wait(30)
        if not exchange.sent.is_set():
            raise RuntimeError("the end mark showed before the server sent it")
        exchange.finish.set()
        after_save = wait_idle(pid)
        tmux.press("C-q")
        deadline = time.monotonic() + 30
        while not os.path.exists(frames_file) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.1)
        with open(frames_file) as f:
            frames = [float(line) for line in f if line.strip()]
    finally:
        tmux.close()
    shown = [t for t in frames if t_start <= t <= t_end]
    peak = 0
    low = 0
    for high, t in enumerate(shown):
        while shown[low] <= t - 1.0:
            low += 1
        peak = max(peak, high - low + 1)
    seconds = t_end - t_start
    return {"stream": stream_end - stream_start, "exchange": after_save - before_send, "seconds": seconds,
            "frames": len(shown), "fps": len(shown) / seconds if seconds > 0 else 0.0, "peak": peak}


def stream_throughput(args):
    fixture = os.path.join(ROOT, "Tests/Fixtures/llama-server/plain-stream.sse")
    out = subprocess.run([args.ponder, "bench-stream", fixture, "--repeat", str(args.repeat)],
                         check=True, capture_output=True, text=True).stdout
    return out.strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ponder", default=os.path.join(ROOT, ".build/release/ponder"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--tokens", type=int, default=2000)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--interval", type=float, default=0.001, help="seconds between deltas")
    parser.add_argument("--width", type=int, default=120)
    parser.add_argument("--height", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=10000, help="passes over the recorded stream")
    parser.add_argument("--skip-ui", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="print every run")
    parser.add_argument("--perf", metavar="FILE", help="perf record -g ponder during the long conversation's stream into FILE")
    args = parser.parse_args()
    if not os.access(args.ponder, os.X_OK):
        sys.exit("no ponder binary at %s (make build)" % args.ponder)

    rows = []
    if not args.skip_ui:
        work = tempfile.mkdtemp(prefix="ponder-uibench-")
        server = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            transcript = os.path.join(work, "long-conversation.json")
            make_transcript(transcript, args.messages)
            results = {"empty": [], "long": []}
            for round_number in range(args.rounds):
                order = ["empty", "long"] if round_number % 2 == 0 else ["long", "empty"]
                for label in order:
                    result = run_once(args, server, transcript if label == "long" else None, work, label)
                    results[label].append(result)
                    if args.verbose:
                        print("round %d %-5s stream %.2f s CPU in %.2f s, exchange %.2f s, %d frames (%.1f/s, peak %d in 1 s)" % (
                            round_number + 1, label, result["stream"], result["seconds"], result["exchange"],
                            result["frames"], result["fps"], result["peak"]), file=sys.stderr)
        finally:
            server.shutdown()
            shutil.rmtree(work, ignore_errors=True)

        def median(label, key):
            return statistics.median(r[key] for r in results[label])

        n = args.rounds
        empty, long = median("empty", "stream"), median("long", "stream")
        rows.append("| UI CPU per %s-token stream (medians of %d rounds) | empty %.2f s | %s messages %.2f s | ratio %.2f× |" % (
            format(args.tokens, ","), n, empty, format(args.messages, ","), long, long / empty if empty else float("nan")))
        empty, long = median("empty", "exchange"), median("long", "exchange")
        rows.append("| UI CPU per exchange, Enter to saved (request and save included) | empty %.2f s | %s messages %.2f s | ratio %.2f× |" % (
            empty, format(args.messages, ","), long, long / empty if empty else float("nan")))
        rows.append("| Frames drawn per second while streaming (cap 60) | empty %.1f/s (peak %d in 1 s) | %s messages %.1f/s (peak %d in 1 s) | stream %.2f s |" % (
            median("empty", "fps"), max(r["peak"] for r in results["empty"]), format(args.messages, ","),
            median("long", "fps"), max(r["peak"] for r in results["long"]), median("long", "seconds")))
    rows.append(stream_throughput(args))
    print("\n".join(rows))


main()
