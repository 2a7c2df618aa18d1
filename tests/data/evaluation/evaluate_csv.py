"""Independent reference for `osteoml evaluate`: reads a predictions CSV with Python's csv module, forms the
subsets (all rows; then every combination of the grouping columns, singles first, in the order given; values
in order of first appearance) and computes each subset's metrics with scikit-learn/scipy (sklearn_metrics.py).

Usage: /usr/bin/python3 evaluate_csv.py PREDICTIONS.csv split,site  → JSON list on stdout:
[{"by": {...}, "n": N, "classification": {...}, "regression": {...}}, ...]
"""
import csv
import itertools
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sklearn_metrics import evaluate  # noqa: E402

CLASSES = ["normal", "osteopenia", "osteoporosis"]

with open(sys.argv[1], newline="", encoding="utf-8-sig") as f:
    rows = list(csv.DictReader(f))
dimensions = [d for d in sys.argv[2].split(",") if d] if len(sys.argv) > 2 else []


def metrics(subset):
    case = {
        "classes": 3,
        "truth": [CLASSES.index(r["class_true"]) for r in subset],
        "proba": [[float(r["p_" + c]) for c in CLASSES] for r in subset],
        "pred": [CLASSES.index(r["class_pred"]) for r in subset] if "class_pred" in subset[0] else None,
        "reference": [float(r["bmd_true"]) for r in subset],
        "predicted": [float(r["bmd_pred"]) for r in subset],
    }
    return evaluate(case)


out = [{"by": {}, "n": len(rows), **metrics(rows)}]
for size in range(1, len(dimensions) + 1):
    for combination in itertools.combinations(dimensions, size):
        groups = {}
        for r in rows:
            groups.setdefault(tuple(r[d] for d in combination), []).append(r)
        for values, subset in groups.items():
            out.append({"by": dict(zip(combination, values)), "n": len(subset), **metrics(subset)})
json.dump(out, sys.stdout)
