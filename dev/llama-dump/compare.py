#!/usr/bin/env python3
"""Compares ponder's intermediate tensors with llama.cpp's, layer by layer, bit for bit.

Usage: compare.py PONDER_DIR LLAMA_DIR LAYERS [--gemma]

Prints, per tensor that differs, how many values differ and the largest difference. The first
line printed is where the two forward passes part. For a name llama.cpp writes several times,
the last write (after reshape/rope) is the one ponder reports.
"""
import glob, os, re, sys
import numpy as np

ours, theirs, layers = sys.argv[1], sys.argv[2], int(sys.argv[3])
gemma = "--gemma" in sys.argv
names = ["attn_norm", "Qcur", "Kcur", "Vcur", "kqv_out", "ffn_inp", "ffn_swiglu", "ffn_geglu", "l_out"]
renamed = {"ffn_inp": "sa_out"} if gemma else {}

def last_write(name):
    files = glob.glob(f"{theirs}/{name}.bin") + glob.glob(f"{theirs}/{name}#*.bin")
    files.sort(key=lambda f: int(re.search(r"#(\d+)\.bin$", f).group(1)) if "#" in f else 0)
    return files[-1] if files else None

same = True
for layer in range(layers):
    for name in names:
        mine = f"{ours}/{name}-{layer}.bin"
        other = last_write(f"{renamed.get(name, name)}-{layer}")
        if not os.path.exists(mine) or other is None or (gemma and name == "Qcur"):
            continue
        a, b = np.fromfile(mine, dtype=np.float32), np.fromfile(other, dtype=np.float32)
        if a.size != b.size:
            continue  # llama.cpp keeps only the last row in the last layer
        differ = int((a != b).sum())
        if differ:
            same = False
            print(f"{name}-{layer}: {differ}/{a.size} values differ, max |Δ| {np.abs(a - b).max():.3g}")
print("identical" if same else "")
