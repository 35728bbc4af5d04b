#!/usr/bin/env bash
# tapegrad vs NumPy and JAX on the training of the course's cat classifier.
#
#   benches/compare.sh [--data DIR] [--iterations N] [--epochs E] [--reps R]
#
# Times N full-batch gradient-descent iterations (forward, cost, backward, update; learning
# rate 0.0075, the 209 training images) of
#   - the L-layer model [12288, 20, 7, 5, 1]: tapegrad f64 and f32, NumPy as the course
#     writes it (benches/numpy_step.py --variant course), the best NumPy program for the
#     same math (--variant best), and JAX f64 and f32 (benches/jax_step.py: jit of
#     value_and_grad and the update);
#   - the two-layer model [12288, 7, 1]: tapegrad f64, NumPy as the course writes it, JAX f64;
# and E epochs of mini-batch Adam of the L-layer model (epoch e: the course's
# random_mini_batches(X, Y, 64, seed=e), 3 batches of 64 and one of 17; learning rate 0.0007,
# beta1 0.9, beta2 0.999, epsilon 1e-8): tapegrad (cat_classifier train --optimizer adam
# --batch-size 64 --epochs E), NumPy as the course writes it (numpy_step.py --workload
# minibatch) and JAX (jax_step.py --workload minibatch); for these, each run's median ms per
# epoch. Defaults: N = 300, E = 100, R = 5.
#
# With 1 and then 2 threads, R repetitions each, the configurations alternating within a
# repetition. NumPy and tapegrad get OPENBLAS_NUM_THREADS / MATMUL_NUM_THREADS; JAX gets
# jax_step.py --threads, which sets XLA_FLAGS ("--xla_cpu_multi_thread_eigen=false
# intra_op_parallelism_threads=1"; multi-thread Eigen on for 2), and is pinned with
# taskset -c 0 (1 thread) or 0,1 (2 threads); JAX compiles every shape before its clock starts.
#
# Every repetition first checks that the programs compute the same costs: the deep model's
# f64 costs equal at the course's 6 decimals (iterations 0, 100, 200), the two-layer ones at
# relative 1e-10, the f32 runs (tapegrad, JAX) within relative 1e-5 of NumPy's f64 (iterations
# 0, 100, 200; f32 drifts further later), the mini-batch epoch costs (f64) at relative 1e-9
# for every epoch. Before the runs, benches/floor.py measures the floor of the deep step on
# one core (peak dgemm GFLOP/s, np.sum read bandwidth). At the end it prints markdown tables
# of median ms (min-max) and of the ratios the project aims for, and saves them to
# benches/results/compare-<date>.md (raw timings beside it, .tsv).
#
# The data directory (train_catvnoncat.h5, test_catvnoncat.h5) comes from --data, else
# $CATVNONCAT_DIR, else the repository's data/catvnoncat. NumPy, h5py, JAX and jaxlib, at the
# versions pinned below, are installed into benches/.venv on first use. Needs taskset.
set -euo pipefail
export LC_ALL=C   # printf reads "8.367", not "8,367"

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
}

die() {
    echo "compare.sh: error: $*" >&2
    exit 1
}

ITERATIONS=300
EPOCHS=100
REPS=5
DATA_DIR="${CATVNONCAT_DIR:-}"
while [ $# -gt 0 ]; do
    case "$1" in
        --data) DATA_DIR="${2:?--data needs a directory}"; shift 2 ;;
        --data=*) DATA_DIR="${1#*=}"; shift ;;
        --iterations) ITERATIONS="${2:?--iterations needs a number}"; shift 2 ;;
        --iterations=*) ITERATIONS="${1#*=}"; shift ;;
        --epochs) EPOCHS="${2:?--epochs needs a number}"; shift 2 ;;
        --epochs=*) EPOCHS="${1#*=}"; shift ;;
        --reps) REPS="${2:?--reps needs a number}"; shift 2 ;;
        --reps=*) REPS="${1#*=}"; shift ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done
[[ "$ITERATIONS" =~ ^[1-9][0-9]*$ ]] || die "--iterations must be a positive integer, got '$ITERATIONS'"
[[ "$EPOCHS" =~ ^[1-9][0-9]*$ ]] || die "--epochs must be a positive integer, got '$EPOCHS'"
[[ "$REPS" =~ ^[1-9][0-9]*$ ]] || die "--reps must be a positive integer, got '$REPS'"
[ -n "$DATA_DIR" ] || DATA_DIR="$(cd "$(dirname "$0")/.." && pwd)/data/catvnoncat"
[ -f "$DATA_DIR/train_catvnoncat.h5" ] || die "no train_catvnoncat.h5 in '$DATA_DIR'"
DATA_DIR="$(cd "$DATA_DIR" && pwd)"          # absolute: we change directory next
command -v taskset >/dev/null || die "taskset not found (util-linux): it pins the JAX runs"
[ "$(nproc)" -ge 2 ] || die "the 2-thread runs need 2 cores, this machine has $(nproc)"

