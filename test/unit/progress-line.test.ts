// The CLI's progress line (src/cli/progress.ts): an SAE stage names its two figures, the robust batch FVU on
// fresh samples first, then the training loss on the last batches (heavy-tailed with the per-sample FVU: an
// unlabelled "loss 20.75 (median)" read as alarming); the toy stage keeps its loss.
import { describe, expect, it } from 'vitest';
import { ProgressBar } from '../../src/cli/progress';

function bar() {
  const lines: string[] = [];
  const out = { isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
  return { b: new ProgressBar(out), lines };
}

describe('progress line', () => {
  it('labels the SAE figures: batch-FVU on fresh samples, train loss on the last batches', () => {
    const { b, lines } = bar();
    b.update({ experiment: 'e', stage: 'sae', step: 0, total: 100, models: 8, loss: Number.NaN, diverged: 0, batch_loss: 0.5 });
    b.update({ experiment: 'e', stage: 'sae', step: 10, total: 100, models: 8, loss: 20.75, diverged: 0 });
    expect(lines.at(-1)).toMatch(/ 8 models batch-FVU 0\.500 \(fresh samples\) train loss 20\.75 \(last batches\) ETA/);
    expect(lines.join('')).not.toMatch(/\(median\)/);
  });
  it('the toy stage shows its loss', () => {
    const { b, lines } = bar();
    b.update({ experiment: 'e', stage: 'toy', step: 10, total: 100, models: 1, loss: 0.0123, diverged: 0 });
    expect(lines.at(-1)).toMatch(/ 1 models loss 0\.01230 \(median\) ETA/);
  });
});
