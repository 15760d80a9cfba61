// Output files: folders made without Node's recursive mkdir (which loops forever under /proc), write
// errors that name the file, and a failed write mid-study that keeps every finished experiment.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmpDirs } from './tmp';
import { getPreset } from '../src/experiments/presets';
import { readResults } from '../src/experiments/results';
import { parsePreset } from '../src/config/schema';
import { runPreset } from '../src/experiments/study';
import type { GpuContext } from '../src/gpu/context';
import { acquireNodeDevice, releaseNodeGpu } from '../src/gpu/node';
import { ensureDir, OutputError, probeOutputDir, writeFileAtomic } from '../src/io/files';
import { nodeDocument } from '../src/plots/dom-node';

const tmp = tmpDirs('sae-out-');

describe('output folders and files', () => {
  it('ensureDir makes nested folders, and fails with a named error under /proc and through a file (no hang)', () => {
    const d = tmp();
    ensureDir(join(d, 'a/b/c'));
    expect(existsSync(join(d, 'a/b/c'))).toBe(true);
    ensureDir(join(d, 'a/b/c')); // again: nothing to do
    expect(() => ensureDir('/proc/forbidden/x')).toThrow(/cannot create folder \/proc\/forbidden\/x \(at \/proc\/forbidden\): ENOENT/);
    writeFileSync(join(d, 'file'), 'x');
    expect(() => ensureDir(join(d, 'file/sub'))).toThrow(OutputError);
    expect(() => probeOutputDir(join(d, 'file'))).toThrow(/exists and is not a folder/);
    probeOutputDir(join(d, 'ok'));
    expect(readdirSync(join(d, 'ok'))).toEqual([]); // the probe file is gone
  });

  it('writeFileAtomic names the file it could not write and leaves no temporary file', () => {
    const d = tmp();
    mkdirSync(join(d, 'target.json')); // a folder where the file should go: rename fails
    expect(() => writeFileAtomic(join(d, 'target.json'), '{}')).toThrow(new RegExp(`cannot write ${join(d, 'target.json')}: E`));
    expect(readdirSync(d)).toEqual(['target.json']);
  });
});

describe('a write failure in the middle of a study', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await acquireNodeDevice();
  });
  afterAll(() => releaseNodeGpu(ctx));

  it('names the file and keeps the experiments finished before it', async () => {
    const t = getPreset('tiny').experiments[0];
    const micro = { ...t, toy: { ...t.toy, steps: 100 }, sae: { ...t.sae, steps: 50 }, eval_samples: 200, grid: { lr: [1e-2], l1: [0.1] } };
    const preset = parsePreset({
      name: 'two',
      description: 'two micro experiments',
      budget: 'custom',
      experiments: [
        { ...micro, name: 'a' },
        { ...micro, name: 'b' },
      ],
    });
    const out = tmp();
    writeFileSync(join(out, 'b'), "a file where experiment b's folder goes");
    await expect(runPreset(ctx, preset, out, { document: nodeDocument() })).rejects.toThrow(
      new RegExp(`cannot create folder ${join(out, 'b')}: .*exists and is not a folder`),
    );
    const res = readResults(out)!;
    expect(res.experiments.map((e) => e.name)).toEqual(['a']);
    expect(existsSync(join(out, 'a/saes.safetensors'))).toBe(true);
  }, 120_000);
});
