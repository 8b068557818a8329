/** Validation of class labels and row indices, shared by the ops that take them. */
import { LabelError } from '../tensor/errors.js';

/** Labels as users may pass them: any array of integers. */
export type Labels = ArrayLike<number>;

/**
 * `labels` as an Int32Array after checking that there is one per row, each an integer in
 * [0, classes) or −1 ("ignore this row") when `allowIgnore`. Names the op and the bad row.
 */
export function toLabels(op: string, labels: Labels, rows: number, classes: number, allowIgnore = true): Int32Array {
  if (labels === null || typeof labels !== 'object' || typeof labels.length !== 'number') {
    throw new LabelError(`${op}: labels must be an array of integers`);
  }
  if (labels.length !== rows) {
    throw new LabelError(`${op}: ${labels.length} labels for ${rows} rows`);
  }
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const y = labels[i];
    if (typeof y !== 'number' || !Number.isInteger(y)) {
      throw new LabelError(`${op}: label ${i} is ${typeof y === 'number' ? String(y) : `${JSON.stringify(y) ?? String(y)} (a ${typeof y})`}, not an integer`);
    }
    if (y === -1 && allowIgnore) {
      out[i] = -1;
      continue;
    }
    if (y < 0 || y >= classes) {
      throw new LabelError(
        `${op}: label ${i} is ${y}, outside [0, ${classes})${allowIgnore ? ' (−1 marks a row to ignore)' : ''}`,
      );
    }
    out[i] = y;
  }
  return out;
}
