#!/usr/bin/env bash
# Two figures for swop discover, each a ratio measured in one hyperfine run:
#
#   analysis: swop discover --trace-file on a >= 100 MB strace log, against the
#             runbook's own extraction (rg the file calls, rg -o the paths,
#             sort -u); target <= 1.0x, with peak memory under 100 MB
#   tracing:  a stat-heavy command traced the way swop traces it, against the
#             same command under plain `strace -f` as the runbook runs it;
#             target <= 0.6x
#
# Needs strace, hyperfine and ripgrep (apt-get install strace hyperfine ripgrep).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --quiet
swop="$PWD/target/release/swop"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
heavy=(find /usr/share -name '*.nothing')

echo "== making a trace of at least 100 MB" >&2
log="$work/big.strace"
: >"$log"
while [ "$(stat -c %s "$log")" -lt $((100 * 1024 * 1024)) ]; do
    strace -f -y -o "$work/part.strace" -- "${heavy[@]}" 2>/dev/null
    cat "$work/part.strace" >>"$log"
done
size_mb=$(($(stat -c %s "$log") / 1024 / 1024))
echo "   $size_mb MB, $(wc -l <"$log") lines" >&2

cat >"$work/runbook.sh" <<SH
rg -I 'openat\(|open\(|stat\(|lstat\(|access\(|readlink\(' "$log" > "$work/filecalls.txt" || true
rg -o '"/[^" ]+' "$work/filecalls.txt" | sort -u > "$work/paths.txt"
SH

json="$work/analysis.json"
hyperfine --warmup 1 --runs 5 --export-json "$json" \
    -n runbook "bash $work/runbook.sh" \
    -n swop "$swop discover --trace-file $log --json > $work/findings.json" >&2

peak_kb=$(python3 - "$swop" "$log" <<'PY'
import resource, subprocess, sys
subprocess.run([sys.argv[1], "discover", "--trace-file", sys.argv[2], "--json"],
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
)

tjson="$work/tracing.json"
hyperfine --warmup 1 --runs 5 --export-json "$tjson" \
    -n "strace -f (runbook)" "strace -f -o $work/plain.strace -- ${heavy[*]}" \
    -n "swop's tracing" "strace -f --seccomp-bpf -y -qq -e trace=%file -o $work/swop.strace -- ${heavy[*]}" >&2

python3 - "$json" "$tjson" "$peak_kb" "$size_mb" <<'PY'
import json, sys
a = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
t = {x["command"]: x["mean"] for x in json.load(open(sys.argv[2]))["results"]}
peak = int(sys.argv[3]) / 1024
r1 = a["swop"] / a["runbook"]
r2 = t["swop's tracing"] / t["strace -f (runbook)"]
print(f"analysis of {sys.argv[4]} MB: swop {a['swop']:.2f} s, runbook pipeline {a['runbook']:.2f} s: "
      f"{r1:.2f}x (target <= 1.0: {'ok' if r1 <= 1.0 else 'MISSED'}); peak memory {peak:.0f} MB "
      f"(target < 100: {'ok' if peak < 100 else 'MISSED'})")
print(f"tracing: swop's strace {t[chr(115)+'wop'+chr(39)+'s tracing']:.2f} s, plain strace -f {t['strace -f (runbook)']:.2f} s: "
      f"{r2:.2f}x (target <= 0.6: {'ok' if r2 <= 0.6 else 'MISSED'})")
PY
