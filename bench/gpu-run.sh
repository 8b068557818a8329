#!/usr/bin/env bash
# Everything issue 4 measures on a GPU machine, in one command (see docs/benchmarks.md#gpu-issue-4):
#   here:  npm ci && npm run build && bash ../shared/gpu/bundle.sh
#   there: source .gpu/enter.sh && bash bench/gpu-run.sh        (device tool: carry [".gpu"])
# Writes under $OUT (default out/gpu, git-ignored):
#   device.txt         date, commit, nvidia-smi -L, node, the WebGPU adapter Dawn reports and its limits,
#                      and the accuracy of the driver's acos/cos/sin against arcgrad's (bench/webgpu-math.mjs)
#   conformance.txt    the backend conformance and fused-head tests, webgpu blocks included
#   check-webgpu.txt   `arcgrad check --backend gpu.js:webgpu --dtype float32` on the emitted cases
#   bench-gpujs.txt, gpu-head-bench-gpujs.json   the head benchmark, gpu.js:webgpu
#   bench-tfjs.txt,  gpu-head-bench-tfjs.json    the same, @tensorflow/tfjs-backend-webgpu on the same Dawn
#   steps.txt          one line per step: its exit status (124: timed out) and seconds
# Each step runs in its own process under its own time limit, so a step that fails or hangs leaves
# the other steps' files; the conformance suite runs last (fast-check shrinking a failure on a slow
# device can take minutes: then it loses its own file, not the measurements). The limits add up
# to 500 s (535 s with 5 s of kill grace each), which leaves enter.sh (unpacking node and
# node_modules) room inside the device tool's 600 s per command. Inside its limit each benchmark
# has a --budget (120 s, 85 s): on a device slower than expected it takes fewer steps, says so, and
# still writes its JSON, rather than being killed with nothing. Exit status: 0 when every step
# exited 0, else 1 (steps.txt says which).
# Options (environment):
#   GPU_BENCH_SHAPE=NxDxC   benchmark size (default 512x512x100000, issue 4's)
#   GPU_BENCH_STEPS=WxR     W warm-up and R timed steps per variant (default 3x10)
# A quick run of the whole pipeline, e.g. on a software adapter (SwiftShader: see docs/benchmarks.md):
#   GPU_BENCH_SHAPE=64x128x1000 GPU_BENCH_STEPS=1x3 OUT=/tmp/gpu-out bash bench/gpu-run.sh
set -u
cd "$(dirname "$0")/.."
OUT=${OUT:-$PWD/out/gpu}
SHAPE=${GPU_BENCH_SHAPE:-512x512x100000}
STEPS=${GPU_BENCH_STEPS:-3x10}
mkdir -p "$OUT"
[ -d dist ] || { echo "no dist/: run npm run build before bundling" >&2; exit 1; }
[[ $STEPS =~ ^([0-9]+)x([0-9]+)$ ]] || { echo "GPU_BENCH_STEPS must be WxR (warm-up x timed steps), got '$STEPS'" >&2; exit 2; }
WARMUP=${BASH_REMATCH[1]} REPEATS=${BASH_REMATCH[2]}
: > "$OUT/steps.txt"
# The device tool brings back at most 8 files from $OUT: the ones listed above. Everything else
# (the emitted cases, step logs that are folded into those files) goes to a scratch folder.
SCRATCH=$(mktemp -d)
failed=0

# step NAME LIMIT_S FILE COMMAND...: runs COMMAND with stdout and stderr into FILE, killed after
# LIMIT_S seconds (SIGTERM, then SIGKILL 5 s later); records the outcome in steps.txt.
step() {
  local name=$1 limit=$2 file=$3; shift 3
  local t0=$SECONDS rc
  NO_COLOR=1 timeout -k 5 "$limit" "$@" > "$file" 2>&1
  rc=$?
  local how="exit $rc"
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then how="timed out after ${limit} s (exit $rc)"; fi
  [ "$rc" -eq 0 ] || failed=1
  echo "$name: $how, $((SECONDS - t0)) s" | tee -a "$OUT/steps.txt"
}

{
  echo "date: $(date -u +%FT%TZ)  commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  nvidia-smi -L 2>/dev/null || echo "nvidia-smi: not available"
  echo "node $(node --version)"
} > "$OUT/device.txt" 2>&1
step device 20 "$OUT/device-probe.txt" node --input-type=module -e "
  const { probeWebGpu } = await import('./dist/backend/gpujs/webgpu-probe.js');
  const probe = await probeWebGpu();
  console.log('WebGPU probe: ' + JSON.stringify(probe));
  if (probe.ok) {
    const a = await navigator.gpu.requestAdapter();
    const l = a.limits;
    console.log('limits: maxBufferSize ' + l.maxBufferSize + ', maxStorageBufferBindingSize ' + l.maxStorageBufferBindingSize
      + ', maxStorageBuffersPerShaderStage ' + l.maxStorageBuffersPerShaderStage + ', maxComputeWorkgroupsPerDimension ' + l.maxComputeWorkgroupsPerDimension);
  }
  process.exit(0);"
cat "$OUT/device-probe.txt" >> "$OUT/device.txt" && rm "$OUT/device-probe.txt"
step 'webgpu math' 20 "$SCRATCH/math.txt" node bench/webgpu-math.mjs
cat "$SCRATCH/math.txt" >> "$OUT/device.txt"
cat "$OUT/device.txt"

step 'check --emit' 20 "$SCRATCH/emit.txt" node bin/arcgrad.js check --emit "$SCRATCH/cases.json"
step 'check gpu.js:webgpu' 60 "$OUT/check-webgpu.txt" node bin/arcgrad.js check "$SCRATCH/cases.json" --backend gpu.js:webgpu --dtype float32
tail -3 "$OUT/check-webgpu.txt" | sed 's/^/  /'

bench=(node bench/gpu-head.mjs --shape "$SHAPE" --warmup "$WARMUP" --repeats "$REPEATS")
step 'bench gpu.js:webgpu' 150 "$OUT/bench-gpujs.txt" "${bench[@]}" --budget 120 --contestants gpu.js:webgpu --out "$OUT/gpu-head-bench-gpujs.json"
sed 's/^/  /' "$OUT/bench-gpujs.txt"
step 'bench tfjs-webgpu' 110 "$OUT/bench-tfjs.txt" "${bench[@]}" --budget 85 --contestants tfjs-webgpu --out "$OUT/gpu-head-bench-tfjs.json"
sed 's/^/  /' "$OUT/bench-tfjs.txt"

step conformance 120 "$OUT/conformance.txt" node node_modules/vitest/vitest.mjs run test/backend/head.test.ts \
  test/backend/head-wgsl.test.ts test/backend/conformance.test.ts test/backend/select.test.ts \
  test/backend/portable-math.test.ts test/backend/device-release.test.ts --reporter=verbose
echo "  $(grep -E 'Tests +[0-9]' "$OUT/conformance.txt" | tail -1 | sed 's/^ *//')"
grep -E '^ *[✓↓×].*webgpu' "$OUT/conformance.txt" | head -20

echo "done in $SECONDS s; files in $OUT: $(cd "$OUT" && ls | tr '\n' ' ')"
exit $failed
