// Checkpoints as files in a run folder: key `experiment/stage` -> DIR/experiment/checkpoint/stage.ckpt,
// written atomically (temp file + rename), so a stop or crash mid-write leaves the previous checkpoint.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CheckpointStore } from '../train/checkpoint';
import { writeFileAtomic } from './files';

export function fileCheckpointStore(dir: string): CheckpointStore {
  const path = (key: string) => {
    const [exp, stage] = key.split('/');
    return join(dir, exp, 'checkpoint', `${stage}.ckpt`);
  };
  return {
    load: (key) => (existsSync(path(key)) ? new Uint8Array(readFileSync(path(key))) : null),
    save: (key, data) => writeFileAtomic(path(key), data),
    remove: (key) => {
      rmSync(path(key), { force: true });
      const folder = dirname(path(key));
      if (existsSync(folder) && readdirSync(folder).length === 0) rmSync(folder, { recursive: true, force: true });
    },
    where: (key) => path(key),
  };
}
