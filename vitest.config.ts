import { defineConfig } from 'vitest/config';
import { seedChoice, seedLine } from './test/support/seed.js';
import { useSoftwareWebGpuIfNoGpu } from './test/support/software-webgpu.js';

// Before the workers are forked: they inherit the library path Dawn loads Vulkan from.
const webgpu = useSoftwareWebGpuIfNoGpu();
// The first line of `npm test`: the seed every property runs with (test/support/setup.ts), then WebGPU.
if (process.env.VITEST_POOL_ID === undefined) console.log(`${seedLine(seedChoice())}\n${webgpu}`);

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'docs/**/*.test.ts'],
    setupFiles: ['test/support/setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
