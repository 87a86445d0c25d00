#!/usr/bin/env python3
"""Reference tensors for ponder's kernel tests, produced with the Python `gguf` package.

Two commands, each writing raw block bytes and the package's dequantization of them:

  gguf_dequant.py tensors MODEL.gguf OUTDIR NAME:MAX_ROWS [NAME:MAX_ROWS ...]
      The first MAX_ROWS rows of real tensors as stored in MODEL.gguf, into OUTDIR/0, OUTDIR/1, ...
      (one JSON line each). The file is located with a small header walk (gguf.GGUFReader builds
      every metadata field and takes close to a minute on Gemma's 262k-token vocabulary).

  gguf_dequant.py generate TYPE ROWS COLS SEED OUTDIR
      Seeded random rows (normal values with a few outliers) quantized to TYPE. Types that
      gguf.quants.quantize supports (F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0) use it; the K-quants,
      which the package can only dequantize, use the simple reference quantizers below.

OUTDIR receives raw.bin (ROWS rows of block bytes), ref.f32 (gguf.quants.dequantize(raw), little-
endian float32, row-major) and, for `generate`, src.f32 (the floats before quantization). A JSON
line {"type", "rows", "cols", "row_bytes", "quantizer"} goes to stdout.

The script fails (exit 1, message on stderr) when numpy or gguf is missing: the tests that call it
must fail loudly rather than skip.
"""
import json
import os
import sys

try:
    import numpy as np
    import gguf
    from gguf import GGMLQuantizationType as T
    from gguf.quants import quantize, dequantize
except ImportError as error:  # pragma: no cover - exercised only on a broken machine
    sys.exit(f"gguf_dequant.py: the Python packages numpy and gguf are required ({error}); pip install gguf")

QK_K = 256


def rows_bytes(qtype, cols):
    block, size = gguf.GGML_QUANT_SIZES[qtype]
    return cols // block * size


# Reference quantizers for the K-quants (documented, not optimal) --------------------------------
#
# They produce valid blocks whose values cover every field (6-bit scales and mins, high bits),
# which is what a dequantization and dot-product test needs. They do not search for the best
# scales the way llama.cpp's make_qkx2_quants does.

def _pack_k4_scales(sc, mn):
    """8 six-bit scales and mins per block -> the 12-byte layout of Q4_K/Q5_K (get_scale_min_k4)."""
    out = np.zeros((sc.shape[0], 12), dtype=np.uint8)
    for j in range(4):
        out[:, j] = sc[:, j] | ((sc[:, j + 4] >> 4) << 6)
        out[:, j + 4] = mn[:, j] | ((mn[:, j + 4] >> 4) << 6)
        out[:, j + 8] = (sc[:, j + 4] & 0x0F) | ((mn[:, j + 4] & 0x0F) << 4)
    return out


def _k_scales(blocks, levels):
    """Per 32-value sub-block: q in [0, levels] with x ~ d*sc*q - dmin*m."""
    n = blocks.shape[0]
    sub = blocks.reshape(n, 8, 32)
    lo = np.minimum(sub.min(axis=-1), 0.0)
    hi = sub.max(axis=-1)
    scale = (hi - lo) / levels
    d = (scale.max(axis=-1) / 63.0).astype(np.float16)
    dmin = ((-lo).max(axis=-1) / 63.0).astype(np.float16)
    d32, dmin32 = d.astype(np.float32)[:, None], dmin.astype(np.float32)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        sc = np.where(d32 > 0, np.rint(scale / d32), 0).clip(0, 63).astype(np.uint8)
        mn = np.where(dmin32 > 0, np.rint(-lo / dmin32), 0).clip(0, 63).astype(np.uint8)
        step = (d32 * sc)[..., None]
        q = np.where(step > 0, np.rint((sub + (dmin32 * mn)[..., None]) / step), 0)
    return d, dmin, sc, mn, q.clip(0, levels).astype(np.uint8).reshape(n, 256)


def quantize_q4_K(blocks):
    d, dmin, sc, mn, q = _k_scales(blocks, 15)
    qs = np.zeros((blocks.shape[0], 128), dtype=np.uint8)
    for c in range(4):
        qs[:, 32 * c:32 * c + 32] = q[:, 64 * c:64 * c + 32] | (q[:, 64 * c + 32:64 * c + 64] << 4)
    return np.concatenate([d.view(np.uint8).reshape(-1, 2), dmin.view(np.uint8).reshape(-1, 2),
                           _pack_k4_scales(sc, mn), qs], axis=-1)


