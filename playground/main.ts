/**
 * The playground page: sliders redraw the target logit, the binary decision boundaries and the
 * target probability live (computed by arcgrad's own code on the CPU reference, see
 * src/report/curves.ts); the Train button trains the 2-D toy (toy.ts) on the backend
 * `selectBackend` picks, yielding to the event loop after every step so the page stays responsive.
 *
 * What the page exposes for its end-to-end test (test/playground/playground.e2e.test.ts): the
 * paths #curve-target, #boundary-1 and #curve-probability; #train-status's `data-state` (idle,
 * running, done, error); #loss's `data-initial`, `data-current` and `data-steps`; #backend's
 * `data-backend` (what runs) and text (why).
 */
import type { Backend } from '../src/backend/backend.js';
import { cpu } from '../src/backend/cpu.js';
import type { Selection } from '../src/backend/select.js';
import { marginPresets, type MarginPresetName } from '../src/losses/presets.js';
import { FALLBACK_POLICIES, type FallbackPolicy } from '../src/ops/angular-margin.js';
import { CLASSES, FRAMES, Y_MIN, marginView, type PlaygroundMargin } from './margin-view.js';
import { Plot, angleTicks, linePath, svg } from './plot.js';
import { PLAYGROUND_TOY, ToyTrainer } from './toy.js';

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

const $ = <T extends Element>(selector: string): T => {
  const el = document.querySelector<T>(selector);
  if (el === null) throw new Error(`playground: ${selector} is missing from index.html`);
  return el;
};
const input = (id: string) => $<HTMLInputElement>(`#${id}`);

// ─── the margin controls ──────────────────────────────────────────────────────────────────────

const fallbackSelect = $<HTMLSelectElement>('#fallback');
fallbackSelect.replaceChildren(...FALLBACK_POLICIES.map((p) => new Option(p, p)));

/** λ slider position 0 is λ = 0; positions 1…100 run logarithmically from 0.1 to 1000. */
function lambdaOf(position: number): number {
  return position === 0 ? 0 : Number((10 ** (-1 + (4 * (position - 1)) / 99)).toPrecision(2));
}
function positionOf(lambda: number): number {
  return lambda <= 0 ? 0 : Math.round(1 + (99 * (Math.log10(lambda) + 1)) / 4);
}

/** The margin the controls describe. */
function margin(): PlaygroundMargin {
  return {
    s: Number(input('s').value),
    m1: Number(input('m1').value),
    m2: Number(input('m2').value),
    m3: Number(input('m3').value),
    fallback: fallbackSelect.value as FallbackPolicy,
    lambda: lambdaOf(Number(input('lambda').value)),
  };
}

/** Sets the sliders to a preset's margins (its s of 64 is left to the s slider). */
function applyPreset(name: MarginPresetName): void {
  const o = marginPresets[name]().options;
  input('m1').value = String(o.m1);
  input('m2').value = String(o.m2);
  input('m3').value = String(o.m3);
  fallbackSelect.value = o.fallback;
  input('lambda').value = String(positionOf(o.lambda));
}

// ─── the curves ───────────────────────────────────────────────────────────────────────────────

const angle = { x: 'θ (radians)', xTicks: angleTicks };
const logitPlot = new Plot($('#target-logit'), FRAMES.targetLogit, { ...angle, y: 'target logit f(θ) (cos units)' });
const boundaryPlot = new Plot($('#boundary'), FRAMES.boundary, { x: 'θ1 (radians)', y: 'θ2 (radians)', xTicks: angleTicks, yTicks: angleTicks });
const probabilityPlot = new Plot($('#probability'), FRAMES.probability, { ...angle, y: 'target probability p_y' });
const dashed = { stroke: '#999', 'stroke-width': 1.5, 'stroke-dasharray': '5 4' };

