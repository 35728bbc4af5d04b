#!/usr/bin/env python3
"""The cat classifier's training step in JAX (jit, CPU), for comparison with tapegrad and NumPy.

The same workloads as benches/numpy_step.py, written the way one writes them in JAX: a pure
cost function of the parameters, differentiated by jax.value_and_grad, and one jitted step
that returns the updated parameters. The data and the starting parameters are numpy_step.py's
own (its load_train and initialize: NumPy's legacy seed(1) draws), so the costs are the same
numbers as NumPy's and tapegrad's.

  --workload step       full-batch gradient descent, learning rate 0.0075, of the L-layer model
                        [12288, 20, 7, 5, 1] (--model deep) or the two-layer model
                        [12288, 7, 1] (--model two-layer), --iterations steps.
  --workload minibatch  mini-batch Adam on the deep model: for epoch e = 1, 2, ..., --epochs,
                        the columns of numpy_step.py's random_mini_batches(X, Y, 64, seed=e)
                        (np.random.seed(e), np.random.permutation(209): 3 batches of 64 and one
                        of 17), gathered from X on the device inside the jitted step;
                        the course's update_parameters_with_adam (t counted per batch, learning
                        rate 0.0007, beta1 0.9, beta2 0.999, epsilon 1e-8 outside the sqrt).

--dtype float64 (jax_enable_x64 is switched on) or float32. --threads N sets XLA_FLAGS to
"--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1" for N = 1 (multi-thread
Eigen on for N > 1), before JAX is imported; pin the process to N cores with taskset as well.
Every shape is compiled and run once before the clock starts (the 64- and 17-column batches of
--workload minibatch separately).

stdout (machine-readable, nothing else), the lines of numpy_step.py:
  cost <i> <repr of the cost>   step: for i % 100 == 0 (the cost before that iteration's update)
                                minibatch: every epoch (sum of the batch sums of cross-entropy / m)
  ms_per_iter <float>           step: wall time of the timed loop / iterations
  ms_per_epoch <float>          minibatch: median wall time of one epoch (shuffle included)
"""

import argparse
import os
import statistics
import sys
import time

ADAM = {"learning_rate": 0.0007, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}
BATCH = 64


def parse_args():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=os.environ.get("CATVNONCAT_DIR"),
                   help="directory with train_catvnoncat.h5 (default: $CATVNONCAT_DIR)")
    p.add_argument("--workload", choices=["step", "minibatch"], default="step")
    p.add_argument("--model", choices=["deep", "two-layer"], default="deep")
    p.add_argument("--iterations", type=int, default=300)
    p.add_argument("--epochs", type=int, default=100)
    p.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    p.add_argument("--threads", type=int, default=1, help="XLA's CPU threads (default 1)")
    args = p.parse_args()
    if not args.data:
        p.error("no data directory: pass --data DIR or set CATVNONCAT_DIR")
    if not os.path.isfile(os.path.join(args.data, "train_catvnoncat.h5")):
        p.error("no train_catvnoncat.h5 in " + args.data)
    if min(args.iterations, args.epochs, args.threads) < 1:
        p.error("--iterations, --epochs and --threads must be at least 1")
    if args.workload == "minibatch" and args.model != "deep":
        p.error("--workload minibatch trains the deep model")
    return args


ARGS = parse_args()
# XLA reads its flags once, when the backend starts: set them before importing JAX.
_eigen = "false" if ARGS.threads == 1 else "true"
os.environ["XLA_FLAGS"] = (
    "--xla_cpu_multi_thread_eigen=%s intra_op_parallelism_threads=%d %s"
    % (_eigen, ARGS.threads, os.environ.get("XLA_FLAGS", ""))
).strip()
os.environ["JAX_ENABLE_X64"] = "1"  # float64 arrays stay float64; float32 runs ask for float32

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from numpy_step import LEARNING_RATE, initialize, load_train  # noqa: E402

jax.config.update("jax_enable_x64", True)


# --------------------------------------------------------------------------- the model


def probabilities(layers, x):
    """[LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID. layers: a list of (W, b)."""
    a = x
    for l, (w, b) in enumerate(layers, start=1):
        z = w @ a + b
        if l < len(layers):
            a = jnp.where(z > 0, z, 0)  # relu'(0) = 0, as the course's relu_backward
        else:
            a = 1 / (1 + jnp.exp(-z))  # the course's sigmoid, rounded the same way
    return a


def cross_entropy_sum(layers, x, y):
    """Course 2's compute_cost: sum over the columns of -y log a - (1 - y) log(1 - a)."""
    a = probabilities(layers, x)
    return jnp.sum(-jnp.log(a) * y + -jnp.log(1 - a) * (1 - y))