cd "$(dirname "${BASH_SOURCE[0]}")/.."        # the repository root
ROOT="$(pwd)"

# ---------------------------------------------------------------------------- Python venv
VENV="$ROOT/benches/.venv"
PY="$VENV/bin/python"
PINS=("numpy==2.4.6" "h5py==3.16.0" "jax==0.10.2" "jaxlib==0.10.2")
if [ ! -x "$PY" ]; then
    echo "Creating $VENV ..." >&2
    python3 -m venv "$VENV"
fi
# Installs the pins unless every one of them is there at exactly its version.
if ! "$PY" - "${PINS[@]}" 2>/dev/null <<'EOF'
import sys
from importlib.metadata import version
sys.exit(any(version(name) != want for name, want in (pin.split("==") for pin in sys.argv[1:])))
EOF
then
    echo "Installing ${PINS[*]} into $VENV ..." >&2
    "$PY" -m pip install --quiet --disable-pip-version-check "${PINS[@]}"
fi
PY_INFO="$("$PY" - <<'EOF'
from importlib.metadata import version
import numpy as np
blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
print("NumPy %s, BLAS %s %s; JAX %s, jaxlib %s (CPU)" % (
    np.__version__, blas.get("name", "?"), blas.get("version", ""), version("jax"),
    version("jaxlib")))
EOF
)"
echo "$PY_INFO"

# ---------------------------------------------------------------------------- tapegrad
echo "Building tapegrad's example (cargo build --release --example cat_classifier) ..." >&2
cargo build --release --example cat_classifier
TAPEGRAD="${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/cat_classifier"
[ -x "$TAPEGRAD" ] || die "cargo built no $TAPEGRAD"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

loadavg() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?'; }
LOAD_BEFORE="$(loadavg)"
if awk -v l="${LOAD_BEFORE%% *}" 'BEGIN { exit !(l + 0 > 0.5) }'; then
    echo "compare.sh: warning: load average $LOAD_BEFORE: other processes are running and will" \
         "distort the timings (2-thread runs most)" >&2
fi

# ---------------------------------------------------------------------------- the floor
echo "Measuring the floor on one core (benches/floor.py) ..." >&2
unset OPENBLAS_CORETYPE
OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 \
    taskset -c 0 "$PY" "$ROOT/benches/floor.py" >"$TMP/floor.txt" \
    || die "benches/floor.py failed"
cat "$TMP/floor.txt" >&2

# ---------------------------------------------------------------------------- runs
# Each run writes its whole output to $TMP/<config>-t<threads>-r<rep>.log, then two files:
#   .ms     its ms per iteration (full batch) or its median ms per epoch (mini-batch)
#   .costs  lines "<i> <cost>": i = 0, 100, 200, ... (full batch), every epoch (mini-batch)
CONFIGS=(tg-f64-deep np-course-deep np-best-deep jax-f64-deep
         tg-f32-deep jax-f32-deep
         tg-f64-two np-course-two jax-f64-two
         tg-adam-deep np-adam-deep jax-adam-deep)