function redrawCurves(): void {
  const m = margin();
  for (const key of ['s', 'm1', 'm2', 'm3'] as const) $<HTMLOutputElement>(`#${key}-value`).value = String(m[key]);
  $<HTMLOutputElement>('#lambda-value').value = String(m.lambda);
  $('#formula').textContent =
    `f(θ) = cos(${m.m1}·θ + ${m.m2.toFixed(2)}) − ${m.m3.toFixed(2)}, fallback '${m.fallback}'` +
    (m.lambda > 0 ? `, blended (${m.lambda}·cos θ + f)/(1 + ${m.lambda})` : '') +
    `; logits × s = ${m.s}`;
  const view = marginView(m);
  logitPlot.path('curve-cos', view.cos, dashed);
  logitPlot.path('curve-target', view.target, { stroke: '#d62728', 'stroke-width': 2 });
  $('#cut-note').textContent = view.lowest < Y_MIN ? `(cut at ${Y_MIN}; f falls to ${view.lowest.toFixed(2)})` : '';
  boundaryPlot.path('boundary-diagonal', view.diagonal, dashed);
  boundaryPlot.path('boundary-1', view.boundary1, { stroke: COLORS[0], 'stroke-width': 2 });
  boundaryPlot.path('boundary-2', view.boundary2, { stroke: COLORS[1], 'stroke-width': 2 });
  probabilityPlot.path('curve-probability-plain', view.probabilityPlain, dashed);
  probabilityPlot.path('curve-probability', view.probability, { stroke: '#2ca02c', 'stroke-width': 2 });
  $('#classes-note').textContent =
    `${CLASSES} classes, the other ${CLASSES - 1} at 90° (logit 0); at θ = 0 without a margin p = ${view.plainAtZero.toFixed(3)}`;
}

for (const id of ['s', 'm1', 'm2', 'm3', 'lambda']) input(id).addEventListener('input', redrawCurves);
fallbackSelect.addEventListener('change', redrawCurves);
$<HTMLSelectElement>('#preset').addEventListener('change', (e) => {
  const name = (e.target as HTMLSelectElement).value;
  if (name !== '') applyPreset(name as MarginPresetName);
  redrawCurves();
});
applyPreset('arcface');
redrawCurves();

// ─── the backend ──────────────────────────────────────────────────────────────────────────────

const backendNote = $<HTMLParagraphElement>('#backend');

/**
 * The backend called `name` and why; an explicit gpu.js mode that is not available falls back to
 * the CPU reference, and the reason says so. gpu.js (~640 kB) is loaded here, on first use.
 */
async function chooseBackend(name: string): Promise<Selection> {
  try {
    const { selectBackend } = await import('../src/backend/select.js');
    return await selectBackend(name);
  } catch (e) {
    return { backend: cpu, reason: `${name} could not be used (${(e as Error).message}); falling back to the CPU reference` };
  }
}

function showBackend(selection: Selection): void {
  backendNote.dataset.backend = selection.backend.name;
  backendNote.textContent = `Runs on ${selection.backend.name}. Why: ${selection.reason}`;
}

const backendChoice = $<HTMLSelectElement>('#backend-choice');
let selection: Promise<Selection> = chooseBackend(backendChoice.value);
void selection.then(showBackend);
backendChoice.addEventListener('change', () => {
  backendNote.textContent = 'Selecting a backend…';
  selection = chooseBackend(backendChoice.value);
  void selection.then(showBackend);
});

// ─── training ─────────────────────────────────────────────────────────────────────────────────

const embeddingSvg = $<SVGSVGElement>('#embedding');
const lossPlot = new Plot($('#loss-chart'), { width: 320, height: 220, x: [0, 200], y: [0, 1] }, { x: 'step', y: 'loss' });
const lossOutput = $<HTMLOutputElement>('#loss');
const status = $<HTMLParagraphElement>('#train-status');
const trainButton = $<HTMLButtonElement>('#train');
const toy = PLAYGROUND_TOY;
$('#toy-note').textContent =
  `${toy.classes} classes of ${toy.perClass} samples (Gaussian clusters in ${toy.inputDim} dimensions), a linear map to a 2-D embedding and the ` +
  `margin head above with one center per class, trained by Adam (lr ${toy.lr}) on the full batch. The sliders at the moment you press Train set the loss.`;

function setStatus(state: 'idle' | 'running' | 'done' | 'error', text: string): void {
  status.dataset.state = state;
  status.textContent = text;
}

