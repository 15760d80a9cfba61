// Finished runs kept in the browser (IndexedDB through idb-keyval) so they survive a reload.
import { get, keys, set } from 'idb-keyval';
import type { StoredExperiment } from '../results/stored';

export interface SavedRun {
  id: string;
  date: string;
  preset: string;
  experiment: StoredExperiment;
  figures: Record<string, string>;
  weights: { toy: Float32Array; saes: Float32Array };
}

const PREFIX = 'run:';

export async function saveRun(run: SavedRun): Promise<void> {
  await set(PREFIX + run.id, run);
}

export async function listRuns(): Promise<{ id: string; date: string; preset: string; name: string }[]> {
  const ks = (await keys()).map(String).filter((k) => k.startsWith(PREFIX));
  const runs = await Promise.all(ks.map((k) => get<SavedRun>(k)));
  return runs
    .filter((r): r is SavedRun => !!r)
    .map((r) => ({ id: r.id, date: r.date, preset: r.preset, name: r.experiment.name }))
    .sort((a, b) => b.date.localeCompare(a.date));
}

export async function loadRun(id: string): Promise<SavedRun | undefined> {
  return get<SavedRun>(PREFIX + id);
}