def quantize_q5_K(blocks):
    d, dmin, sc, mn, q = _k_scales(blocks, 31)
    qs = np.zeros((blocks.shape[0], 128), dtype=np.uint8)
    qh = np.zeros((blocks.shape[0], 32), dtype=np.uint8)
    for c in range(4):
        a, b = q[:, 64 * c:64 * c + 32], q[:, 64 * c + 32:64 * c + 64]
        qs[:, 32 * c:32 * c + 32] = (a & 0x0F) | ((b & 0x0F) << 4)
        qh |= ((a >> 4) << (2 * c)) | ((b >> 4) << (2 * c + 1))
    return np.concatenate([d.view(np.uint8).reshape(-1, 2), dmin.view(np.uint8).reshape(-1, 2),
                           _pack_k4_scales(sc, mn), qh, qs], axis=-1)


def quantize_q6_K(blocks):
    n = blocks.shape[0]
    sub = blocks.reshape(n, 16, 16)
    imax = np.abs(sub).argmax(axis=-1)[..., None]
    peak = np.take_along_axis(sub, imax, axis=-1)[..., 0]
    scale = peak / -32.0                                     # signed, as ggml's make_qx_quants
    d = (np.abs(scale).max(axis=-1) / 127.0).astype(np.float16)
    d32 = d.astype(np.float32)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        sc = np.where(d32 > 0, np.rint(scale / d32), 0).clip(-128, 127).astype(np.int8)
        step = (d32 * sc)[..., None]
        q = np.where(step != 0, np.rint(sub / step), 0)
    q = (q.clip(-32, 31) + 32).astype(np.uint8).reshape(n, 256)
    ql = np.zeros((n, 128), dtype=np.uint8)
    qh = np.zeros((n, 64), dtype=np.uint8)
    for h in range(2):
        v = q[:, 128 * h:128 * h + 128]
        ql[:, 64 * h:64 * h + 32] = (v[:, 0:32] & 0x0F) | ((v[:, 64:96] & 0x0F) << 4)
        ql[:, 64 * h + 32:64 * h + 64] = (v[:, 32:64] & 0x0F) | ((v[:, 96:128] & 0x0F) << 4)
        qh[:, 32 * h:32 * h + 32] = ((v[:, 0:32] >> 4) | ((v[:, 32:64] >> 4) << 2)
                                     | ((v[:, 64:96] >> 4) << 4) | ((v[:, 96:128] >> 4) << 6))
    return np.concatenate([ql, qh, sc.view(np.uint8), d.view(np.uint8).reshape(-1, 2)], axis=-1)


REFERENCE_QUANTIZERS = {T.Q4_K: quantize_q4_K, T.Q5_K: quantize_q5_K, T.Q6_K: quantize_q6_K}


def write(outdir, raw, ref, src=None):
    os.makedirs(outdir, exist_ok=True)
    np.ascontiguousarray(raw, dtype=np.uint8).tofile(os.path.join(outdir, "raw.bin"))
    np.ascontiguousarray(ref, dtype="<f4").tofile(os.path.join(outdir, "ref.f32"))
    if src is not None:
        np.ascontiguousarray(src, dtype="<f4").tofile(os.path.join(outdir, "src.f32"))


