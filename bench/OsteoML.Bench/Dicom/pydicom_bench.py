#!/usr/bin/python3
"""pydicom + numpy doing the work our DICOM benchmarks do, on the same files, as a server for alternating rounds:
DicomComparison writes a task name per line ("series" or "scan") and reads back the seconds that task took.
Usage: pydicom_bench.py ROOT SLICES SIZE SCAN_FILES"""
import glob, os, sys, time
import numpy as np
import pydicom

root = sys.argv[1]
slices_expected, size, scan_files = (int(a) for a in sys.argv[2:5])


def series():
    # Read every slice, order by position along the normal, rescale to float32 HU and stack (issue 3 §9).
    slices = [pydicom.dcmread(f) for f in glob.glob(os.path.join(root, "native", "*.dcm"))]
    iop = np.array(slices[0].ImageOrientationPatient, dtype=float)
    normal = np.cross(iop[:3], iop[3:])
    slices.sort(key=lambda d: float(np.dot(normal, np.array(d.ImagePositionPatient, dtype=float))))
    volume = np.stack([(d.pixel_array * float(d.RescaleSlope) + float(d.RescaleIntercept)).astype(np.float32) for d in slices])
    assert volume.shape == (slices_expected, size, size), volume.shape


def scan():
    files = glob.glob(os.path.join(root, "scan", "*.dcm"))
    groups = {}
    for f in files:
        d = pydicom.dcmread(f, stop_before_pixels=True)
        groups.setdefault((d.StudyInstanceUID, d.SeriesInstanceUID), []).append(d.ImagePositionPatient)
    assert len(files) == scan_files, len(files)


tasks = {"series": series, "scan": scan}
for line in sys.stdin:
    t0 = time.perf_counter()
    tasks[line.strip()]()
    print(time.perf_counter() - t0, flush=True)
