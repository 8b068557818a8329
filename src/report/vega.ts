/**
 * Rendering a Vega-Lite spec to an SVG string in Node: vega-lite compiles it to a Vega spec and
 * a headless vega View (renderer 'none', nothing drawn on screen) serializes the scene to SVG.
 * No canvas package is needed: without one, vega estimates text widths from font size, which
 * only affects label layout, not the data drawn.
 *
 * vega and vega-lite are imported on first use, not at module load: together they take about
 * 0.4 s to load, which every `import 'arcgrad'` would otherwise pay, figures or not.
 */
import type { TopLevelSpec } from 'vega-lite';
import { importExtra } from '../tensor/extras.js';

/** The look shared by arcgrad's figures (white background, untruncated legend labels). */
export const FIGURE_CONFIG: Readonly<Record<string, unknown>> = {
  background: 'white',
  font: 'sans-serif',
  // Legend labels are series names such as "ArcFace m2=0.5, thmm"; vega cuts them at 160 px.
  legend: { labelLimit: 400, titleLimit: 400 },
  axis: { labelLimit: 400 },
  view: { stroke: '#ccc' },
};

/**
 * A Vega-Lite spec as SVG (markup starting with `<svg`). The spec's own `config` wins over
 * FIGURE_CONFIG. The same spec gives the same bytes every time: vega numbers the SVG's clip paths
 * and gradients from process-wide counters, which are reset before each figure (so its ids start
 * at clip1 whatever was rendered before). Pages that inline several figures must therefore make
 * the ids unique themselves, as `renderReport` does.
 */
export async function renderVegaLite(spec: TopLevelSpec): Promise<string> {
  const [{ View, parse, resetSVGDefIds }, { compile }] = await importExtra('figures', () => Promise.all([import('vega'), import('vega-lite')]));
  const withConfig = { ...spec, config: { ...FIGURE_CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec;
  const view = new View(parse(compile(withConfig).spec), { renderer: 'none' });
  try {
    resetSVGDefIds();
    return await view.toSVG();
  } finally {
    view.finalize(); // drop the timers and listeners vega set up, so Node can exit
  }
}
