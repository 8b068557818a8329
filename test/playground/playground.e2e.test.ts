/**
 * The playground end to end, in headless Chromium: Debian's `chromium` package driven by
 * playwright-core (npm cannot download browsers here). The page is built with vite (the build
 * itself fails if anything it imports is Node-only: see playground/vite.config.ts) and served by
 * `vite preview`; the test moves sliders and checks that the drawn paths are the ones arcgrad's
 * curves give (recomputed here in Node), trains the toy and checks that the loss read from the
 * page fell — and equals, step for step, what ToyTrainer computes in Node on the same backend
 * kind — that the page stayed responsive while training, and saves a screenshot.
 *
 * Where Chromium is missing the suite is skipped with the reason printed, unless
 * ARCGRAD_REQUIRE_BROWSER=1 (which .ci/run sets after installing Chromium): then a missing
 * browser fails. The screenshot goes to out/playground-screenshot.png, or to the path in
 * ARCGRAD_PLAYGROUND_SCREENSHOT (`npm run playground:screenshot` writes docs/figures/playground.png).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GpujsBackend } from '../../src/backend/gpujs/gpujs-backend.js';
import { marginView, type MarginView, type PlaygroundMargin } from '../../playground/margin-view.js';
import { PLAYGROUND_TOY, ToyTrainer } from '../../playground/toy.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const configFile = join(root, 'playground/vite.config.ts');
const CHROMIUM = process.env.ARCGRAD_CHROMIUM ?? '/usr/bin/chromium';
const REQUIRED = process.env.ARCGRAD_REQUIRE_BROWSER === '1';
const SCREENSHOT = resolve(root, process.env.ARCGRAD_PLAYGROUND_SCREENSHOT ?? 'out/playground-screenshot.png');
const haveChromium = existsSync(CHROMIUM);
const why =
  `no Chromium at ${CHROMIUM} (Debian: apt-get install chromium; or set ARCGRAD_CHROMIUM). ` +
  '.ci/run installs it and sets ARCGRAD_REQUIRE_BROWSER=1, under which a missing browser fails this suite';
if (!haveChromium && !REQUIRED) console.warn(`test/playground/playground.e2e.test.ts SKIPPED: ${why}`);

/** The numbers of an SVG path's data, in order. */
const numbers = (d: string | null) => (d ?? '').match(/-?\d+(\.\d+)?/g)?.map(Number) ?? [];

/** Paths equal up to the last printed digit (the page and Node print the same floats to 2 decimals). */
function expectSamePath(got: string | null, want: string, what: string): void {
  const [g, w] = [numbers(got), numbers(want)];
  expect(g.length, `${what}: number of coordinates`).toBe(w.length);
  const worst = Math.max(...g.map((v, i) => Math.abs(v - w[i])));
  expect(worst, `${what}: largest difference in pixels`).toBeLessThanOrEqual(0.0100001);
}

