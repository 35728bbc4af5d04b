#!/usr/bin/env python3
"""One training step of the course's cat classifier in NumPy, for comparison with tapegrad.

Trains the deep-learning course's L-layer model [12288, 20, 7, 5, 1] (``--model deep``) or its
two-layer model [12288, 7, 1] (``--model two-layer``) on the 209 training images of
catvnoncat: full batch, plain gradient descent, learning rate 0.0075. The formulas are
those of docs/course.md (§1 data, §2.1 init, §2.2-2.6 forward, cost, backward, update).

Two programs for the same math:

  --variant course  the course's own code: L_model_forward with caches, compute_cost,
                    L_model_backward through dAL and sigmoid_backward/relu_backward,
                    linear_backward computing dA_prev = W.T @ dZ for every layer (dA0
                    included), update_parameters building new arrays.
  --variant best    the fastest plain NumPy program for the same step: same forward,
                    dZ[L] = AL - Y directly, no dA0 = W1.T @ dZ1, buffers allocated once,
                    in-place updates (W -= lr * dW), no needless copies.

stdout (machine-readable, nothing else):
  cost <i> <repr of the cost>      for i % 100 == 0 (cost before that iteration's update)
  ms_per_iter <float>              wall time of the training loop only / iterations

--workload minibatch instead trains the deep model (same initialization) by mini-batch Adam,
the Course 2 optimization notebook's loop around the course's L_model_forward and
L_model_backward: for epoch e = 1, 2, ..., --epochs, random_mini_batches(X, Y, 64, seed=e)
(209 = 3 batches of 64 and one of 17), on each batch the Course 2 compute_cost (the batch's sum of
cross-entropies), L_model_backward and update_parameters_with_adam (t counted per batch;
learning rate 0.0007, beta1 0.9, beta2 0.999, epsilon 1e-8). It prints
  cost <e> <repr of the cost>      every epoch: the sum of the batch sums / m
  ms_per_epoch <float>             the median wall time of one epoch (shuffle included)

The BLAS thread count is taken from the environment (OPENBLAS_NUM_THREADS etc.), read by
NumPy when it is imported.
"""

import argparse
import math
import os
import statistics
import sys
import time

import h5py
import numpy as np

LEARNING_RATE = 0.0075
ADAM_LEARNING_RATE = 0.0007
MINI_BATCH_SIZE = 64
MODELS = {"deep": [12288, 20, 7, 5, 1], "two-layer": [12288, 7, 1]}


# --------------------------------------------------------------------------- data, init


def load_train(data_dir, dtype):
    """§1: X = x.reshape(m, -1).T / 255. (12288, 209), Y = y.reshape(1, m)."""
    with h5py.File(os.path.join(data_dir, "train_catvnoncat.h5"), "r") as f:
        x = np.array(f["train_set_x"][:])
        y = np.array(f["train_set_y"][:])
    m = x.shape[0]
    X = x.reshape(m, -1).T / 255.0
    Y = y.reshape(1, m).astype(np.float64)
    # np.dot wants C-contiguous operands for its fast paths and `out=`; X.T is a view.
    return np.ascontiguousarray(X, dtype=dtype), np.ascontiguousarray(Y, dtype=dtype)


def initialize(model, dtype):
    """§2.1, in float64 with NumPy's legacy generator, then cast to dtype."""
    dims = MODELS[model]
    np.random.seed(1)
    parameters = {}
    for l in range(1, len(dims)):
        if model == "two-layer":  # initialize_parameters(n_x, n_h, n_y)
            W = np.random.randn(dims[l], dims[l - 1]) * 0.01
        else:  # L_layer_model's initialize_parameters_deep
            W = np.random.randn(dims[l], dims[l - 1]) / np.sqrt(dims[l - 1])
        parameters["W" + str(l)] = W.astype(dtype)
        parameters["b" + str(l)] = np.zeros((dims[l], 1), dtype=dtype)
    return parameters


# --------------------------------------------------------------------------- the course's code


def sigmoid(Z):
    A = 1 / (1 + np.exp(-Z))
    cache = Z
    return A, cache


def relu(Z):
    A = np.maximum(0, Z)
    cache = Z
    return A, cache


