"""benchmarks/mlp.py at a tiny size: it runs, both sides take the same step, and its last line is the contract."""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys


def test_mlp_benchmark_runs_and_ends_with_its_fraction_line(tmp_path):
    root = pathlib.Path(__file__).resolve().parents[1]
    proc = subprocess.run([sys.executable, str(root / "benchmarks" / "mlp.py"), "--hidden", "32", "--batch", "64",
                           "--repeats", "1", "--blas-threads", "1"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300, env=dict(os.environ, PYTHONPATH=str(root)))
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.strip().splitlines()
    assert re.fullmatch(r"fraction of peak: numpy \d+\.\d\d, keras \d+\.\d\d", lines[-1]), proc.stdout
    assert "GFLOP per step" in lines[0] and "1 threads" in proc.stdout, proc.stdout
    same_step = next(line for line in lines if line.startswith("one step from the same weights"))
    assert float(re.search(r"max difference (\S+) ", same_step).group(1)) < 1e-5, same_step