run_config() {   # run_config CONFIG THREADS LOG: one run, output to LOG
    local config="$1" threads="$2" log="$3" args=()
    case "$config" in
        tg-f64-deep)    args=(--iterations "$ITERATIONS") ;;
        tg-f32-deep)    args=(--iterations "$ITERATIONS" --f32) ;;
        tg-f64-two)     args=(--iterations "$ITERATIONS" --model two-layer) ;;
        tg-adam-deep)   args=(--optimizer adam --batch-size 64 --epochs "$EPOCHS") ;;
        np-course-deep) args=(--iterations "$ITERATIONS" --variant course --model deep) ;;
        np-best-deep)   args=(--iterations "$ITERATIONS" --variant best --model deep) ;;
        np-course-two)  args=(--iterations "$ITERATIONS" --variant course --model two-layer) ;;
        np-adam-deep)   args=(--workload minibatch --epochs "$EPOCHS") ;;
        jax-f64-deep)   args=(--iterations "$ITERATIONS" --dtype float64 --model deep) ;;
        jax-f32-deep)   args=(--iterations "$ITERATIONS" --dtype float32 --model deep) ;;
        jax-f64-two)    args=(--iterations "$ITERATIONS" --dtype float64 --model two-layer) ;;
        jax-adam-deep)  args=(--workload minibatch --epochs "$EPOCHS" --dtype float64) ;;
        *) die "unknown configuration $config" ;;
    esac
    case "$config" in
        tg-*)
            "$TAPEGRAD" train --data "$DATA_DIR" --out "$TMP/m.h5" --plot "$TMP/c.png" \
                "${args[@]}" >"$log" 2>&1 \
                || { cat "$log" >&2; die "tapegrad run '$config' failed (output above)"; }
            # "Cost after iteration 0: 0.771749" / "Cost after epoch 1: 0.7774705904774848"
            # "Trained 300 iterations in 2.51 s (8.367 ms per iteration)"
            # "Trained 100 epochs in 4.51 s (median 45.103 ms per epoch)"
            sed -n 's/^Cost after \(iteration\|epoch\) \([0-9]*\): \(.*\)$/\2 \3/p' "$log" \
                >"${log%.log}.costs"
            sed -n 's/^Trained .*(\(median \)\{0,1\}\([0-9.]*\) ms per \(iteration\|epoch\).*$/\2/p' \
                "$log" >"${log%.log}.ms"
            ;;
        np-* | jax-*)
            local cmd=("$PY" "$ROOT/benches/numpy_step.py")
            if [[ "$config" == jax-* ]]; then
                # taskset -c 0 for 1 thread, 0,1 for 2.
                cmd=(taskset -c "$(seq -s, 0 $((threads - 1)))" "$PY" "$ROOT/benches/jax_step.py"
                     --threads "$threads")
            fi
            "${cmd[@]}" --data "$DATA_DIR" "${args[@]}" >"$log" 2>&1 \
                || { cat "$log" >&2; die "run '$config' failed (output above)"; }
            sed -n 's/^cost \([0-9]*\) \(.*\)$/\1 \2/p' "$log" >"${log%.log}.costs"
            sed -n 's/^ms_per_\(iter\|epoch\) \(.*\)$/\2/p' "$log" >"${log%.log}.ms"
            ;;
    esac
    [ -s "${log%.log}.ms" ] || { cat "$log" >&2; die "no ms per iteration or epoch in the output of '$config' (above)"; }
    [ -s "${log%.log}.costs" ] || { cat "$log" >&2; die "no costs in the output of '$config' (above)"; }
}

# check_costs KIND FILE REFERENCE [FILE REFERENCE ...]: fail loudly on a mismatch. Each pair is
# a run's .costs and its reference's (NumPy's); KIND says what "the same" means:
#   deep   iterations 0, 100, 200 equal at 6 decimals (the course prints %f)
#   two    iterations 0, 100, 200 within relative 1e-10 (docs/course.md §5)
#   f32    iterations 0, 100, 200 within relative 1e-5 of NumPy's f64 (f32 drifts later)
#   epochs every epoch of the reference within relative 1e-9 (all are f64)
check_costs() {
    "$PY" - "$@" <<'EOF'
import os, sys
kind, files = sys.argv[1], sys.argv[2:]
read = lambda path: {int(i): v for i, v in (line.split() for line in open(path))}
name = lambda path: os.path.basename(path).rsplit("-t", 1)[0]
bad = []
for run_file, ref_file in zip(files[::2], files[1::2]):
    run, ref = read(run_file), read(ref_file)
    points = sorted(ref) if kind == "epochs" else [i for i in (0, 100, 200) if i in ref]
    for i in points:
        if i not in run:
            bad.append("%s at %d: no cost printed" % (name(run_file), i))
            continue
        a, b = float(run[i]), float(ref[i])
        if kind == "deep":
            ok = "%.6f" % a == "%.6f" % b
        else:
            ok = abs(a - b) <= {"two": 1e-10, "f32": 1e-5, "epochs": 1e-9}[kind] * abs(b)
        if not ok:
            bad.append("%s at %d: %s, %s %r" % (name(run_file), i, run[i], name(ref_file), b))
if bad:
    print("COST MISMATCH (%s):\n  %s" % (kind, "\n  ".join(bad)), file=sys.stderr)
    sys.exit(1)
EOF
}

c() { echo "$TMP/$1-t$THREADS-r$REP.costs"; }   # a run's .costs, this thread count and rep

