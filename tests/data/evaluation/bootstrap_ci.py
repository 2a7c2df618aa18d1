"""Independent percentile intervals for OsteoML's bootstrap: given one data set and the row weights of each
replicate (our resampling of patients), recompute every metric with scikit-learn/scipy on the rows repeated
that many times and take numpy's percentiles (its default linear interpolation) over the replicates where
the metric is defined.

Usage: /usr/bin/python3 bootstrap_ci.py INPUT.json  with {"case": {...}, "weights": [[...], ...], "level": 0.95}
→ JSON {"metric": [low, high, defined_replicates] | null, ...} on stdout.
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sklearn_metrics import evaluate  # noqa: E402

with open(sys.argv[1]) as f:
    data = json.load(f)
tail = (1 - data["level"]) / 2 * 100
replicates = [evaluate(data["case"], w) for w in data["weights"]]


def interval(values):
    defined = [v for v in values if v is not None]
    if not defined:
        return None
    low, high = np.percentile(defined, [tail, 100 - tail])
    return [float(low), float(high), len(defined)]


out = {}
for key in ["meanAuc", "accuracy", "precision", "recall", "specificity", "f1"]:
    out[key] = interval([r["classification"][key] for r in replicates])
for c in range(data["case"]["classes"]):
    out[f"auc{c}"] = interval([r["classification"]["auc"][c] for r in replicates])
for key in ["mae", "rmse", "r2", "pearsonR", "bias", "loaLow", "loaHigh"]:
    out[key] = interval([r["regression"][key] for r in replicates])
json.dump(out, sys.stdout)
