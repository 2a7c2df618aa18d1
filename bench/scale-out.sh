#!/usr/bin/env bash
# Scale-out numbers for docs/scale-out.md (issue 19), side by side in one run on this machine:
#   A  batch, 1 shard, --jobs 2, local folder only           (the baseline)
#   B  batch, 1 shard, --jobs 2, plus --results PostgreSQL   (the database's overhead: B vs A, and the sink's own ms/study log line)
#   C  batch, 2 shards at once, --jobs 1 each, --results      (two workers sharing the same 2 cores)
# Each run screens every study from scratch (no --cache-dir): segmentation with the shipped VB-Net, DenseNet, heads.
# Studies: two synthetic `ci` cohorts (22 studies); bundle: trained on the first with the shipped models.
# The PostgreSQL is a throwaway Debian postgresql-15 on a Unix socket in a temp folder (as the tests start it).
#   bash bench/scale-out.sh [--out DIR] [--rounds N]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out=/tmp/osteoml-scaleout-bench rounds=1
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    *) echo "usage: bash bench/scale-out.sh [--out DIR] [--rounds N]" >&2; exit 2 ;;
  esac
done
mkdir -p "$out" && out=$(cd "$out" && pwd)
cd "$repo"
dotnet build -c Release src/OsteoML.Cli > "$out/build.log" 2>&1 || { tail -20 "$out/build.log"; exit 1; }
osteoml() { dotnet "$repo/src/OsteoML.Cli/bin/Release/net10.0/osteoml.dll" "$@"; }

if [ ! -f "$out/model/bundle.json" ]; then
  echo "[$(date -u +%T)] data: two ci cohorts, a bundle trained on the first…"
  osteoml synth cohort --preset ci --seed 42 --out "$out/studies/a" > "$out/data.log" 2>&1
  osteoml synth cohort --preset ci --seed 43 --out "$out/studies/b" >> "$out/data.log" 2>&1
  osteoml train --pipeline pipelines/qct-screening.json --cohort "$out/studies/a" --out "$out/model" >> "$out/data.log" 2>&1
fi
studies=$(find "$out/studies" -name manifest.csv -exec tail -n +2 {} \; | wc -l)

# The database: root cannot run postgres, so as the postgres user when we are root.
pg=$(mktemp -d /tmp/ompg-bench-XXXX); port=$((20000 + RANDOM % 20000))
as_pg=(); [ "$(id -u)" -eq 0 ] && { chown postgres "$pg"; as_pg=(runuser -u postgres --); }
export PGPASSWORD=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "$PGPASSWORD" > "$pg/pw"; [ ${#as_pg[@]} -gt 0 ] && chown postgres "$pg/pw"
bin=/usr/lib/postgresql/15/bin
"${as_pg[@]}" $bin/initdb -D "$pg/data" -U osteoml --pwfile="$pg/pw" --auth=scram-sha-256 --no-locale -E UTF8 > "$out/pg.log"
"${as_pg[@]}" $bin/pg_ctl -D "$pg/data" -l "$pg/server.log" -w -o "-c listen_addresses='' -k $pg -p $port" start >> "$out/pg.log"
trap '"${as_pg[@]}" $bin/pg_ctl -D "$pg/data" -m fast -w stop > /dev/null; rm -rf "$pg"' EXIT
# A fresh database per run (r1, r2, …): a run must not resume from an earlier one's results.
db=0
fresh_db() { db=$((db + 1)); $bin/createdb -h "$pg" -p "$port" -U osteoml "r$db"; u="postgres://osteoml@/r$db?host=$pg&port=$port"; }

seconds() { local t0=$(date +%s.%N); "$@"; echo "$(date +%s.%N) - $t0" | bc; }
run() { rm -rf "$out/run"; mkdir -p "$out/run"; osteoml batch --model "$out/model" "$out/studies" "$@" > /dev/null 2>> "$out/runs.log"; }
results=$out/results.tsv
printf 'round\tconfiguration\tstudies\tseconds\tstudies_per_hour\n' > "$results"
for round in $(seq 1 "$rounds"); do
  echo "[$(date -u +%T)] round $round: A (folder), B (+PostgreSQL), C (2 shards + PostgreSQL)…"
  # Odd rounds A B C, even rounds C B A: a drift in the machine's load then does not favour one configuration.
  for config in $([ $((round % 2)) = 1 ] && echo "a b c" || echo "c b a"); do
  case $config in
  a) a=$(seconds run --out "$out/run/a" --jobs 2) ;;
  b) fresh_db; b=$(seconds run --out "$out/run/b" --jobs 2 --results "$u") ;;
  c) fresh_db; c=$(seconds bash -c "
    dotnet '$repo/src/OsteoML.Cli/bin/Release/net10.0/osteoml.dll' batch --model '$out/model' '$out/studies' --out '$out/run/c0' --jobs 1 --shard 0/2 --results '$u' >/dev/null 2>>'$out/runs.log' &
    dotnet '$repo/src/OsteoML.Cli/bin/Release/net10.0/osteoml.dll' batch --model '$out/model' '$out/studies' --out '$out/run/c1' --jobs 1 --shard 1/2 --results '$u' >/dev/null 2>>'$out/runs.log' &
    wait") ;;
  esac
  done
  for row in "A 1 shard --jobs 2, folder:$a" "B 1 shard --jobs 2, +PostgreSQL:$b" "C 2 shards --jobs 1, +PostgreSQL:$c"; do
    s=${row##*:}; printf '%s\t%s\t%s\t%.1f\t%.0f\n' "$round" "${row%%:*}" "$studies" "$s" "$(echo "$studies * 3600 / $s" | bc -l)" >> "$results"
  done
done
grep -h "ms per study" "$out/runs.log" | sed 's/^/  /' > "$out/sink.txt" || true
{ echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load before/after in runs: $(cut -d' ' -f1-3 /proc/loadavg)"; date -u +%FT%TZ; column -t -s $'\t' "$results"; echo "PostgreSQL sink, per worker:"; cat "$out/sink.txt"; } | tee "$out/summary.txt"
if grep -q "$PGPASSWORD" "$out/runs.log"; then echo "the password appeared in the logs" >&2; exit 1; fi
