#!/usr/bin/env bash
# Everything issue 4 measures on a GPU machine, in one command (see docs/benchmarks.md#gpu-issue-4):
#   here:  npm ci && npm run build && bash ../shared/gpu/bundle.sh
#   there: source .gpu/enter.sh && bash bench/gpu-run.sh        (device tool: carry [".gpu"]; ≤ 9 min)
# Prints the device, then writes under $OUT: device.txt, conformance.txt (the backend conformance
# and fused-head tests, webgpu blocks included), check-webgpu.txt (`arcgrad check --backend
# gpu.js:webgpu --dtype float32` on the emitted cases), gpu-head-bench.json and bench.txt (the head
# benchmark at N=512, d=512, C=100,000: gpu.js webgpu and tfjs-webgpu side by side).
set -u
cd "$(dirname "$0")/.."
OUT=${OUT:-$PWD/gpu-out}
mkdir -p "$OUT"
[ -d dist ] || { echo "no dist/: run npm run build before bundling" >&2; exit 1; }
{
  echo "date: $(date -u +%FT%TZ)  commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  nvidia-smi -L 2>/dev/null || echo "nvidia-smi: not available"
  echo "node $(node --version)"
  node --input-type=module -e "const { probeWebGpu } = await import('./dist/backend/gpujs/webgpu-probe.js'); console.log('WebGPU probe: ' + JSON.stringify(await probeWebGpu()));"
} 2>&1 | tee "$OUT/device.txt"
NO_COLOR=1 timeout 200 node node_modules/vitest/vitest.mjs run test/backend/head.test.ts test/backend/head-wgsl.test.ts \
  test/backend/conformance.test.ts test/backend/select.test.ts --reporter=verbose > "$OUT/conformance.txt" 2>&1
echo "conformance: exit $? ($(grep -E 'Tests +[0-9]' "$OUT/conformance.txt" | tail -1 | sed 's/^ *//'))"
grep -E '^ *[✓↓×].*webgpu' "$OUT/conformance.txt" | head -20
node bin/arcgrad.js check --emit "$OUT/cases.json" > /dev/null
timeout 60 node bin/arcgrad.js check "$OUT/cases.json" --backend gpu.js:webgpu --dtype float32 2>&1 | tee "$OUT/check-webgpu.txt" | tail -3
timeout 270 node bench/gpu-head.mjs --out "$OUT" 2>&1 | tee "$OUT/bench.txt"
