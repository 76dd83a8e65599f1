#!/usr/bin/env bash
# The real-GPU benchmark in one command, on the device machine (NVIDIA, Linux, no Node, no network), from the
# repo root, with what scripts/bench/gpu-prepare.sh built here:
#   run(command="bash scripts/bench/gpu.sh", carry=[".gpu-bench", ".gl"], timeout_s=590)
# Unpacks the Vulkan loader (.gl/*.deb into /, as the device README says), finds the NVIDIA Vulkan driver,
# decompresses Node and dawn.node, and runs .gpu-bench/gpu-bench.mjs (scripts/bench/gpu/main.ts) under a
# wall-clock limit. Results: $OUT/gpu-bench.json and $OUT/gpu-bench.log (.gpu-bench/out/ without $OUT).
# Environment:
#   GPU_BENCH_ICD=FILE     rehearse on another Vulkan ICD (e.g. SwiftShader's): nothing is unpacked into /, the
#                          loader comes from .gl into a private folder when this machine has none
#   GPU_BENCH_SMALL=1      tiny sizes (1-layer checkpoints, short prompt) for a CPU Vulkan
#   GPU_BENCH_BUDGET_S     seconds the benchmark plans within (default 420; the 8B layer count is cut to fit)
#   GPU_BENCH_LIMIT_S      hard wall-clock limit of the benchmark process (default 530)
#   GPU_BENCH_ARGS         more flags for gpu-bench (e.g. "--models 1b:16,8b:8 --gen-tokens 128")
#   GPU_BENCH_DIR          where checkpoints are generated (default .cache/gpu-bench; 8B needs 16 GB)
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 3
B=.gpu-bench
R=${GPU_BENCH_RUNDIR:-${TMPDIR:-/tmp}/gpu-bench-run}
die() { echo "gpu.sh: $*" >&2; exit 3; }
say() { echo "gpu.sh: $*"; }

# ---- what must have been carried
[ "$(uname -m)" = x86_64 ] || die "this machine is $(uname -m); the carried node and dawn.node are x86-64"
[ -d $B ] || die "no $B/ in $(pwd): build it with 'bash scripts/bench/gpu-prepare.sh' on the dev machine and name \"$B\" in the run's carry"
for f in gpu-bench.mjs node.xz webgpu/index.js webgpu/package.json webgpu/dist/linux-x64/dawn.node.xz tokenizer/tokenizer.json.xz tokenizer/tokenizer_config.json; do
  [ -s $B/$f ] || die "missing $B/$f: rerun scripts/bench/gpu-prepare.sh and carry $B"
done
unxz_to() { # file.xz -> file, with xz or else Python's lzma
  if command -v xz >/dev/null; then xz -dc "$1" >"$2"
  elif command -v python3 >/dev/null; then python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"
  else die "neither xz nor python3 is here to decompress $1"; fi || die "could not decompress $1 (truncated carry?)"
}
mkdir -p "$R/webgpu/dist/linux-x64" "$R/tokenizer" || die "cannot create $R"
unxz_to $B/node.xz "$R/node" && chmod +x "$R/node"
cp $B/webgpu/index.js $B/webgpu/package.json "$R/webgpu/"
unxz_to $B/webgpu/dist/linux-x64/dawn.node.xz "$R/webgpu/dist/linux-x64/dawn.node"
unxz_to $B/tokenizer/tokenizer.json.xz "$R/tokenizer/tokenizer.json"
cp $B/tokenizer/tokenizer_config.json "$R/tokenizer/"
node_version=$("$R/node" --version 2>&1) || die "the carried node does not run here: $node_version"
say "node $node_version, $(sed -n 1p $B/MANIFEST 2>/dev/null)"