describe.runIf(haveChromium || REQUIRED)('the playground in headless Chromium', () => {
  let outDir = '';
  let server: PreviewServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`ARCGRAD_REQUIRE_BROWSER=1 but ${why}`);
    outDir = mkdtempSync(join(tmpdir(), 'arcgrad-playground-'));
    await build({ configFile, logLevel: 'error', build: { outDir } });
    server = await preview({ configFile, logLevel: 'error', build: { outDir }, preview: { host: '127.0.0.1', port: 0 } });
    const url = server.resolvedUrls?.local[0];
    if (url === undefined) throw new Error('vite preview did not say where it listens');
    browser = await chromium.launch({ executablePath: CHROMIUM });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(url);
    await page.waitForSelector('#backend[data-backend]', { timeout: 30_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  const attr = (selector: string, name: string) => page.getAttribute(selector, name);
  const margin = () => page.evaluate(() => (globalThis as unknown as { arcgradPlayground: { margin(): PlaygroundMargin } }).arcgradPlayground.margin());
  const drawn = async () => ({
    target: await attr('#curve-target', 'd'),
    boundary1: await attr('#boundary-1', 'd'),
    boundary2: await attr('#boundary-2', 'd'),
    probability: await attr('#curve-probability', 'd'),
  });
  const expectDrawn = (got: Awaited<ReturnType<typeof drawn>>, want: MarginView) => {
    for (const key of ['target', 'boundary1', 'boundary2', 'probability'] as const) expectSamePath(got[key], want[key], key);
  };

  /** Clicks Train and waits until it is done; returns the loss numbers the page shows. */
  async function train(steps: number): Promise<{ initial: number; current: number; steps: number; backend: string | null }> {
    await page.locator('#steps').fill(String(steps));
    await page.click('#train');
    await page.waitForSelector('#train-status[data-state="done"], #train-status[data-state="error"]', { timeout: 90_000 });
    expect(await attr('#train-status', 'data-state'), (await page.textContent('#train-status')) ?? '').toBe('done');
    return {
      initial: Number(await attr('#loss', 'data-initial')),
      current: Number(await attr('#loss', 'data-current')),
      steps: Number(await attr('#loss', 'data-steps')),
      backend: await attr('#backend', 'data-backend'),
    };
  }

  it('says which backend runs and why', async () => {
    const text = (await page.textContent('#backend')) ?? '';
    const name = await attr('#backend', 'data-backend');
    expect(text).toMatch(new RegExp(`^Runs on ${name?.replace(/\./g, '\\.')}\\. Why: auto: `));
    // On the CPU the reason names what was missing (e.g. "WebGL2 renders in software (…SwiftShader…)").
    if (name === 'cpu') expect(text).toMatch(/auto: cpu \(float64 reference\) — .*WebGPU.*; .*WebGL2/);
  });

  it("draws arcgrad's curves, and the sliders redraw them live", async () => {
    const start = await margin();
    expect(start).toMatchObject({ m1: 1, m2: 0.5, m3: 0, fallback: 'none', lambda: 0 }); // the ArcFace preset
    const before = await drawn();
    expectDrawn(before, marginView(start));

    await page.locator('#m2').fill('0.8');
    const wider = await drawn();
    expect(wider.target).not.toBe(before.target);
    expect(wider.boundary1).not.toBe(before.boundary1);
    expectDrawn(wider, marginView({ ...start, m2: 0.8 }));

    // s scales the logits: it moves the probability, never f(θ) or the boundaries.
    await page.locator('#s').fill('40');
    const scaled = await drawn();
    expect(scaled.target).toBe(wider.target);
    expect(scaled.boundary1).toBe(wider.boundary1);
    expect(scaled.probability).not.toBe(wider.probability);
    expectDrawn(scaled, marginView({ ...start, m2: 0.8, s: 40 }));

    // The fallback policy and λ reach the curve too.
    await page.selectOption('#fallback', 'clamp');
    await page.locator('#lambda').fill('40');
    const m = await margin();
    expect(m).toMatchObject({ fallback: 'clamp', s: 40, m2: 0.8 });
    expect(m.lambda).toBeGreaterThan(0);
    expectDrawn(await drawn(), marginView(m));

    await page.selectOption('#preset', 'arcface');
    await page.locator('#s').fill('16');
    expect(await margin()).toEqual(start);
  });

  it('trains the toy: the loss read from the page falls, as ToyTrainer computes it, and the page stays responsive', async () => {
    const m = await margin();
    const steps = 120;
    await page.locator('#steps').fill(String(steps));
    await page.click('#train');
    // While it trains, a slider still redraws its curve: the loop yields to the event loop.
    await page.waitForSelector('#train-status[data-state="running"]');
    const before = await attr('#curve-target', 'd');
    await page.locator('#m2').fill('0.3');
    expect(await attr('#curve-target', 'd')).not.toBe(before);
    expect(await attr('#train-status', 'data-state')).toBe('running');
    await page.locator('#m2').fill(String(m.m2));

    await page.waitForSelector('#train-status[data-state="done"], #train-status[data-state="error"]', { timeout: 90_000 });
    expect(await attr('#train-status', 'data-state'), (await page.textContent('#train-status')) ?? '').toBe('done');
    const initial = Number(await attr('#loss', 'data-initial'));
    const current = Number(await attr('#loss', 'data-current'));
    console.log(`playground e2e: ${await page.textContent('#backend')}\n  ${await page.textContent('#train-status')}`);
    expect(Number(await attr('#loss', 'data-steps'))).toBe(steps);
    expect(current).toBeLessThan(initial / 4);
    expect(await page.locator('#embedding circle.sample').count()).toBe(PLAYGROUND_TOY.classes * PLAYGROUND_TOY.perClass);

    const backend = await attr('#backend', 'data-backend');
    if (backend === 'cpu') {
      // The same float64 code in Node: the page's losses are arcgrad's, to the last bit or nearly.
      const reference = new ToyTrainer({ ...PLAYGROUND_TOY, margin: m });
      for (let k = 0; k < steps; k++) reference.step();
      expect(initial).toBeCloseTo(reference.losses[0], 9);
      expect(current).toBeCloseTo(reference.losses[steps - 1], 9);
    }

    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    const png = readFileSync(SCREENSHOT);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(20_000);
  });

  it('trains on gpu.js:webgl2 when the browser has WebGL2, agreeing with the CPU reference to float32 accuracy', async (ctx) => {
    const webgl2 = await page.evaluate<boolean>("document.createElement('canvas').getContext('webgl2') !== null");
    if (!webgl2) ctx.skip('this Chromium gives no WebGL2 context at all');
    await page.selectOption('#backend-choice', 'gpu.js:webgl2');
    await page.waitForSelector('#backend[data-backend]');
    const steps = 4;
    const run = await train(steps);
    // No silent fallback: had a kernel failed, the page would say cpu and why.
    expect(run.backend, (await page.textContent('#backend')) ?? '').toBe('gpu.js:webgl2');
    console.log(`playground e2e: ${await page.textContent('#backend')}\n  ${await page.textContent('#train-status')}`);
    expect(run.steps).toBe(steps);
    const reference = new ToyTrainer({ ...PLAYGROUND_TOY, margin: await margin(), backend: new GpujsBackend('cpu') });
    for (let k = 0; k < steps; k++) reference.step();
    expect(Math.abs(run.initial - reference.losses[0])).toBeLessThan(1e-4 * reference.losses[0]);
    expect(Math.abs(run.current - reference.losses[steps - 1])).toBeLessThan(1e-3 * reference.losses[steps - 1]);
    expect(run.current).toBeLessThan(run.initial);
  });

  it('raised no error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});

if (!haveChromium && !REQUIRED) {
  describe('the playground in headless Chromium', () => {
    it.skip(`SKIPPED: ${why}`, () => {});
  });
}
