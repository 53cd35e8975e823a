"""ONNX Runtime on the tiles `glacier bench-model --onnx-dir DIR` left in DIR, beside burn.

Reads DIR/model.onnx (the shipped network, written by `glacier export-onnx`), DIR/tiles.f32
(the normalised real tiles), DIR/burn.f32 (burn ndarray's probabilities for them),
DIR/kernels.f32 (this project's CPU kernels' probabilities, what `glacier predict` computes on
the CPU) and DIR/meta.json (shapes, the timings of `glacier bench-model` on the same tiles).
Checks that ONNX Runtime and the kernels compute what burn computes, then times ONNX Runtime
per tile the way `glacier bench-model` times the rest (one cold tile, then RUNS tiles; median)
and prints Markdown tables with the ratios.

Usage: python3 onnx_runtime_timing.py DIR [RUNS] [--threads T]

With `--threads T` it times ONNX Runtime on T threads only, checks nothing and prints the median
tile in ms as one JSON number (`cargo xtask bench-model` alternates it with the kernels).
"""

import json
import os
import statistics
import sys
import time

import numpy as np
import onnx
import onnxruntime as ort


def time_tiles(model: str, tiles, threads: int, runs: int):
    """A session on `threads` threads, and its times: (session, load ms, median tile ms, fastest
    tile ms, cold tile ms), one cold tile then `runs` timed."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    start = time.perf_counter()
    session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    load_ms = (time.perf_counter() - start) * 1e3

    def tile(i: int) -> float:
        begin = time.perf_counter()
        session.run(["probability"], {"input": tiles[i % len(tiles)]})
        return (time.perf_counter() - begin) * 1e3

    cold = tile(0)
    warm = sorted(tile(i) for i in range(1, runs + 1))
    return session, load_ms, statistics.median(warm), warm[0], cold


def main() -> None:
    args = sys.argv[1:]
    only = None
    if "--threads" in args:
        i = args.index("--threads")
        only = int(args[i + 1])
        del args[i:i + 2]
    folder = args[0]
    runs = int(args[1]) if len(args) > 1 else 10
    meta = json.load(open(os.path.join(folder, "meta.json")))
    n, c, t = meta["tiles"], meta["channels"], meta["tile"]
    tiles = np.fromfile(os.path.join(folder, "tiles.f32"), dtype="<f4").reshape(n, 1, c, t, t)
    burn = np.fromfile(os.path.join(folder, "burn.f32"), dtype="<f4").reshape(n, t, t)
    kernels = np.fromfile(os.path.join(folder, "kernels.f32"), dtype="<f4").reshape(n, t, t)
    model = os.path.join(folder, "model.onnx")
    if only is not None:
        print(json.dumps(time_tiles(model, tiles, only, runs)[2]))
        return
    # The ONNX checker with shape inference: the file is valid ONNX, not only something ORT accepts.
    onnx.checker.check_model(onnx.load(model), full_check=True)

    rows = []
    cores = os.cpu_count() or 1
    for threads in sorted({cores, 1}, reverse=True):
        session, load_ms, median, fastest, cold = time_tiles(model, tiles, threads, runs)
        probabilities = np.stack([session.run(["probability"], {"input": tiles[i]})[0][0, 0] for i in range(n)])
        diff = float(np.max(np.abs(probabilities - burn)))
        flips = int(np.sum((probabilities >= 0.5) != (burn >= 0.5)))
        rows.append((threads, load_ms, cold, median, fastest, diff, flips))

    stride = t - meta["overlap"]
    per_mpx = 1e6 / (stride * stride)
    print(f"\nONNX Runtime {ort.__version__} (CPUExecutionProvider) on the same {n} real {t}-px tiles, "
          f"{runs} timed after a cold one:\n")
    print("| runtime | threads | session load (ms) | cold tile (ms) | median tile (ms) | fastest (ms) | ms per megapixel "
          "| max abs(p − burn ndarray) | mask pixels that differ |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for threads, load, cold, median, fastest, diff, flips in rows:
        print(f"| ONNX Runtime | {threads} | {load:.0f} | {cold:.1f} | {median:.1f} | {fastest:.1f} | "
              f"{median * per_mpx:.0f} | {diff:.1e} | {flips} of {n * t * t} |")
    same = next(r[3] for r in rows if r[0] == cores)
    print(f"\n| `glacier bench-model` row | what computed | median tile (ms) | ÷ ONNX Runtime, {cores} threads "
          "(the same threads; ≤ 1: as fast or faster) |")
    print("|---|---|---:|---:|")
    for b in meta["burn"]:
        print(f"| {b['backend']} | {b.get('engine', '')} | {b['median_ms']:.1f} | {b['median_ms'] / same:.2f} |")
    k_diff = float(np.max(np.abs(kernels - burn)))
    k_flips = int(np.sum((kernels >= 0.5) != (burn >= 0.5)))
    print(f"\nThe kernels against burn ndarray on the same tiles: max abs(p − burn) {k_diff:.1e}, "
          f"{k_flips} of {n * t * t} mask pixels differ.")
    worst = max(r[5] for r in rows)
    if worst > 1e-3:
        sys.exit(f"ONNX Runtime and burn disagree: max abs difference {worst:.2e} > 1e-3")
    if k_diff > 1e-3:
        sys.exit(f"the kernels and burn disagree: max abs difference {k_diff:.2e} > 1e-3")


if __name__ == "__main__":
    main()