def linear_forward(A, W, b):
    Z = np.dot(W, A) + b
    cache = (A, W, b)
    return Z, cache


def linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    if activation == "sigmoid":
        A, activation_cache = sigmoid(Z)
    else:
        A, activation_cache = relu(Z)
    cache = (linear_cache, activation_cache)
    return A, cache


def L_model_forward(X, parameters):
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L):
        A_prev = A
        A, cache = linear_activation_forward(
            A_prev, parameters["W" + str(l)], parameters["b" + str(l)], "relu"
        )
        caches.append(cache)
    AL, cache = linear_activation_forward(
        A, parameters["W" + str(L)], parameters["b" + str(L)], "sigmoid"
    )
    caches.append(cache)
    return AL, caches


def compute_cost(AL, Y):
    m = Y.shape[1]
    cost = (-1 / m) * np.sum(np.multiply(Y, np.log(AL)) + np.multiply(1 - Y, np.log(1 - AL)))
    cost = np.squeeze(cost)
    return cost


def relu_backward(dA, cache):
    Z = cache
    dZ = np.array(dA, copy=True)
    dZ[Z <= 0] = 0
    return dZ


def sigmoid_backward(dA, cache):
    Z = cache
    s = 1 / (1 + np.exp(-Z))
    dZ = dA * s * (1 - s)
    return dZ


def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = 1.0 / m * np.dot(dZ, A_prev.T)
    db = 1.0 / m * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db


def linear_activation_backward(dA, cache, activation):
    linear_cache, activation_cache = cache
    if activation == "relu":
        dZ = relu_backward(dA, activation_cache)
    else:
        dZ = sigmoid_backward(dA, activation_cache)
    return linear_backward(dZ, linear_cache)


def L_model_backward(AL, Y, caches):
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    current_cache = caches[L - 1]
    grads["dA" + str(L - 1)], grads["dW" + str(L)], grads["db" + str(L)] = (
        linear_activation_backward(dAL, current_cache, "sigmoid")
    )
    for l in reversed(range(L - 1)):
        current_cache = caches[l]
        dA_prev_temp, dW_temp, db_temp = linear_activation_backward(
            grads["dA" + str(l + 1)], current_cache, "relu"
        )
        grads["dA" + str(l)] = dA_prev_temp
        grads["dW" + str(l + 1)] = dW_temp
        grads["db" + str(l + 1)] = db_temp
    return grads


def update_parameters(parameters, grads, learning_rate):
    L = len(parameters) // 2
    for l in range(L):
        parameters["W" + str(l + 1)] = (
            parameters["W" + str(l + 1)] - learning_rate * grads["dW" + str(l + 1)]
        )
        parameters["b" + str(l + 1)] = (
            parameters["b" + str(l + 1)] - learning_rate * grads["db" + str(l + 1)]
        )
    return parameters


def train_course(X, Y, parameters, iterations, costs):
    """The loop of the course's L_layer_model (two_layer_model is the same code with L = 2)."""
    for i in range(iterations):
        AL, caches = L_model_forward(X, parameters)
        cost = compute_cost(AL, Y)
        grads = L_model_backward(AL, Y, caches)
        parameters = update_parameters(parameters, grads, LEARNING_RATE)
        if i % 100 == 0:
            costs.append((i, cost))
    return parameters


# --------------------------------------------------------------------------- mini-batch Adam
# Course 2, week 2 (Optimization): random_mini_batches, initialize_adam,
# update_parameters_with_adam and the cost of its model(), as the notebook writes them.


def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    np.random.seed(seed)
    m = X.shape[1]
    mini_batches = []
    permutation = list(np.random.permutation(m))
    shuffled_X = X[:, permutation]
    shuffled_Y = Y[:, permutation].reshape((1, m))
    num_complete_minibatches = math.floor(m / mini_batch_size)
    for k in range(0, num_complete_minibatches):
        mini_batch_X = shuffled_X[:, k * mini_batch_size : (k + 1) * mini_batch_size]
        mini_batch_Y = shuffled_Y[:, k * mini_batch_size : (k + 1) * mini_batch_size]
        mini_batches.append((mini_batch_X, mini_batch_Y))
    if m % mini_batch_size != 0:
        mini_batch_X = shuffled_X[:, num_complete_minibatches * mini_batch_size : m]
        mini_batch_Y = shuffled_Y[:, num_complete_minibatches * mini_batch_size : m]
        mini_batches.append((mini_batch_X, mini_batch_Y))
    return mini_batches


