#!/usr/bin/env bash
# The README's test command: installs the Debian tools the tests drive (when root), checks format
# and lint (Biome) and types, runs every test and a short fuzz run, and ends with one plain
# "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."

# `npm test -- --under-load` runs the same suite beside two CPU-bound processes (one per core of
# the 2-core reference box), the way a busy gate or CI machine runs it.
under_load=0
args=()
for arg in "$@"; do
  if [ "$arg" = "--under-load" ]; then under_load=1; else args+=("$arg"); fi
done
set -- "${args[@]+"${args[@]}"}"

# Every command a test or the lab spawns → the Debian package that provides it (the last ones are
# in every Debian install, listed so the table is complete: the fake gpioset is a sh script
# sleeping in a loop, the GPIO recorder and a camera test make FIFOs). python3 binds the fake
# NOTIFY_SOCKET (a datagram socket Node cannot open); systemd-notify is what the daemon runs;
# systemd-analyze rates the unit; dpkg-deb builds the package, which the package test installs
# with apt-get and checks as the service user (runuser); script gives the CLI a pseudo-terminal,
# to see its progress line. The update tests unpack artifacts with tar and drive the Mender Update
# Module with Debian's mender-client 3.4.
declare -A needed=(
  [socat]=socat [ffmpeg]=ffmpeg [zint]=zint [openssl]=openssl [gpioset]=gpiod
  [python3]=python3 [systemd-notify]=systemd [systemd-analyze]=systemd
  [dpkg-deb]=dpkg [apt-get]=apt [runuser]=util-linux
  [sh]=dash [sleep]=coreutils [mkfifo]=coreutils [script]=bsdutils
  [mender]=mender-client [mender-artifact]=mender-artifact [tar]=tar [sync]=coreutils
)
missing_packages() {
  local cmd
  for cmd in "${!needed[@]}"; do
    command -v "$cmd" >/dev/null 2>&1 || echo "${needed[$cmd]} (for $cmd)"
  done | sort -u
}
mapfile -t missing < <(missing_packages)
if ((${#missing[@]})); then
  packages=()
  for entry in "${missing[@]}"; do packages+=("${entry%% *}"); done
  mapfile -t packages < <(printf '%s\n' "${packages[@]}" | sort -u)
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian packages the tests need: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
    mapfile -t missing < <(missing_packages)
    if ((${#missing[@]})); then
      echo "tests need these Debian packages, still missing after apt-get install: ${missing[*]}" >&2
      exit 1
    fi
  else
    echo "tests need these Debian packages, please install them: ${missing[*]}" >&2
    echo "  sudo apt-get install ${packages[*]}" >&2
    exit 1
  fi
fi

[ -d node_modules ] || npm ci --no-audit --no-fund

npx biome check --max-diagnostics=50 .
echo "format and lint: ok"
npx tsc --noEmit -p tsconfig.json
echo "typecheck: ok"

hogs=()
stop_hogs() { for pid in "${hogs[@]+"${hogs[@]}"}"; do kill "$pid" 2>/dev/null || true; done; }
trap stop_hogs EXIT
if ((under_load)); then
  for _ in 1 2; do
    node -e 'for (;;) {}' &
    hogs+=("$!")
  done
  echo "under load: ${#hogs[@]} CPU-bound processes running beside the suite"
fi

result=.vitest-result.json
rm -f "$result"
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$result" "$@" || status=$?

# A short fuzz run of every target (docs/reliability/FUZZ.md): 10 s each by default,
# $PASSGATE_FUZZ_SECONDS to change it. Skipped when the command names tests to run.
if (($# == 0)); then
  fuzz_status=0
  node scripts/bin/run-ts.mjs scripts/fuzz/main.ts --seconds "${PASSGATE_FUZZ_SECONDS:-10}" || fuzz_status=$?
  if ((fuzz_status)); then
    echo "fuzz: findings or a failed run (exit $fuzz_status), see above"
    ((status)) || status=$fuzz_status
  else
    echo "fuzz: no findings"
  fi
fi
if [ -f "$result" ]; then
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
  ' "$result"
fi
exit "$status"
