#!/usr/bin/python3
"""pydicom + numpy doing the work our DICOM benchmarks do, on the same files (see compare.sh).
Prints one JSON object: best-of-N seconds per task."""
import glob, json, os, sys, time
import numpy as np
import pydicom

root = sys.argv[1]
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5


def best(task, n):
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        task()
        times.append(time.perf_counter() - t0)
    return min(times)


def native_volume():
    # Read every slice, order by position along the normal, rescale to float32 HU and stack (issue 3 §9).
    slices = [pydicom.dcmread(f) for f in glob.glob(os.path.join(root, "native", "*.dcm"))]
    iop = np.array(slices[0].ImageOrientationPatient, dtype=float)
    normal = np.cross(iop[:3], iop[3:])
    slices.sort(key=lambda d: float(np.dot(normal, np.array(d.ImagePositionPatient, dtype=float))))
    volume = np.stack([(d.pixel_array * float(d.RescaleSlope) + float(d.RescaleIntercept)).astype(np.float32) for d in slices])
    assert volume.shape == (300, 512, 512)


def header_scan():
    files = glob.glob(os.path.join(root, "scan", "*.dcm"))
    series = {}
    for f in files:
        d = pydicom.dcmread(f, stop_before_pixels=True)
        series.setdefault((d.StudyInstanceUID, d.SeriesInstanceUID), []).append(d.ImagePositionPatient)
    assert len(files) == 10000


native_volume()  # warm the page cache
print(json.dumps({
    "pydicomNativeVolumeSeconds": best(native_volume, repeats),
    "pydicomHeaderScanSeconds": best(header_scan, max(1, repeats // 2)),
}))
