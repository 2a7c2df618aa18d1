#!/usr/bin/env bash
# Fuzzes with AFL++ through SharpFuzz for a bounded time (not part of CI):
#   bash tests/fuzz/run.sh [SECONDS=3600] [TARGET=dicom|codecs|walker|manifest]
# dicom: whole files through the reader, codecs and series layer; codecs: single compressed frames to every decoder
# (JPEG 2000/HTJ2K via OpenJPEG, JPEG-LS via CharLS, DCT JPEG via libjpeg-turbo, JPEG lossless, RLE); walker:
# DirectoryWalker on folder trees built from the input (links, cycles, FIFOs); manifest: the cohort manifest reader.
# Each target keeps its own findings-TARGET folder (dicom: findings).
# Needs Debian's afl++ (apt-get install afl++); installs the SharpFuzz.CommandLine tool 2.3.0 under
# tests/fuzz/.tools. Seeds: the reference corpus. Findings land in tests/fuzz/findings/default/{crashes,hangs};
# replay one with `dotnet tests/fuzz/out/OsteoML.Dicom.Fuzz.dll FILE` and turn it into a regression test
# (tests/data/dicom/fuzz/ + FuzzRegressionTests). One fuzzer at a time: the machine is shared.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-3600}
target=${2:-dicom}
case "$target" in dicom|codecs|walker|manifest) ;; *) echo "target must be dicom, codecs, walker or manifest" >&2; exit 2 ;; esac
findings=findings
[ "$target" = dicom ] || findings="findings-$target"
export OSTEOML_FUZZ_TARGET=$target

command -v afl-fuzz >/dev/null || { echo "afl-fuzz missing: apt-get install afl++" >&2; exit 1; }
if [ ! -x .tools/sharpfuzz ]; then
  dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path .tools >/dev/null
fi

rm -rf out
dotnet build OsteoML.Dicom.Fuzz -c Release -o out -v q -nologo >/dev/null
# Seeds first: the codecs' seed maker runs the plain (not yet instrumented) library.
rm -rf seeds && mkdir -p seeds
case $target in
  # Every reference file (AFL trims them), one copy each.
  dicom) find ../data/reference-dicom/files -name '*.dcm' -size -200k -exec cp {} seeds/ \; ;;
  # The compressed frames of the reference files and the real Siemens slices.
  codecs) mapfile -t sources < <(find ../data/reference-dicom/files ../data/dicom/siemens-j2k -type f \( -name "*.dcm" -o -name "CT.*" \) | sort)
          OSTEOML_FUZZ_TARGET= dotnet out/OsteoML.Dicom.Fuzz.dll --make-codec-seeds seeds "${sources[@]}" ;;
  # Scripts: folders, files, links to '.', '..', outside, FIFOs (3 bytes per operation).
  walker) printf '\x00\x00\x00\x01\x00\x03\x03\x00\x00\x04\x01\x01\x06\x00\x02\x08\x01\x04\x07\x00\x01\x0a\x01\x02' > seeds/tree
          printf '\x00\x00\x00\x00\x01\x01\x05\x02\x00\x05\x01\x01\x09\x00\x03\x0b\x02\x04' > seeds/chain ;;
  # A good manifest, one with quotes, one with a BOM.
  manifest) printf 'case_id,patient_id,study_uid,series_uid,series_dir,split,site,scanner,bmd_qct,class\nc1,p1,1.2,1.3,s/c1,train,H1,CT1,120.5,normal\nc2,p2,1.2.1,1.3.1,s/c2,test,H1,CT1,75,osteoporosis\n' > seeds/good.csv
            printf '\xef\xbb\xbfcase_id,series_dir,bmd_qct\n"a,1","s/with, comma",99\n' > seeds/quoted.csv ;;
esac

case $target in
  dicom|codecs|walker) .tools/sharpfuzz out/OsteoML.Dicom.dll ;;
  manifest) .tools/sharpfuzz out/OsteoML.Pipelines.dll
            .tools/sharpfuzz out/OsteoML.Evaluation.dll ;;
esac

resume=()
[ -d "$findings/default/queue" ] && resume=(-i -) # continue an earlier run's queue
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_AUTORESUME=1
if [ ${#resume[@]} -eq 0 ]; then resume=(-i seeds); fi
afl-fuzz "${resume[@]}" -o "$findings" -t 5000 -m none -V "$seconds" -- dotnet out/OsteoML.Dicom.Fuzz.dll || true

stats=$findings/default/fuzzer_stats
if [ -f "$stats" ]; then
  grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|unique_crashes|unique_hangs) ' "$stats"
fi
ls "$findings/default/crashes" "$findings/default/hangs" 2>/dev/null | grep -v README || true
