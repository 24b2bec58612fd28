#!/usr/bin/env bash
# swop discover on real tools it was never tuned on, in a lived-in home:
# legacy folders present (~/.kaggle, ~/.httpie, ~/.wrangler), a .gitconfig
# with a credential helper, known_hosts, and (with --exported) override
# variables exported to files outside the home. Prints one line per tool:
# what discover said, and whether any real file changed while it ran.
#
#   scripts/panel-discover.sh [--exported] [TOOL...]
#
# The first thirteen tools are the ones discover was never tuned on; the
# last ten are the earlier panel (npm pip aws cargo gpg rclone kubectl
# gemini claude codex), which must keep passing.
#
# Installs the tools under target/panel (PyPI and npm; sshd from Debian for
# the ssh row) on first use. Run it as root to see root's behaviour (yarn's
# /usr/local/share/.yarnrc, ssh's passwd home). Needs strace, python3, npm.
set -euo pipefail
cd "$(dirname "$0")/.."

exported=0
if [ "${1-}" = --exported ]; then
    exported=1
    shift
fi
cargo build --release --quiet
swop="$PWD/target/release/swop"
tools="$PWD/target/panel"
if [ ! -x "$tools/py/bin/kaggle" ]; then
    python3 -m venv "$tools/py"
    "$tools/py/bin/pip" install --quiet kaggle==2.2.5 httpie==3.2.4 'poetry>=2.5,<2.6' \
        'dvc>=3.67,<3.68' databricks-cli==0.18.0 'uv>=0.13,<0.14' 's3cmd>=2.4,<2.5' \
        'huggingface_hub>=2.4,<2.5'
fi
if [ ! -x "$tools/npm/node_modules/.bin/wrangler" ]; then
    npm install --silent --no-audit --no-fund --prefix "$tools/npm" 'wrangler@4' 'pnpm@10' 'yarn@1.22'
fi
if [ ! -x "$tools/npm2/node_modules/.bin/claude" ]; then
    npm install --silent --no-audit --no-fund --prefix "$tools/npm2" @google/gemini-cli \
        @anthropic-ai/claude-code
fi
# codex as the tests run it (.ci/run installs it there), else from npm.
codex_dir="${SWOP_TEST_CODEX_DIR:-/opt/swop-test/codex}"
if [ ! -x "$codex_dir/node_modules/.bin/codex" ]; then
    codex_dir="$tools/codex"
    [ -x "$codex_dir/node_modules/.bin/codex" ] ||
        npm install --silent --no-audit --no-fund --prefix "$codex_dir" @openai/codex
fi
if [ ! -x "$tools/py/bin/aws" ]; then
    "$tools/py/bin/pip" install --quiet awscli
fi
export PATH="$tools/py/bin:$tools/npm/node_modules/.bin:$tools/npm2/node_modules/.bin:$codex_dir/node_modules/.bin:$PATH"
# cargo through rustup's proxies finds its toolchain through HOME, which
# the panel moves: keep it where it is.
if [ -z "${RUSTUP_HOME:-}" ] && command -v rustup >/dev/null 2>&1; then
    RUSTUP_HOME="$(rustup show home)"
    export RUSTUP_HOME
fi

work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; [ -n "${KEEP-}" ] || rm -rf "$work"' EXIT
home="$work/home"
mkdir -p "$home/.kaggle" "$home/.httpie" "$home/.wrangler/config" "$home/.ssh" "$work/srv" "$work/project"
printf '{"username": "real", "key": "00000000000000000000000000000000"}\n' >"$home/.kaggle/kaggle.json"
chmod 600 "$home/.kaggle/kaggle.json"
printf '{"default_options": []}\n' >"$home/.httpie/config.json"
printf 'api_token = "real"\n' >"$home/.wrangler/config/default.toml"
printf '[user]\n\tname = Real\n[credential]\n\thelper = store\n' >"$home/.gitconfig"
mkdir -p "$home/.aws" "$home/.kube" "$home/.config/pip" "$home/.claude" "$home/.gemini"
printf '[default]\naws_access_key_id = AKIAREAL\naws_secret_access_key = real\n' >"$home/.aws/credentials"
printf 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n' >"$home/.kube/config"
printf '//registry.npmjs.org/:_authToken=real\n' >"$home/.npmrc"
printf '[global]\nindex-url = https://real.example.org/simple\n' >"$home/.config/pip/pip.conf"
printf '{"oauthAccount": "real"}\n' >"$home/.claude.json"
# A local cargo registry for `cargo login`.
mkdir -p "$work/index"
(cd "$work/index" && echo '{"dl":"http://127.0.0.1:9/dl","api":"http://127.0.0.1:9"}' >config.json &&
    git init -q . && git add config.json && git -c user.name=p -c user.email=p@example.org commit -qm index)
export CARGO_REGISTRIES_LOCAL_INDEX="file://$work/index"
: >"$home/.ssh/known_hosts"
export HOME="$home" SWOP_HOME="$work/store"
if [ "$exported" = 1 ]; then
    printf '[DEFAULT]\nhost = https://real\ntoken = real\n' >"$work/srv/databrickscfg"
    mkdir -p "$work/srv/poetry" "$work/srv/kaggle" "$work/srv/httpie" "$work/srv/dvc"
    cp "$home/.kaggle/kaggle.json" "$work/srv/kaggle/"
    export DATABRICKS_CONFIG_FILE="$work/srv/databrickscfg" POETRY_CONFIG_DIR="$work/srv/poetry" \
        KAGGLE_CONFIG_DIR="$work/srv/kaggle" HTTPIE_CONFIG_DIR="$work/srv/httpie" \
        DVC_GLOBAL_CONFIG_DIR="$work/srv/dvc"
