import { defineConfig } from 'vitest/config';
import { useSoftwareWebGpuIfNoGpu } from './test/support/software-webgpu.js';

// Before the workers are forked: they inherit the library path Dawn loads Vulkan from.
const webgpu = useSoftwareWebGpuIfNoGpu();
if (process.env.VITEST_POOL_ID === undefined) console.log(webgpu);

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'docs/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
