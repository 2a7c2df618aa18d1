#!/usr/bin/env bash
# Fuzzes the DICOM reader and codecs with AFL++ through SharpFuzz for a bounded time (not part of CI).
#   bash tests/fuzz/run.sh [SECONDS=3600] [dicom|codecs]
# `dicom` feeds whole files through the reader; `codecs` feeds single compressed frames to every decoder
# (JPEG 2000/HTJ2K via OpenJPEG, JPEG-LS via CharLS, DCT JPEG via libjpeg-turbo, JPEG lossless, RLE).
# Needs Debian's afl++ (apt-get install afl++); installs the SharpFuzz.CommandLine tool 2.3.0 under
# tests/fuzz/.tools. Seeds: the reference corpus. Findings land in tests/fuzz/findings/default/{crashes,hangs};
# replay one with `dotnet tests/fuzz/out/OsteoML.Dicom.Fuzz.dll FILE` and turn it into a regression test
# (tests/data/dicom/fuzz/ + FuzzRegressionTests). One fuzzer at a time: the machine is shared.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-3600}
target=${2:-dicom}
case "$target" in dicom) mode=(); findings=findings ;; codecs) mode=(--codecs); findings=findings-codecs ;;
  *) echo "target must be dicom or codecs" >&2; exit 2 ;; esac

command -v afl-fuzz >/dev/null || { echo "afl-fuzz missing: apt-get install afl++" >&2; exit 1; }
if [ ! -x .tools/sharpfuzz ]; then
  dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path .tools >/dev/null
fi

rm -rf out
dotnet build OsteoML.Dicom.Fuzz -c Release -o out -v q -nologo >/dev/null
# Seeds: every reference file (AFL trims them), one copy each; for the codecs, their compressed frames.
rm -rf seeds && mkdir -p seeds
if [ "$target" = codecs ]; then
  mapfile -t sources < <(find ../data/reference-dicom/files ../data/dicom/siemens-j2k -type f \( -name "*.dcm" -o -name "CT.*" \) | sort)
  dotnet out/OsteoML.Dicom.Fuzz.dll --make-codec-seeds seeds "${sources[@]}"
else
  find ../data/reference-dicom/files -name '*.dcm' -size -200k -exec cp {} seeds/ \;
fi
# Instrument only now: the instrumented library runs only under afl-fuzz (the seed maker above needs it plain).
.tools/sharpfuzz out/OsteoML.Dicom.dll

resume=()
[ -d "$findings/default/queue" ] && resume=(-i -) # continue an earlier run's queue
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_AUTORESUME=1
if [ ${#resume[@]} -eq 0 ]; then resume=(-i seeds); fi
afl-fuzz "${resume[@]}" -o "$findings" -t 5000 -m none -V "$seconds" -- dotnet out/OsteoML.Dicom.Fuzz.dll "${mode[@]}" || true

stats=$findings/default/fuzzer_stats
if [ -f "$stats" ]; then
  grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|unique_crashes|unique_hangs) ' "$stats"
fi
ls "$findings/default/crashes" "$findings/default/hangs" 2>/dev/null | grep -v README || true