fi

# A stand-in Hugging Face endpoint: `hf auth login` checks the token with it.
port=$((20000 + RANDOM % 20000))
python3 - "$port" <<'PY' &
import http.server, json, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"name": "panel", "type": "user", "auth": {"type": "access_token",
                "accessToken": {"displayName": "panel", "role": "write"}}}).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
export HF_ENDPOINT="http://127.0.0.1:$port"

# A local sshd for the ssh row (root only: it needs host keys and a port).
ssh_port=$((40000 + RANDOM % 20000))
if [ "$(id -u)" = 0 ] && command -v /usr/sbin/sshd >/dev/null; then
    mkdir -p /run/sshd
    ssh-keygen -q -t ed25519 -N '' -f "$work/hostkey"
    /usr/sbin/sshd -D -p "$ssh_port" -h "$work/hostkey" -o PidFile=none \
        -o ListenAddress=127.0.0.1 -o PasswordAuthentication=no &
fi

declare -A steps=(
    [kaggle]="sh -c 'KAGGLE_USERNAME=panel KAGGLE_KEY=0123456789abcdef0123456789abcdef kaggle config set -n path -v /tmp/kaggle-data'"
    [httpie]="http --offline --session=work example.org"
    [wrangler]="wrangler telemetry disable"
    [poetry]="poetry config virtualenvs.in-project true"
    [dvc]="dvc config --global core.autostage true"
    [databricks]="sh -c 'printf \"https://x.cloud.databricks.com\\ndapi0000\\n\" | databricks configure --token'"
    [uv]="uv auth login example.org --token panel-token"
    [s3cmd]="sh -c 'printf \"AKIAPANEL\\npanelsecret\\n\\n\\n\\n\\n\\n\\n\\n\\nn\\ny\\n\" | s3cmd --configure'"
    [pnpm]="pnpm config set registry https://registry.example.org/"
    [git-credential-store]="sh -c 'printf \"protocol=https\\nhost=example.org\\nusername=u\\npassword=p\\n\" | git credential-store store'"
    [hf]="hf auth login --token hf_panelpanelpanelpanelpanelpanel --add-to-git-credential"
    [ssh]="--expect-exit 255 -- ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new -p $ssh_port 127.0.0.1 true"
    [yarn]="yarn config set registry https://registry.example.org/"
    [npm]="npm config set registry https://registry.example.org/"
    [pip]="pip config set global.index-url https://pypi.example.org/simple"
    [aws]="aws configure set aws_access_key_id AKIAPANEL"
    [cargo]="cargo login --registry local panel-token"
    [gpg]="gpg --batch --passphrase '' --quick-gen-key panel@example.org"
    [rclone]="rclone config create panel local"
    [kubectl]="kubectl config set-context panel --cluster=panel"
    [gemini]="gemini mcp add panel echo"
    [claude]="claude mcp add panel -- echo"
    [codex]="sh -c 'printf \"sk-panel-0000\\n\" | codex login --with-api-key'"
)
order=(kaggle httpie wrangler poetry dvc databricks uv s3cmd pnpm git-credential-store hf ssh yarn
    npm pip aws cargo gpg rclone kubectl gemini claude codex)
[ "$#" -gt 0 ] && order=("$@")

# A step is `FLAGS -- CMD` or just `CMD`.
flags() { case "$1" in --*) echo "$1" ;; *) echo "-- $1" ;; esac; }
results="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; [ -n "${KEEP-}" ] || rm -rf "$work" "$results"' EXIT
tree() { find "$@" -xdev \( -type f -o -type l \) -printf '%p %s %T@\n' 2>/dev/null | sort; }
printf '%-22s %-14s %-12s %-44s %s\n' tool world verdict minimal 'problems / real files'
for tool in "${order[@]}"; do
    before="$(tree "$home" "$work/srv" /usr/local /etc)"
    # Outside the project's ancestors: yarn and wrangler read a yarn.json or
    # wrangler.json they find above the working folder.
    out="$results/$tool.json"
    (cd "$work/project" && eval "\"$swop\" discover --json --timeout 60 $(flags "${steps[$tool]}")" >"$out" 2>"$results/$tool.err") || true
    after="$(tree "$home" "$work/srv" /usr/local /etc)"
    changed=untouched
    [ "$before" = "$after" ] || changed="CHANGED: $(diff <(echo "$before") <(echo "$after") | grep '^[<>]' | head -3 | tr '\n' ' ')"
    python3 - "$out" "$tool" "$changed" <<'PY'
import json, sys
path, tool, changed = sys.argv[1:]
try:
    f = json.load(open(path))
except Exception:
    print(f"{tool:22} discover failed: see {path[:-5]}.err"); sys.exit()
verdict = "verified" if f["verified"] else "NOT verified"
problems = ", ".join(p["kind"] + (": " + ", ".join(p.get("paths", [])[:2]) if p.get("paths") else "")
                     for p in f["problems"])
print(f"{tool:22} {f.get('world', '-'):14} {verdict:12} {' '.join(f['minimal_env']) or '-':44} {problems or '-'} | {changed}")
PY
done