function drawEmbedding(trainer: ToyTrainer): void {
  const e = trainer.embeddings();
  const w = trainer.centers();
  const R = 100;
  embeddingSvg.setAttribute('viewBox', '-120 -120 240 240');
  const parts: SVGElement[] = [svg('circle', { cx: 0, cy: 0, r: R, fill: 'none', stroke: '#bbb' })];
  for (let k = 0; k < trainer.classes; k++) {
    const r = Math.hypot(w[2 * k], w[2 * k + 1]) || 1;
    parts.push(svg('line', { x1: 0, y1: 0, x2: (R * 1.12 * w[2 * k]) / r, y2: (-R * 1.12 * w[2 * k + 1]) / r, stroke: COLORS[k], 'stroke-width': 2.5 }));
  }
  for (let i = 0; i < trainer.labels.length; i++) {
    const r = Math.hypot(e[2 * i], e[2 * i + 1]) || 1;
    const c = COLORS[trainer.labels[i] % COLORS.length];
    parts.push(svg('circle', { cx: (R * e[2 * i]) / r, cy: (-R * e[2 * i + 1]) / r, r: 3, fill: c, 'fill-opacity': 0.6, class: 'sample' }));
  }
  embeddingSvg.replaceChildren(...parts);
}

function drawLoss(losses: readonly number[], steps: number): void {
  const top = Math.max(...losses) * 1.05;
  lossPlot.setFrame({ ...lossPlot.frame, x: [0, steps], y: [0, top] });
  lossPlot.path('loss-path', linePath(lossPlot.frame, losses.map((_, k) => k), losses), { stroke: '#1f77b4', 'stroke-width': 2 });
  lossOutput.dataset.initial = String(losses[0]);
  lossOutput.dataset.current = String(losses[losses.length - 1]);
  lossOutput.dataset.steps = String(losses.length);
  lossOutput.value = `${losses[0].toFixed(3)} at step 0 → ${losses[losses.length - 1].toFixed(3)} at step ${losses.length - 1}`;
}

/** Lets the browser paint and handle input between two steps. */
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

async function train(): Promise<void> {
  trainButton.disabled = true;
  const steps = Math.max(1, Math.min(2000, Math.round(Number(input('steps').value)) || 200));
  const m = margin();
  let chosen = await selection;
  showBackend(chosen);
  let trainer: ToyTrainer | undefined;
  setStatus('running', 'Training…');
  const started = performance.now();
  try {
    for (;;) {
      try {
        trainer = new ToyTrainer({ ...PLAYGROUND_TOY, margin: m, backend: chosen.backend });
        for (let k = 0; k < steps; k++) {
          trainer.step();
          if (k % 5 === 0 || k === steps - 1) {
            drawEmbedding(trainer);
            drawLoss(trainer.losses, steps);
            setStatus('running', `Training on ${trainer.backend.name}: step ${k + 1} of ${steps}…`);
          }
          await nextTask();
        }
        break;
      } catch (e) {
        if (chosen.backend === cpu) throw e;
        // A gpu.js mode that selected fine can still fail on a kernel: say so and use the CPU.
        chosen = { backend: cpu, reason: `${chosen.backend.name} failed while training (${(e as Error).message}); trained on the CPU reference instead` };
        showBackend(chosen);
      }
    }
    const ms = (performance.now() - started) / steps;
    const t = trainer as ToyTrainer;
    setStatus(
      'done',
      `Trained ${steps} steps on ${t.backend.name} (${ms.toFixed(1)} ms per step, including drawing): loss ${t.losses[0].toFixed(3)} at the start, ` +
        `${t.loss().toFixed(3)} after the last step; nearest-center accuracy ${(100 * t.accuracy()).toFixed(1)} %.`,
    );
  } catch (e) {
    setStatus('error', `Training failed: ${(e as Error).message}`);
  } finally {
    trainButton.disabled = false;
  }
}

trainButton.addEventListener('click', () => void train());
embeddingSvg.setAttribute('viewBox', '-120 -120 240 240');
embeddingSvg.append(svg('circle', { cx: 0, cy: 0, r: 100, fill: 'none', stroke: '#bbb' }));
// Exposed for debugging in the console.
(globalThis as { arcgradPlayground?: unknown }).arcgradPlayground = { margin, chooseBackend, backend: (): Promise<Backend> => selection.then((s) => s.backend) };
