#!/usr/bin/env python3
"""The floor of one full-batch training step of the deep model, measured on this machine.

Nothing can run the step of the L-layer model [12288, 20, 7, 5, 1] on the 209 training images
faster than the larger of
  - its floating-point work at the core's peak rate: the peak is the best GFLOP/s of a square
    float64 product (NumPy's BLAS dgemm, --n x --n, best of --reps);
  - reading the data X twice (W1 @ X forward, dZ1 @ X.T backward) at the core's read
    bandwidth: the best GB/s of np.sum over a large float64 array (--mb MB, best of --reps).
Run it on one core with one BLAS thread (OPENBLAS_NUM_THREADS=1 taskset -c 0, as compare.sh
does): the floor is that of one core.

The work of a step, from the shapes (n = layer sizes, m = 209 columns): per layer l, the
forward product W[l] @ A[l-1] and the backward dW[l] = dZ[l] @ A[l-1].T are 2 n[l] n[l-1] m
flops each, and dA[l-1] = W[l].T @ dZ[l] another 2 n[l] n[l-1] m for l > 1 (nothing needs
dA0). The first layer dominates: 2 products of 2 * 20 * 12288 * 209 flops = 205.5 MFLOP of
205.7 MFLOP. Element-wise work (bias, ReLU, sigmoid, cost, update) is ignored: it is a few
hundred kFLOP. The bytes are those of reading X (12288 x 209 float64, 20.5 MB) twice: 41 MB.

stdout (machine-readable):
  step_mflop <float>       the step's flops / 1e6
  step_mb <float>          the bytes it must read / 1e6
  peak_gflops <float>      best dgemm rate
  read_gbps <float>        best np.sum rate
  floor_ms <float>         max(step_mflop / peak, step_mb / bandwidth), in ms
"""

import argparse
import time

import numpy as np

LAYERS = [12288, 20, 7, 5, 1]
M = 209


def step_flops(layers, m):
    flops = 0
    for l in range(1, len(layers)):
        products = 2 if l == 1 else 3  # forward, dW, and dA[l-1] except for l = 1
        flops += products * 2 * layers[l] * layers[l - 1] * m
    return flops


def step_bytes(layers, m, itemsize=8):
    return 2 * layers[0] * m * itemsize  # X, read twice


def best_seconds(run, reps):
    best = float("inf")
    for _ in range(reps):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=2048, help="the square product's size (2048)")
    p.add_argument("--mb", type=int, default=400, help="the summed array's size in MB (400)")
    p.add_argument("--reps", type=int, default=5, help="best of this many runs (5)")
    args = p.parse_args()

    rng = np.random.default_rng(0)
    a = rng.random((args.n, args.n))
    b = rng.random((args.n, args.n))
    c = np.empty_like(a)
    np.dot(a, b, out=c)  # BLAS warm-up
    peak = 2.0 * args.n ** 3 / best_seconds(lambda: np.dot(a, b, out=c), args.reps) / 1e9
    del a, b, c

    big = np.ones(args.mb * 1_000_000 // 8)
    big.sum()  # pages touched before the clock
    bandwidth = big.nbytes / best_seconds(big.sum, args.reps) / 1e9
    del big

    flops = step_flops(LAYERS, M)
    nbytes = step_bytes(LAYERS, M)
    floor_ms = max(flops / (peak * 1e9), nbytes / (bandwidth * 1e9)) * 1e3
    print("step_mflop %.3f" % (flops / 1e6))
    print("step_mb %.3f" % (nbytes / 1e6))
    print("peak_gflops %.2f" % peak)
    print("read_gbps %.2f" % bandwidth)
    print("floor_ms %.3f" % floor_ms)


if __name__ == "__main__":
    main()
