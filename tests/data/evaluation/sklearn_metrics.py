"""Independent reference for OsteoML.Evaluation: the study's metrics from scikit-learn, scipy and numpy.

Usage: /usr/bin/python3 sklearn_metrics.py CASES.json  → JSON on stdout, one result per case.
A case: {"classes": K, "truth": [...], "proba": [[...]], "pred": [...] | null,
         "reference": [...], "predicted": [...], "weights": [...] | null}.
Weights are row multiplicities (a bootstrap replicate); rows are repeated that many times, so the
reference never sees weights. Undefined values are null. Macro averages: the mean of the per-class
values that are defined (precision: class predicted; recall: class present; specificity: another class
present; F1: class present or predicted) — sklearn's own macro average is reported too, for the case
where every per-class value is defined and the two must agree.
"""
import json
import sys
import warnings

import numpy as np
from scipy import stats
from sklearn import metrics

warnings.simplefilter("ignore")  # zero_division warnings: undefined values are masked explicitly below


def nan_to_none(values):
    return [None if v is None or np.isnan(v) else float(v) for v in values]


def mean_defined(values, defined):
    chosen = [v for v, d in zip(values, defined) if d]
    return float(np.mean(chosen)) if chosen else None


def classification(case, rows):
    k = case["classes"]
    y = np.asarray(case["truth"], dtype=int)[rows]
    p = np.asarray(case["proba"], dtype=float)[rows]
    yp = np.asarray(case["pred"], dtype=int)[rows] if case.get("pred") is not None else np.argmax(p, axis=1)
    labels = list(range(k))
    aucs, curves = [], []
    for c in labels:
        positive = (y == c).astype(int)
        if 0 < positive.sum() < len(positive):
            aucs.append(metrics.roc_auc_score(positive, p[:, c]))
            fpr, tpr, _ = metrics.roc_curve(positive, p[:, c], drop_intermediate=False)
            curves.append({"fpr": fpr.tolist(), "tpr": tpr.tolist()})
        else:
            aucs.append(None)
            curves.append(None)
    precision, recall, f1, support = metrics.precision_recall_fscore_support(
        y, yp, labels=labels, average=None, zero_division=0)
    called = np.array([(yp == c).sum() for c in labels])
    mcm = metrics.multilabel_confusion_matrix(y, yp, labels=labels)  # per class [[tn, fp], [fn, tp]]
    tn, fp = mcm[:, 0, 0], mcm[:, 0, 1]
    specificity = [t / (t + f) if t + f > 0 else None for t, f in zip(tn, fp)]
    defined_auc = [a is not None for a in aucs]
    sk_macro = metrics.precision_recall_fscore_support(y, yp, labels=labels, average="macro", zero_division=0)
    return {
        "auc": aucs,
        "meanAuc": mean_defined(aucs, defined_auc),
        "accuracy": metrics.accuracy_score(y, yp),
        "precisionPerClass": [float(v) if c > 0 else None for v, c in zip(precision, called)],
        "recallPerClass": [float(v) if s > 0 else None for v, s in zip(recall, support)],
        "f1PerClass": [float(v) if s + c > 0 else None for v, s, c in zip(f1, support, called)],
        "specificityPerClass": nan_to_none([np.nan if s is None else s for s in specificity]),
        "precision": mean_defined(precision, called > 0),
        "recall": mean_defined(recall, support > 0),
        "f1": mean_defined(f1, support + called > 0),
        "specificity": mean_defined([s or 0 for s in specificity], [s is not None for s in specificity]),
        "sklearnMacro": {"precision": sk_macro[0], "recall": sk_macro[1], "f1": sk_macro[2]},
        "confusion": metrics.confusion_matrix(y, yp, labels=labels).tolist(),
        "roc": curves,
    }


def regression(case, rows):
    x = np.asarray(case["reference"], dtype=float)[rows]
    y = np.asarray(case["predicted"], dtype=float)[rows]
    d = y - x
    n = len(x)
    r, p = (None, None)
    if n >= 2 and np.ptp(x) > 0 and np.ptp(y) > 0:
        result = stats.pearsonr(x, y)
        r, p = float(result[0]), float(result[1]) if n >= 3 else None
    sd = np.std(d, ddof=1) if n >= 2 else None
    return {
        "mae": metrics.mean_absolute_error(x, y),
        "rmse": float(np.sqrt(metrics.mean_squared_error(x, y))),
        "r2": metrics.r2_score(x, y) if np.ptp(x) > 0 else None,
        "pearsonR": r,
        "pearsonP": p,
        "bias": float(np.mean(d)),
        "loaLow": float(np.mean(d) - 1.96 * sd) if sd is not None else None,
        "loaHigh": float(np.mean(d) + 1.96 * sd) if sd is not None else None,
    }


def evaluate(case, weights=None):
    n = len(case["truth"]) if case.get("truth") is not None else len(case["reference"])
    rows = np.repeat(np.arange(n), weights) if weights is not None else np.arange(n)
    result = {}
    if case.get("truth") is not None:
        result["classification"] = classification(case, rows)
    if case.get("reference") is not None:
        result["regression"] = regression(case, rows)
    return result


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    json.dump([evaluate(case, case.get("weights")) for case in cases], sys.stdout)