def mean_cost(layers, x, y):
    """The cost J = sum / m; also returns the sum (for the mini-batch epoch cost)."""
    total = cross_entropy_sum(layers, x, y)
    return total / y.shape[1], total


@jax.jit
def gd_step(layers, x, y):
    """One full-batch gradient-descent step: the new parameters and the cost before it."""
    (cost, _), grads = jax.value_and_grad(mean_cost, has_aux=True)(layers, x, y)
    updated = jax.tree.map(lambda p, g: p - LEARNING_RATE * g, layers, grads)
    return updated, cost


@jax.jit
def adam_step(layers, v, s, x_all, y_all, columns, c1, c2):
    """One mini-batch Adam update on the columns `columns` of X, Y.

    c1 = 1 - beta1**t and c2 = 1 - beta2**t come from the host, computed in float64 as the
    course's np.power(beta, t), so one compiled step serves every t.
    """
    x = jnp.take(x_all, columns, axis=1)
    y = jnp.take(y_all, columns, axis=1)
    (_, total), grads = jax.value_and_grad(mean_cost, has_aux=True)(layers, x, y)
    b1, b2 = ADAM["beta1"], ADAM["beta2"]
    v = jax.tree.map(lambda v, g: b1 * v + (1 - b1) * g, v, grads)
    s = jax.tree.map(lambda s, g: b2 * s + (1 - b2) * (g * g), s, grads)
    c1, c2 = c1.astype(x.dtype), c2.astype(x.dtype)
    lr, eps = ADAM["learning_rate"], ADAM["epsilon"]
    layers = jax.tree.map(lambda p, v, s: p - lr * (v / c1) / (jnp.sqrt(s / c2) + eps),
                          layers, v, s)
    return layers, v, s, total


# --------------------------------------------------------------------------- the runs


def start(dtype, model):
    """numpy_step.py's X, Y and initial parameters, on the device in `dtype`."""
    X, Y = load_train(ARGS.data, dtype)
    parameters = initialize(model, dtype)
    n = len(parameters) // 2
    layers = [(jnp.asarray(parameters["W%d" % l]), jnp.asarray(parameters["b%d" % l]))
              for l in range(1, n + 1)]
    return jnp.asarray(X), jnp.asarray(Y), layers


def run_step(dtype, out):
    x, y, layers = start(dtype, ARGS.model)
    jax.block_until_ready(gd_step(layers, x, y))  # compile, and one step off the clock
    recorded = []
    begin = time.perf_counter()
    for i in range(ARGS.iterations):
        layers, cost = gd_step(layers, x, y)
        if i % 100 == 0:
            recorded.append((i, cost))  # stays on the device: no wait for it here
    jax.block_until_ready(layers)
    elapsed = time.perf_counter() - begin
    for i, cost in recorded:
        out.write("cost %d %r\n" % (i, float(cost)))
    out.write("ms_per_iter %r\n" % (elapsed * 1000.0 / ARGS.iterations))


def epoch_columns(m, seed):
    """The column indices of random_mini_batches(X, Y, 64, seed)'s batches, in order."""
    np.random.seed(seed)
    permutation = np.random.permutation(m)
    return [jnp.asarray(permutation[k:k + BATCH]) for k in range(0, m, BATCH)]


def run_minibatch(dtype, out):
    x, y, layers = start(dtype, "deep")
    m = y.shape[1]
    v = jax.tree.map(jnp.zeros_like, layers)
    s = jax.tree.map(jnp.zeros_like, layers)
    b1, b2 = ADAM["beta1"], ADAM["beta2"]
    # Compile both batch shapes (64 and m % 64 columns) off the clock; results thrown away.
    for size in sorted({BATCH, m % BATCH or BATCH}):
        columns = jnp.arange(size)
        jax.block_until_ready(
            adam_step(layers, v, s, x, y, columns, np.float64(1 - b1), np.float64(1 - b2)))
    t = 0
    epoch_ms = []
    for epoch in range(1, ARGS.epochs + 1):
        begin = time.perf_counter()
        totals = []
        for columns in epoch_columns(m, epoch):
            t += 1
            c1, c2 = np.float64(1 - np.power(b1, t)), np.float64(1 - np.power(b2, t))
            layers, v, s, total = adam_step(layers, v, s, x, y, columns, c1, c2)
            totals.append(total)
        cost_total = 0.0
        for total in totals:  # waits for the epoch's last step
            cost_total += float(total)
        epoch_ms.append((time.perf_counter() - begin) * 1000.0)
        out.write("cost %d %r\n" % (epoch, cost_total / m))
    out.write("ms_per_epoch %r\n" % statistics.median(epoch_ms))


def main():
    dtype = np.dtype(ARGS.dtype)
    if ARGS.workload == "step":
        run_step(dtype, sys.stdout)
    else:
        run_minibatch(dtype, sys.stdout)


if __name__ == "__main__":
    main()
