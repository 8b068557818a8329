/** The gpu.js backend's own error: a kernel that gpu.js could not compile or run. */
import { ArcgradError } from '../../tensor/errors.js';

/**
 * gpu.js rejected a kernel (for instance a `ScalarKernel.fn` outside the gpu.js subset, or one
 * calling a helper it cannot see) or failed while running it. Carries gpu.js's message.
 */
export class KernelError extends ArcgradError {
  constructor(message: string) {
    super('kernel', message);
  }
}
