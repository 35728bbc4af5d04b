#!/usr/bin/env bash
# tapegrad vs NumPy on one training step of the course's cat classifier.
#
#   benches/compare.sh [--data DIR] [--iterations N] [--reps R]
#
# Times N full-batch gradient-descent iterations (forward, cost, backward, update; learning
# rate 0.0075, the 209 training images) of
#   - the L-layer model [12288, 20, 7, 5, 1]: tapegrad f64 and f32, NumPy as the course
#     writes it (benches/numpy_step.py --variant course) and the best NumPy program for the
#     same math (--variant best);
#   - the two-layer model [12288, 7, 1]: tapegrad f64 and NumPy as the course writes it;
# with 1 and then 2 BLAS/matmul threads, R repetitions each, the configurations alternating
# within a repetition. It first checks that tapegrad and NumPy compute the same costs, then
# prints a markdown table of median ms/iteration (min-max) and the ratios the project aims
# for, and saves it to benches/results/compare-<date>.md (raw timings beside it, .tsv).
#
# The data directory (train_catvnoncat.h5, test_catvnoncat.h5) comes from --data, else
# $CATVNONCAT_DIR, else the repository's data/catvnoncat. NumPy and h5py are installed into benches/.venv on first use.
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
REPS=5
DATA_DIR="${CATVNONCAT_DIR:-}"
while [ $# -gt 0 ]; do
    case "$1" in
        --data) DATA_DIR="${2:?--data needs a directory}"; shift 2 ;;
        --data=*) DATA_DIR="${1#*=}"; shift ;;
        --iterations) ITERATIONS="${2:?--iterations needs a number}"; shift 2 ;;
        --iterations=*) ITERATIONS="${1#*=}"; shift ;;
        --reps) REPS="${2:?--reps needs a number}"; shift 2 ;;
        --reps=*) REPS="${1#*=}"; shift ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done
[[ "$ITERATIONS" =~ ^[1-9][0-9]*$ ]] || die "--iterations must be a positive integer, got '$ITERATIONS'"
[[ "$REPS" =~ ^[1-9][0-9]*$ ]] || die "--reps must be a positive integer, got '$REPS'"
[ -n "$DATA_DIR" ] || DATA_DIR="$(cd "$(dirname "$0")/.." && pwd)/data/catvnoncat"
[ -f "$DATA_DIR/train_catvnoncat.h5" ] || die "no train_catvnoncat.h5 in '$DATA_DIR'"
DATA_DIR="$(cd "$DATA_DIR" && pwd)"          # absolute: we change directory next

cd "$(dirname "${BASH_SOURCE[0]}")/.."        # the repository root
ROOT="$(pwd)"

# ---------------------------------------------------------------------------- NumPy venv
VENV="$ROOT/benches/.venv"
PY="$VENV/bin/python"
NUMPY_PIN="numpy==2.4.6"
H5PY_PIN="h5py==3.16.0"
if [ ! -x "$PY" ]; then
    echo "Creating $VENV ..." >&2
    python3 -m venv "$VENV"
fi
if ! "$PY" -c 'import numpy, h5py' 2>/dev/null; then
    echo "Installing $NUMPY_PIN $H5PY_PIN into $VENV ..." >&2
    "$PY" -m pip install --quiet --disable-pip-version-check "$NUMPY_PIN" "$H5PY_PIN"
fi
NUMPY_INFO="$("$PY" - <<'EOF'
import numpy as np
blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
print("NumPy %s, BLAS %s %s" % (np.__version__, blas.get("name", "?"), blas.get("version", "")))
EOF
)"
echo "$NUMPY_INFO"

# ---------------------------------------------------------------------------- tapegrad
echo "Building tapegrad's example (cargo build --release --example cat_classifier) ..." >&2
cargo build --release --example cat_classifier
TAPEGRAD="${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/cat_classifier"
[ -x "$TAPEGRAD" ] || die "cargo built no $TAPEGRAD"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# ---------------------------------------------------------------------------- runs
# Each run writes its whole output to $TMP/<config>-t<threads>-r<rep>.log, then two files:
#   .ms     its ms per iteration
#   .costs  lines "<i> <cost>" for i = 0, 100, 200, ...
CONFIGS=(tg-f64-deep np-course-deep np-best-deep tg-f32-deep tg-f64-two np-course-two)

