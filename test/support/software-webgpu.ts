/**
 * WebGPU for the test suite on a machine without a GPU (CI's, and ours): Dawn (npm `webgpu`)
 * finds no adapter on Debian 12 by itself — its lavapipe lacks what Dawn needs — but it runs on
 * SwiftShader's Vulkan driver, which Debian's Chromium ships (CI installs Chromium for the
 * playground test). Dawn loads the Vulkan loader when the process starts its first instance, from
 * the library path the process started with, so the variables are set here, in the vitest
 * configuration, before the test workers are forked: every WebGPU test then runs its WGSL kernels
 * for real, in software. SwiftShader is a CPU: the tests check numbers on it, never speed.
 *
 * Left alone (the GPU decides) when the machine has a Vulkan loader of its own or the caller chose
 * a driver (VK_ICD_FILENAMES, VK_DRIVER_FILES: bench/gpu-run.sh on the GPU machine), or when
 * ARCGRAD_WEBGPU=system; without Chromium the WebGPU tests skip and say why.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Where Debian's and Ubuntu's Chromium keep SwiftShader's Vulkan driver and a Vulkan loader. */
const CHROMIUM_DIRS = ['/usr/lib/chromium', '/usr/lib/chromium-browser'];
const LOADER = 'libvulkan.so.1';
const SYSTEM_LIBRARY_DIRS = ['/usr/lib/x86_64-linux-gnu', '/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib'];

/**
 * Points Dawn at Chromium's SwiftShader when nothing else should be used (see the header); returns
 * one line saying what WebGPU the tests will get and why.
 */
export function useSoftwareWebGpuIfNoGpu(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ARCGRAD_WEBGPU === 'system') return 'WebGPU tests: whatever adapter Dawn finds (ARCGRAD_WEBGPU=system)';
  if (env.VK_ICD_FILENAMES || env.VK_DRIVER_FILES) return 'WebGPU tests: the Vulkan driver named by VK_ICD_FILENAMES/VK_DRIVER_FILES';
  const libraryDirs = [...(env.LD_LIBRARY_PATH ?? '').split(':').filter((d) => d !== ''), ...SYSTEM_LIBRARY_DIRS];
  const loader = libraryDirs.find((d) => existsSync(join(d, LOADER)));
  if (loader !== undefined) return `WebGPU tests: whatever adapter Dawn finds (this machine has a Vulkan loader in ${loader})`;
  const chromium = CHROMIUM_DIRS.find((d) => existsSync(join(d, 'vk_swiftshader_icd.json')) && existsSync(join(d, LOADER)));
  if (chromium === undefined) return 'WebGPU tests: none (no Vulkan loader, and no Chromium with SwiftShader to borrow one from)';
  env.LD_LIBRARY_PATH = [chromium, env.LD_LIBRARY_PATH].filter((s) => s).join(':');
  env.VK_ICD_FILENAMES = join(chromium, 'vk_swiftshader_icd.json');
  return `WebGPU tests: SwiftShader (software) from ${chromium}`;
}
