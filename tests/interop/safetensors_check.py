"""Reads tapegrad's safetensors files with Python's safetensors, and writes one for tapegrad.

    python safetensors_check.py read FILE    # checks the arrays tapegrad wrote
    python safetensors_check.py write FILE   # writes the arrays tapegrad checks

Both sides compute the same values independently: k/7 − 3 for k = 0, 1, …, in float64, and
the same rounded to float32, so equality is bit for bit.
"""
import sys

import numpy as np
from safetensors.numpy import load_file, save_file


def expected():
    def values(shape, dtype):
        n = int(np.prod(shape))
        v = np.array([k / 7 - 3 for k in range(n)], dtype=np.float64)
        return v.astype(dtype).reshape(shape)

    return {
        "W1": values((3, 4), np.float64),
        "b1": values((3, 1), np.float64),
        "single": values((2, 5), np.float32),
        "scalarish": values((1,), np.float64),
    }


def main():
    mode, path = sys.argv[1], sys.argv[2]
    want = expected()
    if mode == "write":
        save_file(want, path, metadata={"writer": "python"})
        return
    got = load_file(path)
    assert sorted(got) == sorted(want), (sorted(got), sorted(want))
    for name, w in want.items():
        g = got[name]
        assert g.dtype == w.dtype, (name, g.dtype, w.dtype)
        assert g.shape == w.shape, (name, g.shape, w.shape)
        assert g.tobytes() == w.tobytes(), name
    print("ok", len(got))


if __name__ == "__main__":
    main()
