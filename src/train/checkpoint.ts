// Mid-training checkpoints of a GPU training job (SAE or toy), through the job's public surface only:
// its named buffers (parameters, Adam moments, latent state, divergence status, step counter), its host
// step and its loss history. A job restored from a checkpoint and trained on gives the same bits as one
// trained without a stop: the step counter is on the GPU, randomness is counter-based and chunking never
// changes the results. Where the bytes go is the caller's (a CheckpointStore: files in Node; none in the
// browser page). No Node imports here.
import type { GpuContext } from '../gpu/context';
import type { GpuConfig } from '../core/wire';

/** What a checkpoint reads and writes of a job (GpuSaeTrainer and GpuToyTrainer have it). */
export interface CheckpointableJob {
  readonly ctx: GpuContext;
  readonly kind: string;
  readonly cfg: GpuConfig;
  step: number;
  readonly history: { step: number; values: Float64Array }[];
  buffer(name: string): GPUBuffer;
}

/** Where checkpoints live, by key (e.g. `correlated/sae`). Saves must be atomic (a crash leaves the previous one). */
export interface CheckpointStore {
  load(key: string): Uint8Array | null;
  save(key: string, data: Uint8Array): void;
  remove(key: string): void;
  /** where a key is kept, for the log */
  where(key: string): string;
}

/** The buffers that carry a job's state from one step to the next (everything else is rewritten every step). */
export function stateBuffers(kind: string): string[] {
  return kind === 'sae' ? ['params', 'adam', 'lat', 'status', 'state', 'hyper', 'anneal'] : ['params', 'adam', 'status', 'state'];
}

/** State buffers a checkpoint written before they existed lacks: only p-annealing changes them (hyper's lambda, its queue). */
const ADDED_LATER = new Set(['hyper', 'anneal']);

export interface Checkpoint {
  /** what the job was: a checkpoint of another config, shard, kernel or adapter is not resumed */
  fingerprint: string;
  step: number;
  /** the caller's own state (JSON) */
  meta: unknown;
  buffers: Record<string, Uint8Array>;
  history: { step: number; values: Float64Array }[];
  /** the caller's own arrays (float64, NaN and Inf kept) */
  arrays: Record<string, Float64Array>;
}

const MAGIC = 'SAECKPT1';
const align8 = (n: number) => Math.ceil(n / 8) * 8;

interface Entry {
  name: string;
  kind: 'buffer' | 'array' | 'history';
  offset: number;
  bytes: number;
}