def initialize_adam(parameters):
    # The notebook's np.zeros(shape) is float64; the parameters' dtype keeps a float32 run
    # in float32 (for float64, the same arrays).
    L = len(parameters) // 2
    v = {}
    s = {}
    for l in range(L):
        for p in ("W", "b"):
            shape, dtype = parameters[p + str(l + 1)].shape, parameters[p + str(l + 1)].dtype
            v["d" + p + str(l + 1)] = np.zeros(shape, dtype)
            s["d" + p + str(l + 1)] = np.zeros(shape, dtype)
    return v, s


def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.01, beta1=0.9,
                                beta2=0.999, epsilon=1e-8):
    L = len(parameters) // 2
    v_corrected = {}
    s_corrected = {}
    for l in range(L):
        for p in ("W", "b"):
            d = "d" + p + str(l + 1)
            v[d] = beta1 * v[d] + (1 - beta1) * grads[d]
            v_corrected[d] = v[d] / (1 - np.power(beta1, t))
            s[d] = beta2 * s[d] + (1 - beta2) * np.power(grads[d], 2)
            s_corrected[d] = s[d] / (1 - np.power(beta2, t))
            parameters[p + str(l + 1)] = parameters[p + str(l + 1)] - learning_rate * v_corrected[
                d
            ] / (np.sqrt(s_corrected[d]) + epsilon)
    return parameters, v, s


def compute_cost_sum(a3, Y):
    """Course 2's compute_cost: the sum (not the mean) of the batch's cross-entropies."""
    logprobs = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
    cost_total = np.sum(logprobs)
    return cost_total


def train_minibatch_adam(X, Y, parameters, epochs, costs, epoch_ms):
    """The notebook's model(..., optimizer="adam") loop, with seed = epoch number (from 1)."""
    m = X.shape[1]
    v, s = initialize_adam(parameters)
    t = 0
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        minibatches = random_mini_batches(X, Y, MINI_BATCH_SIZE, epoch)
        cost_total = 0
        for minibatch_X, minibatch_Y in minibatches:
            AL, caches = L_model_forward(minibatch_X, parameters)
            cost_total += compute_cost_sum(AL, minibatch_Y)
            grads = L_model_backward(AL, minibatch_Y, caches)
            t = t + 1
            parameters, v, s = update_parameters_with_adam(
                parameters, grads, v, s, t, ADAM_LEARNING_RATE, 0.9, 0.999, 1e-8
            )
        cost_avg = cost_total / m
        epoch_ms.append((time.perf_counter() - start) * 1000.0)
        costs.append((epoch, cost_avg))
    return parameters


# --------------------------------------------------------------------------- the best NumPy


