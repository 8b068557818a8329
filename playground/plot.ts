/**
 * Plain-SVG plotting for the playground: a framed plot with axes and ticks, and named paths in it
 * (the pixel arithmetic is in scale.ts, which has no DOM and is tested in Node).
 */
import { ticks, toPixels, type Frame } from './scale.js';

export { angleTicks, linePath, ticks, toPixels, type Frame } from './scale.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

/** A new SVG element with attributes. */
export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attributes)) el.setAttribute(k, String(v));
  return el;
}

/** Tick positions and their labels for a data range. */
export type TickFormat = (lo: number, hi: number) => [number, string][];

/** Margins around the drawing area, for the axis labels. */
const MARGIN = { left: 44, right: 12, top: 12, bottom: 36 };

/** A framed plot in `host`: axes with ticks and labels, a clipped layer to draw into. */
export class Plot {
  /** The group data is drawn into (clipped to the frame, origin at its top left). */
  readonly layer: SVGGElement;
  private readonly axes: SVGGElement;

  constructor(
    readonly root: SVGSVGElement,
    public frame: Frame,
    private readonly labels: { x: string; y: string; xTicks?: TickFormat; yTicks?: TickFormat },
  ) {
    const { width, height } = frame;
    const [outerWidth, outerHeight] = [width + MARGIN.left + MARGIN.right, height + MARGIN.top + MARGIN.bottom];
    root.setAttribute('viewBox', `0 0 ${outerWidth} ${outerHeight}`);
    // One pixel per unit, so text has one size in every plot (CSS shrinks a plot only to fit).
    root.setAttribute('width', String(outerWidth));
    root.setAttribute('height', String(outerHeight));
    const clipId = `${root.id}-clip`;
    const defs = svg('defs');
    const clip = svg('clipPath', { id: clipId });
    clip.append(svg('rect', { x: 0, y: 0, width, height }));
    defs.append(clip);
    const body = svg('g', { transform: `translate(${MARGIN.left},${MARGIN.top})` });
    this.axes = svg('g', { class: 'axes' });
    this.layer = svg('g', { 'clip-path': `url(#${clipId})` });
    body.append(svg('rect', { x: 0, y: 0, width, height, class: 'frame' }), this.axes, this.layer);
    root.replaceChildren(defs, body);
    this.drawAxes();
  }

  /** Changes the data ranges and redraws the axes (the caller redraws the data). */
  setFrame(frame: Frame): void {
    this.frame = frame;
    this.drawAxes();
  }

  private drawAxes(): void {
    const { width, height, x, y } = this.frame;
    const parts: SVGElement[] = [];
    const xTicks = this.labels.xTicks?.(x[0], x[1]) ?? ticks(x[0], x[1]).map((v): [number, string] => [v, String(v)]);
    for (const [v, text] of xTicks) {
      const [px] = toPixels(this.frame, v, y[0]);
      parts.push(svg('line', { x1: px, x2: px, y1: 0, y2: height, class: 'grid' }));
      const label = svg('text', { x: px, y: height + 14, 'text-anchor': 'middle', class: 'tick' });
      label.textContent = text;
      parts.push(label);
    }
    const yTicks = this.labels.yTicks?.(y[0], y[1]) ?? ticks(y[0], y[1]).map((v): [number, string] => [v, String(v)]);
    for (const [v, text] of yTicks) {
      const [, py] = toPixels(this.frame, x[0], v);
      parts.push(svg('line', { x1: 0, x2: width, y1: py, y2: py, class: 'grid' }));
      const label = svg('text', { x: -6, y: py + 4, 'text-anchor': 'end', class: 'tick' });
      label.textContent = text;
      parts.push(label);
    }
    const xLabel = svg('text', { x: width / 2, y: height + 31, 'text-anchor': 'middle', class: 'axis-label' });
    xLabel.textContent = this.labels.x;
    const yLabel = svg('text', { x: -height / 2, y: -32, transform: 'rotate(-90)', 'text-anchor': 'middle', class: 'axis-label' });
    yLabel.textContent = this.labels.y;
    this.axes.replaceChildren(...parts, xLabel, yLabel);
  }

  /** The path element with `id` in the layer (created with `attributes` on first use), set to `d`. */
  path(id: string, d: string, attributes: Record<string, string | number> = {}): SVGPathElement {
    let el = this.root.querySelector<SVGPathElement>(`#${id}`);
    if (el === null) {
      el = svg('path', { id, fill: 'none', ...attributes });
      this.layer.append(el);
    }
    el.setAttribute('d', d);
    return el;
  }
}