export function encodeCheckpoint(c: Checkpoint): Uint8Array {
  const parts: { e: Entry; data: Uint8Array }[] = [];
  const add = (name: string, kind: Entry['kind'], data: Uint8Array) => parts.push({ e: { name, kind, offset: 0, bytes: data.byteLength }, data });
  const u8 = (a: Float64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  for (const [k, v] of Object.entries(c.buffers)) add(k, 'buffer', v);
  for (const [k, v] of Object.entries(c.arrays)) add(k, 'array', u8(v));
  const width = c.history[0]?.values.length ?? 0;
  const hist = new Float64Array(c.history.length * (width + 1));
  c.history.forEach((r, i) => {
    if (r.values.length !== width) throw new Error(`checkpoint: history row ${i} has ${r.values.length} values, expected ${width}`);
    hist[i * (width + 1)] = r.step;
    hist.set(r.values, i * (width + 1) + 1);
  });
  add(String(width), 'history', u8(hist));
  let off = 0;
  for (const p of parts) {
    p.e.offset = off;
    off = align8(off + p.e.bytes);
  }
  const header = new TextEncoder().encode(JSON.stringify({ fingerprint: c.fingerprint, step: c.step, meta: c.meta, entries: parts.map((p) => p.e) }));
  const base = align8(MAGIC.length + 4 + header.byteLength);
  const out = new Uint8Array(base + off);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(MAGIC.length, header.byteLength, true);
  out.set(header, MAGIC.length + 4);
  for (const p of parts) out.set(p.data, base + p.e.offset);
  return out;
}

export function decodeCheckpoint(bytes: Uint8Array): Checkpoint {
  if (bytes.byteLength < MAGIC.length + 4 || new TextDecoder().decode(bytes.subarray(0, MAGIC.length)) !== MAGIC)
    throw new Error('not a checkpoint file (bad magic)');
  const hl = new DataView(bytes.buffer, bytes.byteOffset).getUint32(MAGIC.length, true);
  const h = JSON.parse(new TextDecoder().decode(bytes.subarray(MAGIC.length + 4, MAGIC.length + 4 + hl))) as {
    fingerprint: string;
    step: number;
    meta: unknown;
    entries: Entry[];
  };
  const base = align8(MAGIC.length + 4 + hl);
  const c: Checkpoint = { fingerprint: h.fingerprint, step: h.step, meta: h.meta, buffers: {}, history: [], arrays: {} };
  for (const e of h.entries) {
    if (base + e.offset + e.bytes > bytes.byteLength) throw new Error(`checkpoint truncated (entry ${e.name})`);
    const data = bytes.slice(base + e.offset, base + e.offset + e.bytes); // a copy: 8-aligned for Float64Array
    if (e.kind === 'buffer') c.buffers[e.name] = data;
    else if (e.kind === 'array') c.arrays[e.name] = new Float64Array(data.buffer);
    else {
      const w = Number(e.name) + 1;
      const f = new Float64Array(data.buffer);
      for (let i = 0; i + w <= f.length; i += w) c.history.push({ step: f[i], values: f.slice(i + 1, i + w) });
    }
  }
  return c;
}

/** Read a job's state (one readback of all its state buffers). */
export async function snapshotJob(
  job: CheckpointableJob,
  fingerprint: string,
  extra: { meta?: unknown; arrays?: Record<string, Float64Array> } = {},
): Promise<Checkpoint> {
  const names = stateBuffers(job.kind);
  const data = await job.ctx.readback(names.map((n) => job.buffer(n)));
  return {
    fingerprint,
    step: job.step,
    meta: extra.meta ?? null,
    buffers: Object.fromEntries(names.map((n, i) => [n, new Uint8Array(data[i])])),
    history: job.history.map((r) => ({ step: r.step, values: Float64Array.from(r.values) })),
    arrays: extra.arrays ?? {},
  };
}

/** Put a checkpoint's state into a freshly created job of the same shape (before it trains). */
export function restoreJob(job: CheckpointableJob, c: Checkpoint): void {
  if (job.step !== 0 || job.history.length) throw new Error(`${job.kind} job: restore a checkpoint before training, not after`);
  for (const n of stateBuffers(job.kind)) {
    const b = job.buffer(n),
      d = c.buffers[n];
    if (!d && ADDED_LATER.has(n) && !job.cfg.pa_n) continue;
    if (!d) throw new Error(`${job.kind} checkpoint has no buffer '${n}'`);
    if (d.byteLength !== b.size) throw new Error(`${job.kind} checkpoint: buffer '${n}' has ${d.byteLength} bytes, the job's has ${b.size}`);
    job.ctx.write(b, d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength) as ArrayBuffer);
  }
  job.step = c.step;
  job.history.push(...c.history.map((r) => ({ step: r.step, values: Float64Array.from(r.values) })));
}

/** How often a long training stage saves its state: at most every `everySeconds` of work (0: after every chunk). */
export interface CheckpointPolicy {
  store: CheckpointStore;
  everySeconds: number;
  /** after each save (the CLI's stop message names the latest) */
  onSave?: (key: string, step: number, total: number) => void;
}

/** One stage's checkpoints under one key: load (when the fingerprint matches) and save at the policy's interval. */
export class JobCheckpoints {
  private last = performance.now();
  saves = 0;
  constructor(
    readonly policy: CheckpointPolicy,
    readonly key: string,
    readonly fingerprint: string,
    private readonly note: (line: string) => void = () => undefined,
  ) {}

  /** The stored checkpoint of this stage, or null (none, unreadable, or of another config/kernel/adapter: said in the log). */
  load(): Checkpoint | null {
    let bytes: Uint8Array | null;
    try {
      bytes = this.policy.store.load(this.key);
    } catch (e) {
      this.note(`checkpoint ${this.policy.store.where(this.key)} cannot be read (${(e as Error).message}): starting this stage afresh`);
      return null;
    }
    if (!bytes) return null;
    let c: Checkpoint;
    try {
      c = decodeCheckpoint(bytes);
    } catch (e) {
      this.note(`checkpoint ${this.policy.store.where(this.key)} is damaged (${(e as Error).message}): starting this stage afresh`);
      return null;
    }
    if (c.fingerprint !== this.fingerprint) {
      this.note(`checkpoint ${this.policy.store.where(this.key)} is of another config, shard, kernel or adapter: starting this stage afresh (it is replaced)`);
      return null;
    }
    return c;
  }

  /** Save when the interval has passed (or `force`); returns whether it saved. */
  async maybeSave(
    job: CheckpointableJob,
    extra: () => { meta?: unknown; arrays?: Record<string, Float64Array> } = () => ({}),
    force = false,
  ): Promise<boolean> {
    if (!force && (performance.now() - this.last) / 1000 < this.policy.everySeconds) return false;
    const c = await snapshotJob(job, this.fingerprint, extra());
    this.policy.store.save(this.key, encodeCheckpoint(c));
    this.last = performance.now();
    this.saves++;
    this.policy.onSave?.(this.key, job.step, job.cfg.T);
    return true;
  }
}