def train_best(X, Y, parameters, iterations, costs):
    """Same math, same rounding of every forward value, no wasted work.

    Every intermediate array is allocated once and written with `out=`; gradients are scaled
    in place and subtracted in place, which rounds exactly like the course's
    `W - lr * ((1/m) * (dZ @ A_prev.T))`. Differences from the course's results come only
    from dZ[L] = AL - Y (the course goes through dAL and sigmoid_backward).
    """
    m = X.shape[1]
    dtype = X.dtype
    L = len(parameters) // 2
    W = [None] + [parameters["W" + str(l)] for l in range(1, L + 1)]
    b = [None] + [parameters["b" + str(l)] for l in range(1, L + 1)]
    n = [X.shape[0]] + [W[l].shape[0] for l in range(1, L + 1)]
    Z = [None] + [np.empty((n[l], m), dtype) for l in range(1, L + 1)]
    A = [X] + [np.empty((n[l], m), dtype) for l in range(1, L + 1)]
    dZ = [None] + [np.empty((n[l], m), dtype) for l in range(1, L + 1)]
    dW = [None] + [np.empty_like(W[l]) for l in range(1, L + 1)]
    db = [None] + [np.empty_like(b[l]) for l in range(1, L + 1)]
    mask = [None] + [np.empty((n[l], m), bool) for l in range(1, L + 1)]
    one_minus_Y = 1 - Y
    inv_m = 1.0 / m
    lr = LEARNING_RATE

    for i in range(iterations):
        # forward: [LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID
        for l in range(1, L + 1):
            np.dot(W[l], A[l - 1], out=Z[l])
            Z[l] += b[l]
            if l < L:
                np.maximum(Z[l], 0, out=A[l])
            else:
                np.negative(Z[l], out=A[l])
                np.exp(A[l], out=A[l])
                A[l] += 1
                np.divide(1, A[l], out=A[l])
        AL = A[L]
        # cost, (-1/m) * sum(...) as in the course (AL is 1 x m: negligible)
        cost = (-1 / m) * np.sum(Y * np.log(AL) + one_minus_Y * np.log(1 - AL))
        # backward: dZ[L] = AL - Y; no dA0
        np.subtract(AL, Y, out=dZ[L])
        for l in range(L, 0, -1):
            np.dot(dZ[l], A[l - 1].T, out=dW[l])
            dW[l] *= inv_m
            np.sum(dZ[l], axis=1, keepdims=True, out=db[l])
            db[l] *= inv_m
            if l > 1:
                np.dot(W[l].T, dZ[l], out=dZ[l - 1])  # dA[l-1], turned into dZ[l-1] in place
                np.less_equal(Z[l - 1], 0, out=mask[l - 1])
                np.copyto(dZ[l - 1], 0, where=mask[l - 1])  # relu'(z) = 0 for z <= 0
        # update, in place: W -= lr * dW
        for l in range(1, L + 1):
            dW[l] *= lr
            W[l] -= dW[l]
            db[l] *= lr
            b[l] -= db[l]
        if i % 100 == 0:
            costs.append((i, cost))
    return parameters


# --------------------------------------------------------------------------- main


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=os.environ.get("CATVNONCAT_DIR"),
                   help="directory with train_catvnoncat.h5 (default: $CATVNONCAT_DIR)")
    p.add_argument("--variant", choices=["course", "best"], default="course")
    p.add_argument("--model", choices=sorted(MODELS), default="deep")
    p.add_argument("--workload", choices=["step", "minibatch"], default="step",
                   help="full-batch gradient descent (default) or mini-batch Adam (deep model)")
    p.add_argument("--iterations", type=int, default=300)
    p.add_argument("--epochs", type=int, default=100, help="epochs of --workload minibatch")
    p.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    args = p.parse_args()
    if not args.data:
        p.error("no data directory: pass --data DIR or set CATVNONCAT_DIR")
    if not os.path.isfile(os.path.join(args.data, "train_catvnoncat.h5")):
        p.error("no train_catvnoncat.h5 in " + args.data)
    if args.iterations < 1 or args.epochs < 1:
        p.error("--iterations and --epochs must be at least 1")
    if args.workload == "minibatch" and (args.variant != "course" or args.model != "deep"):
        p.error("--workload minibatch is the course's code (--variant course) on --model deep")

    dtype = np.dtype(args.dtype)
    X, Y = load_train(args.data, dtype)
    parameters = initialize(args.model, dtype)
    out = sys.stdout
    if args.workload == "minibatch":
        costs, epoch_ms = [], []
        train_minibatch_adam(X, Y, parameters, args.epochs, costs, epoch_ms)
        for e, cost in costs:
            out.write("cost %d %r\n" % (e, float(cost)))
        out.write("ms_per_epoch %r\n" % statistics.median(epoch_ms))
        return
    train = train_course if args.variant == "course" else train_best

    costs = []
    start = time.perf_counter()
    train(X, Y, parameters, args.iterations, costs)
    elapsed = time.perf_counter() - start

    for i, cost in costs:
        out.write("cost %d %r\n" % (i, float(cost)))
    out.write("ms_per_iter %r\n" % (elapsed * 1000.0 / args.iterations))


if __name__ == "__main__":
    main()
