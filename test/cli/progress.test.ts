/** The progress bar: redraws in place on a TTY, plain throttled lines elsewhere. */
import { describe, expect, it } from 'vitest';
import { ProgressBar, trainProgress } from '../../src/cli/progress.js';

function fake(isTTY: boolean, columns?: number) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, columns, write: (s: string) => chunks.push(s) } };
}

describe('ProgressBar', () => {
  it('redraws one line in place on a TTY', () => {
    const { chunks, stream } = fake(true);
    const bar = new ProgressBar({ total: 4, stream, width: 8, label: 'fit' });
    bar.update(1, 'loss 1.0');
    bar.update(2);
    bar.finish(4, 'done');
    expect(chunks[0]).toBe('\r\x1b[2Kfit [##......]  25% 1/4 loss 1.0');
    expect(chunks[1]).toBe('\r\x1b[2Kfit [####....]  50% 2/4');
    expect(chunks[2]).toBe('\r\x1b[2Kfit [########] 100% 4/4 done\n');
  });

  it('truncates to the terminal width', () => {
    const { chunks, stream } = fake(true, 20);
    new ProgressBar({ total: 4, stream }).update(1, 'a long message that does not fit');
    expect(chunks[0].length).toBe('\r\x1b[2K'.length + 19);
  });

  it('degrades to plain lines, one per 10% and one at the end, without a TTY', () => {
    const { chunks, stream } = fake(false);
    const bar = new ProgressBar({ total: 100, stream });
    for (let i = 1; i <= 99; i++) bar.update(i);
    bar.finish(100);
    expect(chunks.join('')).not.toMatch(/[\r\x1b]/);
    expect(chunks.length).toBe(11); // 1%, 10%, 20%, …, 90%, and the end
    expect(chunks[0]).toBe('train   1% 1/100\n');
    expect(chunks[1]).toBe('train  10% 10/100\n');
    expect(chunks.at(-1)).toBe('train 100% 100/100\n');
  });

  it('trainProgress formats epoch, loss and lr and finishes on the last step', () => {
    const { chunks, stream } = fake(false);
    const on = trainProgress({ stream, plainEvery: 0.5 });
    const base = { epochs: 2, batchesPerEpoch: 2, totalSteps: 4, lr: 0.1, loss: 1.23456 };
    on({ ...base, epoch: 0, batch: 0, step: 1 });
    on({ ...base, epoch: 0, batch: 1, step: 2 });
    on({ ...base, epoch: 1, batch: 0, step: 3 });
    on({ ...base, epoch: 1, batch: 1, step: 4 });
    expect(chunks).toEqual([
      'train  25% 1/4 epoch 1/2 loss 1.2346 lr 0.100\n',
      'train  50% 2/4 epoch 1/2 loss 1.2346 lr 0.100\n',
      'train 100% 4/4 epoch 2/2 loss 1.2346 lr 0.100\n',
    ]);
  });
});