run_config() {   # run_config CONFIG LOG: one run, output to LOG
    local config="$1" log="$2" tg=() np=()
    case "$config" in
        tg-f64-deep)   tg=() ;;
        tg-f32-deep)   tg=(--f32) ;;
        tg-f64-two)    tg=(--model two-layer) ;;
        np-course-deep) np=(--variant course --model deep) ;;
        np-best-deep)   np=(--variant best --model deep) ;;
        np-course-two)  np=(--variant course --model two-layer) ;;
        *) die "unknown configuration $config" ;;
    esac
    if [[ "$config" == tg-* ]]; then
        "$TAPEGRAD" train --iterations "$ITERATIONS" --data "$DATA_DIR" \
            --out "$TMP/m.h5" --plot "$TMP/c.png" "${tg[@]}" >"$log" 2>&1 \
            || { cat "$log" >&2; die "tapegrad run '$config' failed (output above)"; }
        # "Cost after iteration 0: 0.771749" / "Trained 300 iterations in 2.51 s (8.367 ms per iteration)"
        sed -n 's/^Cost after iteration \([0-9]*\): \(.*\)$/\1 \2/p' "$log" >"${log%.log}.costs"
        sed -n 's/^Trained .*(\([0-9.]*\) ms per iteration.*$/\1/p' "$log" >"${log%.log}.ms"
    else
        "$PY" "$ROOT/benches/numpy_step.py" --data "$DATA_DIR" --iterations "$ITERATIONS" \
            "${np[@]}" >"$log" 2>&1 \
            || { cat "$log" >&2; die "NumPy run '$config' failed (output above)"; }
        sed -n 's/^cost \([0-9]*\) \(.*\)$/\1 \2/p' "$log" >"${log%.log}.costs"
        sed -n 's/^ms_per_iter \(.*\)$/\1/p' "$log" >"${log%.log}.ms"
    fi
    [ -s "${log%.log}.ms" ] || { cat "$log" >&2; die "no ms per iteration in the output of '$config' (above)"; }
    [ -s "${log%.log}.costs" ] || { cat "$log" >&2; die "no costs in the output of '$config' (above)"; }
}

