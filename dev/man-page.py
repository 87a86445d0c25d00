#!/usr/bin/env python3
"""ponder.1, generated from the argument parser: `ponder --experimental-dump-help` prints
swift-argument-parser's model of every command (its ToolInfo JSON: names, abstracts,
discussions, arguments with their names, value names and defaults), and this turns it into a
man page (man(7) macros), one section per subcommand. `make install` runs it.

    dev/man-page.py .build/release/ponder > ponder.1
"""
import datetime
import json
import subprocess
import sys


def escape(line):
    line = line.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + line if line.startswith((".", "'")) else line


def roff(text):
    """Text as roff, line for line as the help prints it: indented lines (examples) unfilled,
    other lines filled but each starting a new line, blank lines as paragraph breaks."""
    out, literal = [], False
    for line in text.split("\n"):
        if line.startswith(" ") and line.strip():
            if not literal:
                out.append(".nf")
                literal = True
            out.append(escape(line))
            continue
        if literal:
            out.append(".fi")
            literal = False
        if not line.strip():
            out.append(".PP")
        else:
            if out and out[-1] not in (".PP", ".fi"):
                out.append(".br")
            out.append(escape(line))
    if literal:
        out.append(".fi")
    return "\n".join(out)


def flag_names(argument):
    names = []
    for name in argument.get("names", []):
        dashes = "--" if name["kind"] == "long" else "-"
        names.append("\\fB" + dashes + name["name"].replace("-", "\\-") + "\\fR")
    return ", ".join(names)


def arguments(command):
    lines = []
    for argument in command.get("arguments", []):
        if not argument.get("shouldDisplay", True):
            continue
        value = argument.get("valueName", "")
        if argument["kind"] == "positional":
            head = "\\fI" + value + "\\fR"
        elif argument["kind"] == "option":
            head = flag_names(argument) + " \\fI" + value + "\\fR"
        else:
            head = flag_names(argument)
        text = argument.get("abstract", "")
        if "defaultValue" in argument and argument["kind"] != "flag":
            text += " (default: " + str(argument["defaultValue"]) + ")"
        lines += [".TP", head, roff(text)]
    return lines


def main():
    binary = sys.argv[1]
    tool = json.loads(subprocess.run([binary, "--experimental-dump-help"], check=True, capture_output=True).stdout)
    version = subprocess.run([binary, "--version"], check=True, capture_output=True, text=True).stdout.strip()
    root = tool["command"]
    name = root["commandName"]
    date = datetime.date.today().isoformat()
    page = [f'.TH {name.upper()} 1 "{date}" "{roff(version)}" "User Commands"',
            ".SH NAME", f"{name} \\- {roff(root.get('abstract', ''))}",
            ".SH SYNOPSIS", f"\\fB{name}\\fR [\\fIsubcommand\\fR] [\\fIoptions\\fR]",
            ".SH DESCRIPTION", roff(root.get("discussion", ""))]
    options = arguments(root)
    if options:
        page += [".SH OPTIONS"] + options
    page.append(".SH COMMANDS")
    for sub in root.get("subcommands", []):
        if not sub.get("shouldDisplay", True) or sub["commandName"] == "help":
            continue
        page += [f'.SS "{name} {sub["commandName"]}"', roff(sub.get("abstract", ""))]
        if sub.get("discussion"):
            page += [".PP", roff(sub["discussion"])]
        for nested in sub.get("subcommands", []):
            if nested.get("shouldDisplay", True) and nested["commandName"] != "help":
                page += [".TP", f"\\fB{name} {sub['commandName']} {nested['commandName']}\\fR", roff(nested.get("abstract", ""))]
                page += arguments(nested)
        page += arguments(sub)
    page += [".SH FILES", "$XDG_CONFIG_HOME/ponder/config.toml, $XDG_CONFIG_HOME/ponder/themes/, "
             "$XDG_DATA_HOME/ponder/transcripts/, ~/.cache/ponder/models/",
             ".SH SEE ALSO", "The README of the source tree; \\fBponder chat \\-\\-help\\fR; F1 in the chat."]
    sys.stdout.write("\n".join(page) + "\n")


if __name__ == "__main__":
    main()
