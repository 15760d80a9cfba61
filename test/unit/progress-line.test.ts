// The CLI's progress line (src/cli/progress.ts): an SAE stage names its two figures, the robust batch FVU on
// fresh samples first, then the training loss on the last batches (heavy-tailed with the per-sample FVU: an
// unlabelled "loss 20.75 (median)" read as alarming); the toy stage keeps its loss.
import { describe, expect, it, vi } from 'vitest';
import { compileSummary, ProgressBar, sayCompiles } from '../../src/cli/progress';
import type { CompileEvent, GpuContext } from '../../src/gpu/context';

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

describe('the run says when it compiles', () => {
  it('a compile past 2 s gets a line while it runs and its time when done; a fast one stays quiet', async () => {
    vi.useFakeTimers();
    try {
      const ctx = { compiles: [], compileListener: null } as unknown as GpuContext & { compileListener: (e: CompileEvent) => void };
      const lines: string[] = [];
      sayCompiles(ctx, (l) => lines.push(l));
      ctx.compileListener({ id: 1, label: 'fast.wgsl', done: false, seconds: 0 });
      ctx.compileListener({ id: 2, label: 'slow.wgsl', done: false, seconds: 0 });
      vi.advanceTimersByTime(500);
      ctx.compileListener({ id: 1, label: 'fast.wgsl', done: true, seconds: 0.5 });
      vi.advanceTimersByTime(2000);
      ctx.compileListener({ id: 2, label: 'slow.wgsl', done: true, seconds: 12.34 });
      ctx.compileListener({ id: 3, label: 'slow.wgsl', done: false, seconds: 0 }); // other defines: another kernel
      ctx.compileListener({ id: 3, label: 'slow.wgsl', done: true, seconds: 3 });
      expect(lines).toEqual([
        'compiling slow.wgsl: a new kernel shape, compiled once',
        'compiled slow.wgsl in 12.3 s',
        'compiled slow.wgsl (its 2nd specialisation in this run) in 3.0 s',
      ]);
    } finally {
      vi.useRealTimers();
    }
  });
  it('the total counts wall time: compiles side by side overlap', () => {
    expect(compileSummary([])).toBe('compiled no kernels');
    const s = compileSummary([
      { label: 'a', start: 10, seconds: 4 },
      { label: 'b', start: 12, seconds: 5 }, // overlaps a: 10..17 is 7 s
      { label: 'c', start: 20, seconds: 1 },
    ]);
    expect(s).toBe('compiled 3 kernels in 8.0 s (the slowest: b, 5.0 s)');
  });
});