# ---- Vulkan: the loader and a driver
has_loader() {
  ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1 ' && return 0
  local d IFS=:
  for d in ${LD_LIBRARY_PATH:-}; do [ -e "$d/libvulkan.so.1" ] && return 0; done
  return 1
}
if [ -n "${GPU_BENCH_ICD:-}" ]; then
  [ -f "$GPU_BENCH_ICD" ] || die "GPU_BENCH_ICD=$GPU_BENCH_ICD does not exist (Debian's chromium ships /usr/lib/chromium/vk_swiftshader_icd.json)"
  export VK_ICD_FILENAMES=$GPU_BENCH_ICD VK_DRIVER_FILES=$GPU_BENCH_ICD
  if ! has_loader; then
    ls .gl/libvulkan1_*.deb >/dev/null 2>&1 || die "no libvulkan.so.1 on this machine and no .gl/libvulkan1_*.deb: run scripts/bench/gpu-prepare.sh"
    command -v dpkg >/dev/null || die "dpkg is missing: cannot unpack .gl/libvulkan1_*.deb"
    for f in .gl/libvulkan1_*.deb; do dpkg -x "$f" "$R/sysroot" || die "dpkg -x $f failed"; done
    export LD_LIBRARY_PATH=$R/sysroot/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  fi
  say "rehearsal on the Vulkan ICD $GPU_BENCH_ICD (not a GPU figure unless that ICD is a GPU's)"
else
  [ -e /dev/nvidiactl ] || [ -d /usr/local/nvidia ] || command -v nvidia-smi >/dev/null ||
    die "no NVIDIA GPU here (no /dev/nvidiactl, /usr/local/nvidia or nvidia-smi): run this on the device machine, or rehearse with GPU_BENCH_ICD=/usr/lib/chromium/vk_swiftshader_icd.json GPU_BENCH_SMALL=1"
  if ! has_loader; then
    ls .gl/*.deb >/dev/null 2>&1 || die "no libvulkan.so.1 here and no .gl/*.deb: run scripts/bench/gpu-prepare.sh and name \".gl\" in the run's carry"
    command -v dpkg >/dev/null || die "dpkg is missing: cannot unpack .gl/*.deb"
    for f in .gl/*.deb; do dpkg -x "$f" / || die "dpkg -x $f / failed"; done
    ldconfig
    has_loader || die "libvulkan.so.1 is still missing after unpacking .gl/*.deb"
  fi
  if [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ]; then
    for j in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
      if [ -f "$j" ]; then export VK_DRIVER_FILES=$j VK_ICD_FILENAMES=$j; break; fi
    done
    [ -n "${VK_DRIVER_FILES:-}" ] || die "no NVIDIA Vulkan driver manifest (nvidia_icd.json) in /usr/local/nvidia/share/vulkan/icd.d, /usr/share/vulkan/icd.d or /etc/vulkan/icd.d: set VK_DRIVER_FILES"
  fi
  egl=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
  [ -f $egl ] && export __EGL_VENDOR_LIBRARY_FILENAMES=${__EGL_VENDOR_LIBRARY_FILENAMES:-$egl}
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem --format=csv,noheader | sed 's/^/gpu.sh: nvidia-smi: /'
  say "Vulkan driver manifest ${VK_DRIVER_FILES:-${VK_ICD_FILENAMES:-(loader default)}}"
fi

# ---- the benchmark
OUTDIR=${OUT:-$B/out}
mkdir -p "$OUTDIR" || die "cannot create $OUTDIR"
limit=${GPU_BENCH_LIMIT_S:-530}
args=(--webgpu "$R/webgpu/index.js" --tokenizer "$R/tokenizer" --dir "${GPU_BENCH_DIR:-.cache/gpu-bench}"
  --json "$OUTDIR/gpu-bench.json" --budget-s "${GPU_BENCH_BUDGET_S:-420}")
[ "${GPU_BENCH_SMALL:-}" = 1 ] && args+=(--small)
# shellcheck disable=SC2206
args+=(${GPU_BENCH_ARGS:-})
say "running: node $B/gpu-bench.mjs ${args[*]} (stopped after $limit s)"
timeout -k 10 "$limit" "$R/node" --max-old-space-size=8192 $B/gpu-bench.mjs "${args[@]}" 2>&1 | tee "$OUTDIR/gpu-bench.log"
rc=${PIPESTATUS[0]}
case $rc in
  0) say "done: $OUTDIR/gpu-bench.json" ;;
  4) say "finished, but the GPU failed the parity check against the CPU engine (see the log): its speeds are not valid figures" ;;
  124|137) say "stopped at the $limit s wall-clock limit: $OUTDIR/gpu-bench.json holds what finished before" ;;
  *) say "the benchmark failed (exit $rc): see $OUTDIR/gpu-bench.log" ;;
esac
exit $rc