RAW="$TMP/timings.tsv"          # threads  config  rep  ms
: >"$RAW"
for THREADS in 1 2; do
    export OPENBLAS_NUM_THREADS=$THREADS OMP_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS MATMUL_NUM_THREADS=$THREADS
    for REP in $(seq 1 "$REPS"); do
        for CONFIG in "${CONFIGS[@]}"; do
            LOG="$TMP/$CONFIG-t$THREADS-r$REP.log"
            run_config "$CONFIG" "$THREADS" "$LOG"
            printf '%s\t%s\t%s\t%s\n' "$THREADS" "$CONFIG" "$REP" "$(cat "${LOG%.log}.ms")" >>"$RAW"
            UNIT=iteration
            [[ "$CONFIG" == *-adam-* ]] && UNIT=epoch
            printf '%d thread(s), rep %d/%d, %-15s %8.3f ms/%s\n' \
                "$THREADS" "$REP" "$REPS" "$CONFIG" "$(cat "${LOG%.log}.ms")" "$UNIT" >&2
        done
        # Same math, same costs, every repetition: each program against NumPy's.
        if ! { check_costs deep "$(c tg-f64-deep)" "$(c np-course-deep)" \
                    "$(c tg-f64-deep)" "$(c np-best-deep)" "$(c jax-f64-deep)" "$(c np-course-deep)" \
                && check_costs two "$(c tg-f64-two)" "$(c np-course-two)" \
                    "$(c jax-f64-two)" "$(c np-course-two)" \
                && check_costs f32 "$(c tg-f32-deep)" "$(c np-course-deep)" \
                    "$(c jax-f32-deep)" "$(c np-course-deep)" \
                && check_costs epochs "$(c tg-adam-deep)" "$(c np-adam-deep)" \
                    "$(c jax-adam-deep)" "$(c np-adam-deep)"; }; then
            die "the programs disagree on the costs (above): the timings compare different computations"
        fi
    done
done

# ---------------------------------------------------------------------------- report
LOAD_AFTER="$(loadavg)"
DATE="$(date +%Y-%m-%d)"
STAMP="$(date +%Y-%m-%d-%H%M%S)"
CPU="$(lscpu | sed -n 's/^Model name: *//p' | head -n 1)"
CORES="$(nproc)"
if COMMIT="$(git rev-parse --short HEAD 2>/dev/null)"; then
    git diff --quiet HEAD -- || COMMIT="$COMMIT + uncommitted changes"
else
    COMMIT="(not a git checkout)"
fi
RUSTC="$(rustc --version 2>/dev/null || echo 'rustc ?')"
mkdir -p "$ROOT/benches/results"
OUT="$ROOT/benches/results/compare-$STAMP.md"
cp "$RAW" "${OUT%.md}.tsv"

"$PY" - "$RAW" "$TMP/floor.txt" "$DATE" "$CPU" "$CORES" "$COMMIT" "$RUSTC" "$PY_INFO" \
    "$ITERATIONS" "$EPOCHS" "$REPS" "$LOAD_BEFORE" "$LOAD_AFTER" \
    >"$OUT" <<'EOF'
import statistics, sys
(raw, floor_file, date, cpu, cores, commit, rustc, py_info, iterations, epochs, reps,
 load_before, load_after) = sys.argv[1:14]
ms = {}
for line in open(raw):
    threads, config, _rep, value = line.split("\t")
    ms.setdefault((int(threads), config), []).append(float(value))
med = {k: statistics.median(v) for k, v in ms.items()}
floor = {k: float(v) for k, v in (line.split() for line in open(floor_file))}

steps = [("tg-f64-deep", "tapegrad f64, deep"), ("np-course-deep", "NumPy course, deep"),
         ("np-best-deep", "NumPy best, deep"), ("jax-f64-deep", "JAX f64, deep"),
         ("tg-f32-deep", "tapegrad f32, deep"), ("jax-f32-deep", "JAX f32, deep"),
         ("tg-f64-two", "tapegrad f64, two-layer"), ("np-course-two", "NumPy course, two-layer"),
         ("jax-f64-two", "JAX f64, two-layer")]
minibatch = [("tg-adam-deep", "tapegrad"), ("np-adam-deep", "NumPy course"),
             ("jax-adam-deep", "JAX")]
print("# tapegrad vs NumPy and JAX: training the cat classifier")
print()
print("- date: %s" % date)
print("- machine: %s, %s cores (lscpu / nproc)" % (cpu, cores))
print("- tapegrad %s, %s; %s" % (commit, rustc, py_info))
print("- full batch: %s iterations per run (forward, cost, backward, update; 209 images, "
      "lr 0.0075); mini-batch: %s epochs per run of Adam (batches of 64, seed = epoch, "
      "lr 0.0007), the run's median epoch; %s runs per configuration and thread count, "
      "alternating; times are the training loop only, median (min–max) of the runs"
      % (iterations, epochs, reps))
