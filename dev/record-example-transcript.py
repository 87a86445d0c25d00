#!/usr/bin/env python3
"""Records a real conversation through ponder's TUI as an example for Transcripts/.

It drives the real binary in a private tmux server, exactly as a user would: `ponder --model M`
(the embedded engine; by default SmolLM2-135M-Instruct Q4_1 from ~/.cache/ponder/models) with
greedy sampling, types each message, switches reasoning with `/think on|off` when a turn asks
for it, waits for the reply to finish (ponder autosaves after every reply), quits with Ctrl-Q and
copies the transcript ponder wrote, untouched, into the output folder.

usage: record-example-transcript.py OUT_DIR [--model M.gguf] [--budget N] [--max-tokens N] TURN...
  TURN is `on:TEXT` or `off:TEXT`: the think mode for that reply, and the message.
example:
  dev/record-example-transcript.py Transcripts --budget 48 'off:What is the capital of France?' \\
      'on:And of Italy?'
"""
import argparse, glob, json, os, shlex, shutil, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_MODEL = os.path.expanduser("~/.cache/ponder/models/SmolLM2-135M-Instruct.Q4_1.gguf")


class Tmux:
    def __init__(self, command, width=120, height=40):
        self.socket = "ponder-record-%d" % os.getpid()
        self.run("new-session", "-d", "-s", "rec", "-x", str(width), "-y", str(height), command)

    def run(self, *args):
        return subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args],
                              check=True, capture_output=True, text=True).stdout

    def screen(self):
        return self.run("capture-pane", "-p", "-t", "rec:0").rstrip("\n").split("\n")

    def type(self, text):
        self.run("send-keys", "-t", "rec:0", "-l", text)

    def press(self, *keys):
        self.run("send-keys", "-t", "rec:0", *keys)

    def wait(self, what, condition, timeout=300):
        deadline = time.time() + timeout
        while True:
            rows = self.screen()
            if condition(rows):
                return rows
            if time.time() > deadline:
                sys.exit("timed out waiting for %s; the screen:\n%s" % (what, "\n".join(rows)))
            time.sleep(0.05)

    def close(self):
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def saved_replies(folder):
    """The assistant messages of the one transcript ponder autosaved in `folder`, finished ones only."""
    files = glob.glob(os.path.join(folder, "*.json"))
    if len(files) != 1:
        return [], None
    try:
        with open(files[0], encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError):
        return [], None  # caught between writes cannot happen (atomic rename), but be safe
    replies = [m for m in doc.get("messages", []) if m["role"] == "assistant" and "duration" in m]
    return replies, files[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out_dir")
    parser.add_argument("turns", nargs="+")
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--budget", type=int)
    parser.add_argument("--max-tokens", type=int, default=160)
    parser.add_argument("--ponder", default=os.path.join(ROOT, ".build/release/ponder"))
    args = parser.parse_args()
    turns = []
    for turn in args.turns:
        mode, _, text = turn.partition(":")
        if mode not in ("on", "off") or not text:
            sys.exit("turn %r: expected on:TEXT or off:TEXT" % turn)
        turns.append((mode, text))

    work = tempfile.mkdtemp(prefix="ponder-record-")
    transcripts = os.path.join(work, "transcripts")
    os.makedirs(os.path.join(work, "config"))
    flags = ["--model", args.model, "--transcripts", transcripts, "--think", turns[0][0],
             "--temperature", "0", "--max-tokens", str(args.max_tokens)]
    if args.budget:
        flags += ["--think-budget", str(args.budget)]
    command = "env LANG=C.UTF-8 TERM=tmux-256color XDG_CONFIG_HOME=%s %s; echo EXIT=$?; sleep 60" % (
        shlex.quote(os.path.join(work, "config")), shlex.join([args.ponder] + flags))
    tmux = Tmux(command)
    try:
        model_name = os.path.basename(args.model)[:-5]
        tmux.wait("the model to load", lambda rows: model_name[:12] in rows[-1], timeout=120)
        mode = turns[0][0]
        for number, (wanted, text) in enumerate(turns, start=1):
            if wanted != mode:
                tmux.type("/think " + wanted)
                tmux.press("Enter")
                tmux.wait("think: " + wanted, lambda rows: ("think: %s " % wanted) in rows[-1])
                mode = wanted
            tmux.type(text)
            tmux.press("Enter")
            deadline = time.time() + 600
            while len(saved_replies(transcripts)[0]) < number:
                if time.time() > deadline:
                    sys.exit("reply %d never finished; the screen:\n%s" % (number, "\n".join(tmux.screen())))
                time.sleep(0.1)
            print("reply %d (think %s) saved" % (number, wanted), file=sys.stderr)
        tmux.press("C-q")
        tmux.wait("ponder to exit", lambda rows: any(r.startswith("EXIT=") for r in rows), timeout=30)
        _, saved = saved_replies(transcripts)
        target = os.path.join(args.out_dir, os.path.basename(saved))
        shutil.copyfile(saved, target)
        print(target)
    finally:
        tmux.close()
        shutil.rmtree(work, ignore_errors=True)


main()