check_costs() {   # check_costs TAPEGRAD.costs NUMPY.costs deep|two: fail loudly on a mismatch
    "$PY" - "$@" <<'EOF'
import sys
tg_file, np_file, model = sys.argv[1:4]
read = lambda path: {int(i): v for i, v in (line.split() for line in open(path))}
tg, ref = read(tg_file), read(np_file)
bad = []
for i in (0, 100, 200):
    if i not in ref:
        continue  # fewer iterations than that
    if i not in tg:
        bad.append("iteration %d: tapegrad printed no cost" % i)
        continue
    a, b = float(tg[i]), float(ref[i])
    if model == "deep":   # the course prints %f: equal at 6 decimals
        ok = "%.6f" % a == "%.6f" % b
    else:                 # two-layer, repr: relative 1e-10 (docs/course.md §5)
        ok = abs(a - b) <= 1e-10 * abs(b)
    if not ok:
        bad.append("iteration %d: tapegrad %s, NumPy %r" % (i, tg[i], b))
if bad:
    print("COST MISMATCH (%s model), %s vs %s:\n  %s" % (model, tg_file, np_file, "\n  ".join(bad)),
          file=sys.stderr)
    sys.exit(1)
EOF
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?'; }
LOAD_BEFORE="$(loadavg)"
if awk -v l="${LOAD_BEFORE%% *}" 'BEGIN { exit !(l + 0 > 0.5) }'; then
    echo "compare.sh: warning: load average $LOAD_BEFORE: other processes are running and will" \
         "distort the timings (2-thread OpenBLAS most)" >&2
fi

RAW="$TMP/timings.tsv"          # threads  config  rep  ms
: >"$RAW"
unset OPENBLAS_CORETYPE
for THREADS in 1 2; do
    export OPENBLAS_NUM_THREADS=$THREADS OMP_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS MATMUL_NUM_THREADS=$THREADS
    for REP in $(seq 1 "$REPS"); do
        for CONFIG in "${CONFIGS[@]}"; do
            LOG="$TMP/$CONFIG-t$THREADS-r$REP.log"
            run_config "$CONFIG" "$LOG"
            printf '%s\t%s\t%s\t%s\n' "$THREADS" "$CONFIG" "$REP" "$(cat "${LOG%.log}.ms")" >>"$RAW"
            printf '%d thread(s), rep %d/%d, %-15s %8.3f ms/iteration\n' \
                "$THREADS" "$REP" "$REPS" "$CONFIG" "$(cat "${LOG%.log}.ms")" >&2
        done
        # Same math, same costs: tapegrad f64 against both NumPy programs, every repetition.
        P="$TMP/%s-t$THREADS-r$REP.costs"
        # shellcheck disable=SC2059
        check_costs "$(printf "$P" tg-f64-deep)" "$(printf "$P" np-course-deep)" deep \
            && check_costs "$(printf "$P" tg-f64-deep)" "$(printf "$P" np-best-deep)" deep \
            && check_costs "$(printf "$P" tg-f64-two)" "$(printf "$P" np-course-two)" two \
            || die "tapegrad and NumPy disagree on the costs (above): the timings compare different computations"
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

"$PY" - "$RAW" "$DATE" "$CPU" "$CORES" "$COMMIT" "$RUSTC" "$NUMPY_INFO" "$ITERATIONS" "$REPS" \
    "$LOAD_BEFORE" "$LOAD_AFTER" \
    >"$OUT" <<'EOF'
import statistics, sys
(raw, date, cpu, cores, commit, rustc, numpy_info, iterations, reps, load_before,
 load_after) = sys.argv[1:12]
ms = {}
for line in open(raw):
    threads, config, _rep, value = line.split("\t")
    ms.setdefault((int(threads), config), []).append(float(value))
med = {k: statistics.median(v) for k, v in ms.items()}

rows = [("tg-f64-deep", "tapegrad f64, deep"), ("np-course-deep", "NumPy course, deep"),
        ("np-best-deep", "NumPy best, deep"), ("tg-f32-deep", "tapegrad f32, deep"),
        ("tg-f64-two", "tapegrad f64, two-layer"), ("np-course-two", "NumPy course, two-layer")]
print("# tapegrad vs NumPy: one training step of the cat classifier")
print()
print("- date: %s" % date)
print("- machine: %s, %s cores (lscpu / nproc)" % (cpu, cores))
print("- tapegrad %s, %s; %s" % (commit, rustc, numpy_info))
print("- %s iterations per run (forward, cost, backward, update; 209 images, lr 0.0075), "
      "%s runs per configuration and thread count, alternating; times are the training loop "
      "only, ms per iteration: median (min–max)" % (iterations, reps))
print("- deep = [12288, 20, 7, 5, 1], two-layer = [12288, 7, 1]; NumPy course = the course's "
      "code (dA0 included), NumPy best = same math, no dA0, in-place updates "
      "(benches/numpy_step.py)")
print("- load average (1, 5, 15 min) before: %s, after: %s (other processes distort the "
      "timings, 2-thread OpenBLAS most)" % (load_before, load_after))
print("- for scale: floor ≈ 3.5 ms/step f64 on one Zen 4 core, 1.8 ms on two")
print()
print("| configuration | 1 thread | 2 threads |")
print("|---|---:|---:|")
for config, name in rows:
    cells = []
    for t in (1, 2):
        v = ms[(t, config)]
        cells.append("%.2f (%.2f–%.2f)" % (statistics.median(v), min(v), max(v)))
    print("| %s | %s | %s |" % (name, cells[0], cells[1]))
print()

def verdict(value, op, target):
    ok = value >= target if op == "≥" else value <= target
    return "%.2f %s" % (value, "✓" if ok else "✗")

ratios = [
    ("NumPy course / tapegrad f64 (deep)", "np-course-deep", "tg-f64-deep", "≥", 1.25),
    ("tapegrad f64 / NumPy best (deep)", "tg-f64-deep", "np-best-deep", "≤", 1.15),
    ("tapegrad f64 / f32 (deep)", "tg-f64-deep", "tg-f32-deep", "≥", 1.4),
    ("NumPy course / tapegrad f64 (two-layer)", "np-course-two", "tg-f64-two", "≥", 1.25),
]
print("| ratio of medians | target | 1 thread | 2 threads |")
print("|---|---:|---:|---:|")
for name, num, den, op, target in ratios:
    cells = [verdict(med[(t, num)] / med[(t, den)], op, target) for t in (1, 2)]
    print("| %s | %s %.2f | %s | %s |" % (name, op, target, cells[0], cells[1]))
print("| tapegrad 2 threads / 1 thread (f64 deep) | ≤ 0.65 | | %s |"
      % verdict(med[(2, "tg-f64-deep")] / med[(1, "tg-f64-deep")], "≤", 0.65))
print("| NumPy best 2 threads / 1 thread (deep), for reference | | | %.2f |"
      % (med[(2, "np-best-deep")] / med[(1, "np-best-deep")]))
EOF

echo
cat "$OUT"
echo
echo "Saved to ${OUT#"$ROOT"/} (raw timings in the .tsv beside it)" >&2