print("- deep = [12288, 20, 7, 5, 1], two-layer = [12288, 7, 1]; NumPy course = the course's "
      "code (dA0 included), NumPy best = same math, no dA0, in-place updates "
      "(benches/numpy_step.py); JAX = jit of value_and_grad + update, XLA_FLAGS one/two "
      "threads, taskset (benches/jax_step.py)")
print("- load average (1, 5, 15 min) before: %s, after: %s (other processes distort the "
      "timings, 2-thread runs most)" % (load_before, load_after))
print("- floor of the deep f64 step on one core (benches/floor.py): %.1f MFLOP (two products "
      "of 2·20·12288·209 dominate) at the dgemm peak %.1f GFLOP/s (2048², 1 thread) = %.2f ms; "
      "%.1f MB (X read twice) at %.1f GB/s (np.sum, 400 MB) = %.2f ms; floor %.2f ms"
      % (floor["step_mflop"], floor["peak_gflops"], floor["step_mflop"] / floor["peak_gflops"],
         floor["step_mb"], floor["read_gbps"], floor["step_mb"] / floor["read_gbps"],
         floor["floor_ms"]))
print()

def cell(t, config):
    v = ms[(t, config)]
    return "%.2f (%.2f–%.2f)" % (statistics.median(v), min(v), max(v))

print("| full batch, ms per iteration | 1 thread | 2 threads |")
print("|---|---:|---:|")
for config, name in steps:
    print("| %s | %s | %s |" % (name, cell(1, config), cell(2, config)))
print()
print("| mini-batch Adam (deep, f64), ms per epoch | 1 thread | 2 threads |")
print("|---|---:|---:|")
for config, name in minibatch:
    print("| %s | %s | %s |" % (name, cell(1, config), cell(2, config)))
print()

def verdict(value, op, target):
    ok = value >= target if op == "≥" else value <= target
    return "%.2f %s" % (value, "✓" if ok else "✗")

# (name, numerator, denominator, op, target, the thread counts the target is for)
BOTH, ONE = (1, 2), (1,)
ratios = [
    ("(a) NumPy best / tapegrad f64 (deep)", "np-best-deep", "tg-f64-deep", "≥", 1.25, BOTH),
    ("(a) JAX f64 / tapegrad f64 (deep)", "jax-f64-deep", "tg-f64-deep", "≥", 1.25, BOTH),
    ("(c) JAX f64 / tapegrad f64 (two-layer)", "jax-f64-two", "tg-f64-two", "≥", 1.25, BOTH),
    ("(d) JAX f32 / tapegrad f32 (deep)", "jax-f32-deep", "tg-f32-deep", "≥", 1.25, BOTH),
    ("(e) tapegrad f64 / f32 (deep)", "tg-f64-deep", "tg-f32-deep", "≥", 1.6, BOTH),
    ("(f) mini-batch: NumPy course / tapegrad", "np-adam-deep", "tg-adam-deep", "≥", 1.5, ONE),
    ("(f) mini-batch: JAX / tapegrad", "jax-adam-deep", "tg-adam-deep", "≥", 1.0, ONE),
    ("reference: NumPy course / tapegrad f64 (deep)", "np-course-deep", "tg-f64-deep", "≥",
     1.25, BOTH),
    ("reference: NumPy course / tapegrad f64 (two-layer)", "np-course-two", "tg-f64-two", "≥",
     1.25, BOTH),
]
print("| ratio of medians | target | 1 thread | 2 threads |")
print("|---|---:|---:|---:|")
for name, num, den, op, target, where in ratios:
    cells = []
    for t in (1, 2):
        r = med[(t, num)] / med[(t, den)]
        cells.append(verdict(r, op, target) if t in where else "%.2f" % r)
    scope = "" if where == BOTH else " (1 thread)"
    print("| %s | %s %.2f%s | %s | %s |" % (name, op, target, scope, cells[0], cells[1]))
print("| (b) tapegrad f64 (deep) / floor | ≤ 1.50 (1 thread) | %s | |"
      % verdict(med[(1, "tg-f64-deep")] / floor["floor_ms"], "≤", 1.5))
for config, name in [("tg-f64-deep", "tapegrad f64 (deep)"), ("np-best-deep", "NumPy best (deep)"),
                     ("jax-f64-deep", "JAX f64 (deep)")]:
    print("| %s 2 threads / 1 thread, for reference | | | %.2f |"
          % (name, med[(2, config)] / med[(1, config)]))
EOF

echo
cat "$OUT"
echo
echo "Saved to ${OUT#"$ROOT"/} (raw timings in the .tsv beside it)" >&2