def read_tensor_index(path):
    """{name: (qtype, shape, absolute offset)} from a GGUF v2/v3 header (little-endian)."""
    import struct
    scalar = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
    with open(path, "rb") as f:
        magic, version, n_tensors, n_kv = struct.unpack("<4sIQQ", f.read(24))
        if magic != b"GGUF" or version < 2:
            sys.exit(f"gguf_dequant.py: {path} is not a GGUF v2+ file")

        def skip_value(vtype):
            if vtype in scalar:
                f.seek(scalar[vtype], 1)
            elif vtype == 8:
                (n,) = struct.unpack("<Q", f.read(8))
                f.seek(n, 1)
            elif vtype == 9:
                etype, count = struct.unpack("<IQ", f.read(12))
                if etype in scalar:
                    f.seek(scalar[etype] * count, 1)
                else:
                    for _ in range(count):
                        skip_value(etype)
            else:
                sys.exit(f"gguf_dequant.py: unknown metadata value type {vtype} in {path}")

        alignment = 32
        for _ in range(n_kv):
            (klen,) = struct.unpack("<Q", f.read(8))
            key = f.read(klen)
            (vtype,) = struct.unpack("<I", f.read(4))
            if key == b"general.alignment" and vtype == 4:
                (alignment,) = struct.unpack("<I", f.read(4))
            else:
                skip_value(vtype)
        infos = {}
        for _ in range(n_tensors):
            (nlen,) = struct.unpack("<Q", f.read(8))
            name = f.read(nlen).decode()
            (ndim,) = struct.unpack("<I", f.read(4))
            shape = struct.unpack(f"<{ndim}Q", f.read(8 * ndim))
            qtype, offset = struct.unpack("<IQ", f.read(12))
            infos[name] = (T(qtype), shape, offset)
        start = (f.tell() + alignment - 1) // alignment * alignment
    return {name: (q, shape, start + off) for name, (q, shape, off) in infos.items()}


def cmd_tensors(path, outdir, *requests):
    index = read_tensor_index(path)
    for k, request in enumerate(requests):
        name, max_rows = request.rsplit(":", 1)
        if name not in index:
            sys.exit(f"gguf_dequant.py: no tensor {name!r} in {path}")
        qtype, shape, offset = index[name]
        write_tensor(path, qtype, shape, offset, int(max_rows), os.path.join(outdir, str(k)))


def write_tensor(path, qtype, shape, offset, max_rows, outdir):
    cols = int(shape[0])
    total_rows = int(np.prod(shape[1:])) if len(shape) > 1 else 1
    rows = min(max_rows, total_rows)
    row_bytes = rows_bytes(qtype, cols)
    raw = np.fromfile(path, dtype=np.uint8, count=rows * row_bytes, offset=offset).reshape(rows, row_bytes)
    if qtype == T.F32:
        ref = raw.copy().view(np.float32)
    elif qtype == T.F16:
        ref = dequantize(raw.copy().view(np.float16), qtype)
    else:
        ref = dequantize(raw, qtype)
    write(outdir, raw, np.asarray(ref, dtype=np.float32).reshape(rows, cols))
    print(json.dumps({"type": qtype.name, "rows": rows, "cols": cols, "row_bytes": row_bytes,
                      "quantizer": "file"}))


def cmd_generate(type_name, rows, cols, seed, outdir):
    qtype = T[type_name]
    rows, cols = int(rows), int(cols)
    rng = np.random.default_rng(int(seed))
    src = rng.standard_normal((rows, cols)).astype(np.float32) * np.float32(0.05)
    outliers = rng.random((rows, cols)) < 0.01          # a few large values stress the scales
    src[outliers] *= 20
    if qtype in REFERENCE_QUANTIZERS:
        raw = REFERENCE_QUANTIZERS[qtype](src.reshape(-1, QK_K)).reshape(rows, -1)
        quantizer = "reference (gguf_dequant.py)"
    else:
        raw = np.asarray(quantize(src, qtype))
        quantizer = "gguf.quants.quantize"
    raw_bytes = raw.view(np.uint8).reshape(rows, -1)
    ref = dequantize(raw, qtype) if qtype == T.F16 else dequantize(raw_bytes, qtype)
    assert raw_bytes.shape[1] == rows_bytes(qtype, cols), (raw_bytes.shape, rows_bytes(qtype, cols))
    write(outdir, raw_bytes, np.asarray(ref, dtype=np.float32).reshape(rows, cols), src)
    print(json.dumps({"type": qtype.name, "rows": rows, "cols": cols, "row_bytes": int(raw_bytes.shape[1]),
                      "quantizer": quantizer}))


if __name__ == "__main__":
    if len(sys.argv) >= 5 and sys.argv[1] == "tensors":
        cmd_tensors(*sys.argv[2:])
    elif len(sys.argv) == 7 and sys.argv[1] == "generate":
        cmd_generate(*sys.argv[2:])
    else:
        sys.exit(__doc__)
