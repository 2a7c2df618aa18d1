#!/usr/bin/env bash
# Side-by-side DICOM benchmark (issue 3 §9): our reader against pydicom + numpy and dcmtk's dcmdjpeg, on the
# same generated files, in one run. Prints the machine, every timing and the ratios as a markdown table for
# docs/performance.md. Needs dcmtk and Debian's python3-pydicom/python3-numpy. Takes about 10 minutes.
#   bash bench/OsteoML.Bench/Dicom/compare.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
export OSTEOML_BENCH_DICOM=${OSTEOML_BENCH_DICOM:-/tmp/osteoml-bench-dicom}
data=$OSTEOML_BENCH_DICOM
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. Ours (BenchmarkDotNet; its GlobalSetup writes the data on first use).
cd "$repo"
dotnet run -c Release --project bench/OsteoML.Bench -- --filter '*DicomBenchmarks*' --exporters csv --artifacts "$work/bdn" > "$work/bdn.log" 2>&1 \
  || { tail -40 "$work/bdn.log"; exit 1; }
csv=$(ls "$work"/bdn/results/*DicomBenchmarks-report.csv)

# 2. pydicom + numpy on the same files.
/usr/bin/python3 "$here/pydicom_bench.py" "$data" 5 > "$work/pydicom.json"

# 3. dcmdjpeg: the 300-frame file in one process (best of 3), and the 300-file series one process per file.
best_of() { # best_of N command... → seconds
  local n=$1; shift; local best=999999
  for _ in $(seq "$n"); do
    local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N)
    best=$(echo "if ($t1 - $t0 < $best) $t1 - $t0 else $best" | bc -l)
  done
  echo "$best"
}
mkdir -p "$work/dj"
multi=$(best_of 3 dcmdjpeg "$data/multiframe-jpeg.dcm" "$work/dj/multi.dcm")
series_seq=$(best_of 2 bash -c "for f in '$data'/jpeg/*.dcm; do dcmdjpeg \"\$f\" '$work/dj/one.dcm'; done")
series_par=$(best_of 2 bash -c "ls '$data'/jpeg/*.dcm | xargs -P $(nproc) -I{} sh -c 'dcmdjpeg {} $work/dj/\$(basename {})'")

# 4. Ratios.
/usr/bin/python3 - "$csv" "$work/pydicom.json" "$multi" "$series_seq" "$series_par" <<'PY'
import csv, json, sys, datetime, subprocess
rows = {r["Method"]: r for r in csv.DictReader(open(sys.argv[1]))}
def seconds(text):
    value, unit = text.replace(",", "").split()
    return float(value) * {"ns": 1e-9, "us": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0}[unit]
ours = {m: seconds(r["Mean"]) for m, r in rows.items()}
alloc = {m: r.get("Allocated", "") for m, r in rows.items()}
py = json.load(open(sys.argv[2]))
multi, seq, par = map(float, sys.argv[3:6])
pixel_bytes = 512 * 512 * 300 * 2
voxel_mib = 512 * 512 * 300 * 4 / 2**20
def mib(text):
    value, unit = text.replace(",", "").split()
    return float(value) * {"B": 2**-20, "KB": 2**-10, "MB": 1.0, "GB": 1024.0}[unit]
print("date:", datetime.date.today().isoformat())
print("machine:", subprocess.run("lscpu | grep -E '^Model name' | sed 's/ \\+/ /g'", shell=True, capture_output=True, text=True).stdout.strip(),
      "| nproc", subprocess.run("nproc", capture_output=True, text=True).stdout.strip(),
      "|", subprocess.run("free -g | awk '/Mem:/{print $2\" GiB\"}'", shell=True, capture_output=True, text=True).stdout.strip())
print()
print("| task | OsteoML | reference | ratio (reference / ours) | target |")
print("|---|---|---|---|---|")
n = ours["NativeSeriesToHuVolume"]
print(f"| 512×512×300 uncompressed series → HU volume | {n*1e3:.0f} ms ({pixel_bytes/n/1e9:.2f} GB/s of pixel data) | pydicom+numpy {py['pydicomNativeVolumeSeconds']*1e3:.0f} ms | {py['pydicomNativeVolumeSeconds']/n:.1f}× | ≥ 1 GB/s and ≥ 5× |")
j = ours["JpegMultiFrameDecodeOneThread"]
print(f"| JPEG lossless 300 frames, one file, one thread | {j*1e3:.0f} ms | dcmdjpeg {multi*1e3:.0f} ms | {multi/j:.2f}× | ≥ 1.0× |")
s = ours["JpegSeriesToHuVolume"]
print(f"| JPEG lossless 300-file series → HU volume ({subprocess.run('nproc', capture_output=True, text=True).stdout.strip()} threads) | {s*1e3:.0f} ms | dcmdjpeg per file, sequential {seq*1e3:.0f} ms; xargs -P nproc {par*1e3:.0f} ms | {seq/s:.2f}× / {par/s:.2f}× | ≥ 1.0× |")
h = ours["HeaderScan10000Files"]
print(f"| header-only scan of 10,000 files (warm) | {h*1e3:.0f} ms ({10000/h:,.0f} files/s) | pydicom stop_before_pixels {py['pydicomHeaderScanSeconds']*1e3:.0f} ms ({10000/py['pydicomHeaderScanSeconds']:,.0f} files/s) | {py['pydicomHeaderScanSeconds']/h:.1f}× | ≥ 20,000 files/s |")
r = ours["HeaderRead10000FilesOneThread"]
print(f"| 10,000 headers, reader alone, one thread | {r*1e3:.0f} ms ({10000/r:,.0f} files/s) | | | |")
print(f"| memory: allocated per series → HU volume | {alloc['NativeSeriesToHuVolume']} for {voxel_mib:.0f} MiB of voxels ({mib(alloc['NativeSeriesToHuVolume'])/voxel_mib - 1:+.1%}) | | | < +10 % |")
PY
