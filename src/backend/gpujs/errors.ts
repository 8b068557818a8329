/** The gpu.js backend's own errors: a kernel that gpu.js could not compile or run, a lost device. */
import { ArcgradError } from '../../tensor/errors.js';

/**
 * gpu.js rejected a kernel (for instance a `ScalarKernel.fn` outside the gpu.js subset, or one
 * calling a helper it cannot see) or failed while running it. Carries gpu.js's message.
 */
export class KernelError extends ArcgradError {
  constructor(message: string, code = 'kernel') {
    super(code, message);
  }
}

/**
 * The device went away (a lost WebGL context: driver reset, GPU removed, the system reclaiming
 * it). A lost GL context reads back zeros without an error, so every kernel run and every read
 * checks for it and throws this instead of returning numbers. Tensors on that backend are gone:
 * recreate the backend and start from the last checkpoint.
 */
export class DeviceLostError extends KernelError {
  constructor(message: string) {
    super(message, 'device-lost');
  }
}
