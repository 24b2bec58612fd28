#!/usr/bin/env bash
# Two figures for swop discover, each a ratio measured in one hyperfine run:
#
#   analysis: swop discover --trace-file on two strace logs of a crawler
#             (>= 800,000 distinct paths; ~60,000 repeated to >= 130 MB),
#             against the runbook's own extraction with its regex fixed to
#             see every file call (rg the file calls, rg -o the paths,
#             sort -u); target <= 1.0x, peak memory under 250 MB
#   macOS:    the same for a >= 100 MB fs_usage log against the macOS
#             runbook's `rg -n` of the paths
#   tracing:  a stat-heavy command traced the way swop traces it, against the
#             same command under plain `strace -f` as the runbook runs it;
#             target <= 0.6x
#   live:     swop discover end to end on the real codex and cargo, against
#             a baseline build (BASELINE=/path/to/swop); target <= 1.5x.
#             See scripts/bench-discover-live.sh, which this runs last.
#
# Needs strace, hyperfine, ripgrep and python3 (apt-get install strace hyperfine ripgrep).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --quiet
swop="$PWD/target/release/swop"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
heavy=(find /usr/share -name '*.nothing')

# Two strace logs of a crawler (a package resolver, say) that looks up
# absolute paths, traced the way the runbook does (-f -e trace=%file):
#   wide:     >= 800,000 distinct paths (every file under /usr /etc /var /opt,
#             and variants of their names that do not exist)
#   ordinary: about 60,000 distinct paths, repeated to >= 130 MB
cat >"$work/crawl.py" <<'PY'
import os, sys
names, variants = sys.argv[1], int(sys.argv[2])
for line in open(names):
    path = line.rstrip("\n")
    for v in range(variants):
        try:
            os.stat(path if v == 0 else f"{path}.v{v}")
        except OSError:
            pass
PY
find /usr /etc /var /opt -xdev 2>/dev/null >"$work/names" || true
files=$(wc -l <"$work/names")
variants=$(((800000 + files - 1) / files))
echo "== tracing a crawler: $files names x $variants variants" >&2
strace -f -qq -e trace=%file -o "$work/wide.strace" -- python3 "$work/crawl.py" "$work/names" "$variants"
head -n 30000 "$work/names" >"$work/names-30k"
strace -f -qq -e trace=%file -o "$work/ordinary.part" -- python3 "$work/crawl.py" "$work/names-30k" 2
: >"$work/ordinary.strace"
while [ "$(stat -c %s "$work/ordinary.strace")" -lt $((130 * 1024 * 1024)) ]; do
    cat "$work/ordinary.part" >>"$work/ordinary.strace"
done
for name in wide ordinary; do
    echo "   $name: $(($(stat -c %s "$work/$name.strace") / 1024 / 1024)) MB, $(wc -l <"$work/$name.strace") lines" >&2
done
# A macOS capture: the recorded fs_usage fixture, repeated.
fixture=tests/fixtures/macos/fs_usage_codex_login.log
: >"$work/macos.fs_usage"
while [ "$(stat -c %s "$work/macos.fs_usage")" -lt $((100 * 1024 * 1024)) ]; do
    for _ in $(seq 100); do cat "$fixture"; done >>"$work/macos.fs_usage"
done

# The runbook's extraction, its regex fixed to see every file call.
cat >"$work/runbook.sh" <<'SH'
rg -I '(open|openat|openat2|creat|stat|lstat|newfstatat|statx|access|faccessat|faccessat2|readlink|readlinkat|mkdir|mkdirat|unlink|unlinkat|rmdir|rename|renameat|renameat2|link|linkat|symlink|symlinkat|chmod|fchmodat|chown|fchownat|utimensat|truncate|execve|chdir)\(' "$1" > "$1.filecalls" || true
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

for name in wide ordinary; do
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
    echo "   runbook found $(wc -l <"$log.paths") distinct paths; swop listed $(python3 -c 'import json,sys; f=json.load(open(sys.argv[1])); print(len(f["paths"]), "and counted", sum(f["path_counts"].values()))' "$work/findings-$name.json"); JSON $(($(stat -c %s "$work/findings-$name.json") / 1024)) KB" >&2
done

hyperfine --warmup 1 --runs 5 --export-json "$work/tracing.json" \
    -n "strace -f (runbook)" "strace -f -o $work/plain.strace -- ${heavy[*]}" \
    -n "swop's tracing" "strace -f --seccomp-bpf -y -qq -e trace=%file,%process,fchdir -o $work/swop.strace -- ${heavy[*]}" >&2

python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
def means(path):
    return {x["command"]: x["mean"] for x in json.load(open(path))["results"]}
for name, what, limit in (("wide", "strace log, >= 800,000 distinct paths", 250),
                          ("ordinary", "strace log, about 60,000 distinct paths", 250),
                          ("macos", "fs_usage -w (macOS runbook: rg -n)", 100)):
    a = means(f"{work}/analysis-{name}.json")
    peak = int(open(f"{work}/peak-{name}").read()) / 1024
    r = a["swop"] / a["runbook"]
    print(f"analysis, {what}: swop {a['swop']:.3f} s, runbook pipeline {a['runbook']:.3f} s: "
          f"{r:.2f}x (target <= 1.0: {'ok' if r <= 1.0 else 'MISSED'}); peak memory {peak:.0f} MB "
          f"(target < {limit}: {'ok' if peak < limit else 'MISSED'})")
t = means(f"{work}/tracing.json")
ours, plain = t["swop's tracing"], t["strace -f (runbook)"]
r = ours / plain
print(f"tracing: swop's strace {ours:.2f} s, plain strace -f {plain:.2f} s: "
      f"{r:.2f}x (target <= 0.6: {'ok' if r <= 0.6 else 'MISSED'})")
PY

"$(dirname "$0")/bench-discover-live.sh"
