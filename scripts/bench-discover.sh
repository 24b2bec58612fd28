#!/usr/bin/env bash
# Two figures for swop discover, each a ratio measured in one hyperfine run:
#
#   analysis: swop discover --trace-file on a >= 100 MB strace log, against the
#             runbook's own extraction (rg the file calls, rg -o the paths,
#             sort -u); target <= 1.0x, with peak memory under 100 MB
#   macOS:    the same for a >= 100 MB fs_usage log against the macOS
#             runbook's `rg -n` of the paths
#   tracing:  a stat-heavy command traced the way swop traces it, against the
#             same command under plain `strace -f` as the runbook runs it;
#             target <= 0.6x
#   live:     swop discover end to end on the real codex and cargo, against
#             a baseline build (BASELINE=/path/to/swop); target <= 1.5x.
#             See scripts/bench-discover-live.sh, which this runs last.
#
# Needs strace, hyperfine and ripgrep (apt-get install strace hyperfine ripgrep).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --quiet
swop="$PWD/target/release/swop"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
heavy=(find /usr/share -name '*.nothing')

# Two kinds of trace, each repeated to at least 100 MB: the runbook's
# (`strace -f -e trace=%file`) and an unfiltered one with -y annotations.
make_log() { # name, strace options...
    local name=$1 part="$work/$1.part"
    shift
    strace -f "$@" -o "$part" -- "${heavy[@]}" 2>/dev/null
    : >"$work/$name.strace"
    while [ "$(stat -c %s "$work/$name.strace")" -lt $((100 * 1024 * 1024)) ]; do
        cat "$part" >>"$work/$name.strace"
    done
    echo "   $name: $(($(stat -c %s "$work/$name.strace") / 1024 / 1024)) MB, $(wc -l <"$work/$name.strace") lines" >&2
}
echo "== making traces of at least 100 MB" >&2
make_log file -e trace=%file
make_log all -y
# A macOS capture: the recorded fs_usage fixture, repeated.
fixture=tests/fixtures/macos/fs_usage_codex_login.log
: >"$work/macos.fs_usage"
while [ "$(stat -c %s "$work/macos.fs_usage")" -lt $((100 * 1024 * 1024)) ]; do
    for _ in $(seq 100); do cat "$fixture"; done >>"$work/macos.fs_usage"
done

cat >"$work/runbook.sh" <<'SH'
rg -I 'openat\(|open\(|stat\(|lstat\(|access\(|readlink\(' "$1" > "$1.filecalls" || true
rg -o '"/[^" ]+' "$1.filecalls" | sort -u > "$1.paths"
SH

cat >"$work/runbook-macos.sh" <<'SH'
rg -n '/(Users|var|private|tmp)/' "$1" > "$1.paths" || true
SH
hyperfine --warmup 1 --runs 5 --export-json "$work/analysis-macos.json" \
    -n runbook "bash $work/runbook-macos.sh $work/macos.fs_usage" \
    -n swop "$swop discover --os macos --trace-file $work/macos.fs_usage --json > $work/findings-macos.json" >&2
python3 - "$swop" "$work/macos.fs_usage" >"$work/peak-macos" <<'PY'
import resource, subprocess, sys
subprocess.run([sys.argv[1], "discover", "--os", "macos", "--trace-file", sys.argv[2], "--json"],
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY

for name in file all; do
    log="$work/$name.strace"
    hyperfine --warmup 1 --runs 5 --export-json "$work/analysis-$name.json" \
        -n runbook "bash $work/runbook.sh $log" \
        -n swop "$swop discover --trace-file $log --json > $work/findings-$name.json" >&2
    python3 - "$swop" "$log" >"$work/peak-$name" <<'PY'
import resource, subprocess, sys
subprocess.run([sys.argv[1], "discover", "--trace-file", sys.argv[2], "--json"],
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
    echo "   runbook found $(wc -l <"$log.paths") distinct paths; swop classified $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["paths"]))' "$work/findings-$name.json")" >&2
done

hyperfine --warmup 1 --runs 5 --export-json "$work/tracing.json" \
    -n "strace -f (runbook)" "strace -f -o $work/plain.strace -- ${heavy[*]}" \
    -n "swop's tracing" "strace -f --seccomp-bpf -y -qq -e trace=%file -o $work/swop.strace -- ${heavy[*]}" >&2

python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
def means(path):
    return {x["command"]: x["mean"] for x in json.load(open(path))["results"]}
for name, what in (("file", "strace -f -e trace=%file (the runbook's)"), ("all", "strace -f -y, unfiltered"),
                   ("macos", "fs_usage -w (macOS runbook: rg -n)")):
    a = means(f"{work}/analysis-{name}.json")
    peak = int(open(f"{work}/peak-{name}").read()) / 1024
    r = a["swop"] / a["runbook"]
    print(f"analysis, {what}: swop {a['swop']:.3f} s, runbook pipeline {a['runbook']:.3f} s: "
          f"{r:.2f}x (target <= 1.0: {'ok' if r <= 1.0 else 'MISSED'}); peak memory {peak:.0f} MB "
          f"(target < 100: {'ok' if peak < 100 else 'MISSED'})")
t = means(f"{work}/tracing.json")
ours, plain = t["swop's tracing"], t["strace -f (runbook)"]
r = ours / plain
print(f"tracing: swop's strace {ours:.2f} s, plain strace -f {plain:.2f} s: "
      f"{r:.2f}x (target <= 0.6: {'ok' if r <= 0.6 else 'MISSED'})")
PY

"$(dirname "$0")/bench-discover-live.sh"
