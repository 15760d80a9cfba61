// The wide SAE engine's step as a kernel unit: one SAE of width s on d-dimensional rows (SynthSAEBench's shapes:
// d = 768, s = 4,096), its dense products through the GEMM unit (src/kernels/gemm, any version), its element-wise
// and row/column parts in the small kernels beside this module. One step, for a ReLU SAE in SAELens's layout and
// loss (twin: src/reference/wide.ts wideStep):
//   rownorm -> center -> GEMM pre = x_c W_enc (NN) -> act -> GEMM r = f W_dec (NN) -> residual -> rowloss
//   -> colsum g_b_dec = sum_b dr -> colsum fsum = sum_b f -> GEMM g_W_dec = f^T dr (TN) -> wdec_grad
//   -> GEMM df = dr W_dec^T (NT) -> dpre -> colsum g_b_enc = sum_b dpre -> GEMM g_W_enc = x_c^T dpre (TN) -> bdec_grad
// The study's objective (STUDY_OBJECTIVE) adds wdec_unit and row_den before rownorm and wdec_project after wdec_grad,
// and drops bdec_grad (no pre-encoder bias). The variants join through WideTrainMode; Adam runs in src/train/wide.ts.
import { type GpuContext, isSoftwareAdapter } from '../../gpu/context';
import type { Grid, Kernel } from '../../gpu/kernel';
import { encodeGemm } from '../gemm';
import type { JobShape } from '../registry';
import type { WideTrainMode } from '../../reference/wide';

export interface WideShape {
  B: number;
  d: number;
  s: number;
}

/** The element-wise and row/column kernels of the step: file, what one invocation covers, for the registry. */
/** What judges a kernel that is not part of the step's own check ('wide SAE step', twin wideStep). */
const JUDGED: Record<string, { twin: string; check: string }> = {
  adam: { twin: 'reference/wide: wideTrain', check: 'train wide SAE' },
  // BatchTopK's evaluation pass runs in the trainer's check
  ema_thr: { twin: 'reference/wide: wideStep (threshold)', check: 'train wide SAE' },
  add_bias: { twin: 'data/synth-source: synthRows', check: 'wide synth source' },
  synth_compact: { twin: 'data/synth-source: synthRows', check: 'wide synth source' },
  synth_mix: { twin: 'data/synth-source: synthRows', check: 'wide synth source' },
  detector: { twin: 'metrics/synth: DetectorCounts', check: 'wide detector' },
  eval_rows: { twin: 'metrics/wide: ReconstructionMetrics', check: 'wide detector' },
  ortho_r: { twin: 'data/dictionary: orthoLoss', check: 'wide orthogonalisation' },
  wdec_unit: { twin: 'reference/wide: unitRows', check: 'wide SAE step' },
  wdec_project: { twin: 'reference/wide: projectRows', check: 'wide SAE step' },
};

/** A wide kernel's twin and check (the registry's entry). */
export function wideJudge(file: string): { twin: string; check: string } {
  const name = file.replace(/^.*\//, '').replace(/\.wgsl$/, '');
  return JUDGED[name] ?? { twin: 'reference/wide: wideStep', check: 'wide SAE step' };
}

export const WIDE_KERNELS: { file: string; summary: string; grid: (s: JobShape) => Grid; defines?: Record<string, string> }[] = [
  { file: 'kernels/wide/rownorm.wgsl', summary: "the decoder rows' norms", grid: (s) => ({ threads: s.S }) },
  { file: 'kernels/wide/wdec_unit.wgsl', summary: "the decoder's rows to unit norm before a step (the study's)", grid: (s) => ({ threads: s.S }) },
  { file: 'kernels/wide/row_den.wgsl', summary: "the study's per-sample FVU denominators |x_b|^2", grid: (s) => ({ threads: s.B }) },
  { file: 'kernels/wide/center.wgsl', summary: 'x_c = x - b_dec (x without the pre-encoder bias)', grid: (s) => ({ threads: s.B * s.D }) },
  {
    file: 'kernels/wide/act.wgsl',
    summary: "pre += b_enc, f = pre on the variant's selection",
    grid: (s) => ({ threads: s.B * s.S }),
    defines: { ADD_BIAS: 'true' },
  },
  { file: 'kernels/wide/bias_pre.wgsl', summary: 'pre += b_enc before a selection', grid: (s) => ({ threads: s.B * s.S }) },
  {
    file: 'kernels/wide/select_rows.wgsl',
    summary: "each row's TopK or AuxK threshold (radix select)",
    grid: (s) => ({ groups: [s.B, 1, 1] }),
    defines: { DEAD_ONLY: 'false' },
  },
  {
    file: 'kernels/wide/select_rows_serial.wgsl',
    summary: 'select_rows for software adapters: one invocation per row, bit by bit',
    grid: (s) => ({ threads: s.B }),
    defines: { DEAD_ONLY: 'false' },
  },
  { file: 'kernels/wide/select_hist.wgsl', summary: "one round of BatchTopK's radix select: the digit counts", grid: (s) => ({ threads: s.B * s.S }) },
  {
    file: 'kernels/wide/select_resolve.wgsl',
    summary: "one round of BatchTopK's radix select: the digit, the threshold, its EMA",
    grid: () => ({ groups: [1, 1, 1] }),
  },
  { file: 'kernels/wide/jump_thr.wgsl', summary: "JumpReLU's thresholds as selection keys", grid: (s) => ({ threads: s.S }) },
  { file: 'kernels/wide/jump_grad.wgsl', summary: "JumpReLU's straight-through gradient at its log thresholds", grid: (s) => ({ threads: s.S }) },
  { file: 'kernels/wide/ema_thr.wgsl', summary: 'BatchTopK at inference: the EMA threshold', grid: () => ({ groups: [1, 1, 1] }) },
  { file: 'kernels/wide/dead_count.wgsl', summary: "AuxK's dead latents, rank and scale", grid: () => ({ groups: [1, 1, 1] }) },
  { file: 'kernels/wide/aux_act.wgsl', summary: "AuxK's activations among the dead latents", grid: (s) => ({ threads: s.B * s.S }) },
  { file: 'kernels/wide/eval_rows.wgsl', summary: "the evaluation's per-row |x|^2 and |xhat|^2", grid: (s) => ({ threads: s.B }) },
  { file: 'kernels/wide/detector.wgsl', summary: 'per-latent detection counts against the best-matching feature', grid: (s) => ({ threads: s.S }) },
  { file: 'kernels/wide/since.wgsl', summary: 'steps since each latent fired', grid: (s) => ({ threads: s.S }) },
  { file: 'kernels/wide/residual.wgsl', summary: 'e = f W_dec + b_dec - x, dr = 2 e / B', grid: (s) => ({ threads: s.B * s.D }) },
  { file: 'kernels/wide/rowloss.wgsl', summary: "per-row squared error, weighted L1, L0 and AuxK's error", grid: (s) => ({ threads: s.B }) },
  { file: 'kernels/wide/colsum.wgsl', summary: 'column sums (bias gradients, activation mass)', grid: (s) => ({ threads: s.S }) },
  { file: 'kernels/wide/wdec_grad.wgsl', summary: "the penalty's gradient on W_dec through the row norms", grid: (s) => ({ threads: s.S * s.D }) },
  {
    file: 'kernels/wide/wdec_project.wgsl',
    summary: "the decoder gradient's part along each unit row removed (the study's)",
    grid: (s) => ({ threads: s.S }),
  },
  { file: 'kernels/wide/dpre.wgsl', summary: 'dpre = [f > 0] (df + lambda n_k / B)', grid: (s) => ({ threads: s.B * s.S }) },
  { file: 'kernels/wide/bdec_grad.wgsl', summary: "b_dec's gradient through the encoder's input", grid: (s) => ({ threads: s.D }) },
  {
    file: 'kernels/wide/synth_compact.wgsl',
    summary: "each synthetic row's active features as a list (sparse mix)",
    grid: (s) => ({ threads: s.B }),
    defines: { CAP: '64' },
  },
  {
    file: 'kernels/wide/synth_mix.wgsl',
    summary: 'x = b + the sum of the active features (sparse mix)',
    grid: (s) => ({ threads: s.B * s.D }),
    defines: { CAP: '64' },
  },
  { file: 'kernels/wide/ortho_r.wgsl', summary: "the dictionary orthogonalisation's residual on a Gram block", grid: (s) => ({ threads: s.S * s.D }) },
  { file: 'kernels/wide/add_bias.wgsl', summary: "the synthetic rows' bias, x += b (src/data/synth-source.ts)", grid: (s) => ({ threads: s.B * s.D }) },
  { file: 'kernels/wide/adam.wgsl', summary: 'Adam on one parameter block (the trainer, src/train/wide.ts)', grid: (s) => ({ threads: s.S * s.D }) },
  // the sparse decode (WideDecode 'sparse'); the registry's shapes have one block (R = B)
  { file: 'kernels/wide/sparse_count.wgsl', summary: "the sparse decode: f's nonzeros per row and per column", grid: (s) => ({ threads: s.B + s.S }) },
  { file: 'kernels/wide/sparse_scan.wgsl', summary: 'the sparse decode: the counts as offsets, the capacity flag', grid: () => ({ groups: [1, 1, 1] }) },
  { file: 'kernels/wide/sparse_fill.wgsl', summary: "the sparse decode: f's nonzeros listed by row and by column", grid: (s) => ({ threads: s.B + s.S }) },
  { file: 'kernels/wide/sparse_decode.wgsl', summary: "r = f W_dec from the rows' entries", grid: (s) => ({ threads: s.B * s.D }) },
  { file: 'kernels/wide/sparse_dpre.wgsl', summary: 'dpre on the entries (df = dr W_dec^T there)', grid: (s) => ({ threads: s.B * s.S }) },
  { file: 'kernels/wide/sparse_wdec.wgsl', summary: "g_W_dec = f^T dr from the columns' entries", grid: (s) => ({ threads: s.S * s.D }) },
  { file: 'kernels/wide/sparse_wenc.wgsl', summary: "g_W_enc = x_c^T dpre and g_b_enc from the columns' entries", grid: (s) => ({ threads: s.S * s.D }) },
];

/** A 1-D count of invocations as a 2-D grid of 64-wide workgroups (a dimension holds at most 65,535 workgroups):
 * the kernels index i = gid.x + gid.y * num_workgroups.x * 64 and return past n. */
export function grid2d(n: number, maxPerDim = 65535): [number, number, number] {
  const groups = Math.max(1, Math.ceil(n / 64));
  const x = Math.min(groups, maxPerDim);
  return [x, Math.ceil(groups / x), 1];
}

/** The step's buffers: parameters, the batch, work, gradients and the variant's state (sizes in WIDE_BUFFERS). */
export interface WideBuffers {
  x: GPUBuffer;
  w_enc: GPUBuffer;
  b_enc: GPUBuffer;
  w_dec: GPUBuffer;
  b_dec: GPUBuffer;
  xc: GPUBuffer;
  pre: GPUBuffer;
  f: GPUBuffer;
  r: GPUBuffer;
  dr: GPUBuffer;
  dpre: GPUBuffer;
  norms: GPUBuffer;
  fsum: GPUBuffer;
  rows: GPUBuffer;
  g_w_enc: GPUBuffer;
  g_b_enc: GPUBuffer;
  g_w_dec: GPUBuffer;
  g_b_dec: GPUBuffer;
  /** JumpReLU's log thresholds [s] and their gradient */
  log_threshold: GPUBuffer;
  g_log_threshold: GPUBuffer;
  /** u32: the selection's threshold keys per row (TopK) or thr[0] (BatchTopK; ReLU: 0); AuxK's per row */
  thr: GPUBuffer;
  athr: GPUBuffer;
  /** u32: steps since each latent last fired */
  since: GPUBuffer;
  /** u32: AuxK's n_dead, rank, scale bits */
  aux_state: GPUBuffer;
  /** u32: BatchTopK's radix-select bins and its [prefix, rank left, round] */
  hist: GPUBuffer;
  sel: GPUBuffer;
  /** f32: BatchTopK's inference threshold (EMA) */
  ema: GPUBuffer;
  /** the evaluation's per-row |x|^2, |xhat|^2 [B][2] and column sums of x [d] */
  xnorms: GPUBuffer;
  xsum: GPUBuffer;
  /** the study's per-sample FVU denominators |x_b|^2 [B] (row_den.wgsl) */
  den: GPUBuffer;
}

/** The blocks of B rows in f, r, dr and df (lib/wide.wgsl RowBlock): the SAE's own reconstruction (all s latents,
 * Matryoshka's last weight), Matryoshka's inner prefixes, AuxK's. */
export function wideBlocks(sh: WideShape, mode: WideTrainMode = {}): { kind: 0 | 1; end: number; weight: number }[] {
  const n = mode.nested;
  if (n) {
    const G = n.ends.length;
    if (G < 1 || n.weights.length !== G || n.ends[G - 1] !== sh.s || n.ends.some((e, i) => !Number.isInteger(e) || e < 1 || (i > 0 && e <= n.ends[i - 1])))
      throw new Error(`wide SAE step: nested prefixes [${n.ends.join(', ')}] must rise strictly to s = ${sh.s}, one weight each`);
  }
  const levels = n ? n.ends.map((end, i) => ({ kind: 0 as const, end, weight: n.weights[i] })) : [{ kind: 0 as const, end: sh.s, weight: 1 }];
  const full = levels.pop()!;
  return [full, ...levels, ...(mode.auxk ? [{ kind: 1 as const, end: sh.s, weight: 0 }] : [])];
}

/** Rows of f, r, dr and df: B per block. */
export function wideRows(sh: WideShape, mode: WideTrainMode = {}): number {
  return wideBlocks(sh, mode).length * sh.B;
}

function packBlocks(blocks: { kind: number; end: number; weight: number }[]): Uint32Array {
  const out = new Uint32Array(blocks.length * 4);
  const f = new Float32Array(out.buffer);
  blocks.forEach((b, q) => {
    out[q * 4] = b.kind;
    out[q * 4 + 1] = b.end;
    f[q * 4 + 2] = b.weight;
  });
  return out;
}

export function wideBufferFloats(sh: WideShape, mode: WideTrainMode = {}): Record<keyof WideBuffers, number> {
  const { B, d, s } = sh;
  const R = wideRows(sh, mode);
  return {
    x: B * d,
    w_enc: d * s,
    b_enc: s,
    w_dec: s * d,
    b_dec: d,
    xc: B * d,
    pre: B * s,
    f: R * s,
    r: R * d,
    dr: R * d,
    dpre: R * s,
    norms: s,
    fsum: s,
    rows: B * 5,
    g_w_enc: d * s,
    g_b_enc: s,
    g_w_dec: s * d,
    g_b_dec: d,
    log_threshold: s,
    g_log_threshold: s,
    thr: Math.max(B, s),
    athr: B,
    since: s,
    aux_state: 4,
    hist: 256,
    sel: 4,
    ema: 1,
    xnorms: B * 2,
    xsum: d,
    den: B,
  };
}

/** The variant's fields of the step's uniform: TopK's k, BatchTopK's floor(k B), AuxK's coefficient, k_aux and window. */
function wideUniform(sh: WideShape, lambda: number, mode: WideTrainMode, train: boolean, cap = 0) {
  const { B, d, s } = sh;
  const select = mode.select ?? 'relu';
  const k = mode.k ?? 0;
  if ((select === 'topk' || select === 'batchtopk') && !(k > 0)) throw new Error(`wide SAE step: ${select} needs k > 0, got ${mode.k}`);
  if (select === 'topk' && (!Number.isInteger(k) || k > s)) throw new Error(`wide SAE step: topk needs an integer k <= s = ${s}, got ${k}`);
  if (select === 'batchtopk' && (Math.floor(k * B) < 1 || k > s)) throw new Error(`wide SAE step: batchtopk needs 1 <= k B and k <= s = ${s}, got k = ${k}`);
  const aux = train ? mode.auxk : undefined;
  const jump = select === 'jumprelu';
  if (jump && !(mode.bandwidth === undefined || mode.bandwidth > 0)) throw new Error(`wide SAE step: jumprelu needs a bandwidth > 0, got ${mode.bandwidth}`);
  if (aux && !(aux.kAux >= 1 && Number.isInteger(aux.kAux) && aux.coef >= 0 && aux.window >= 0))
    throw new Error(`wide SAE step: AuxK needs an integer k_aux >= 1, a coefficient >= 0 and a window >= 0, got ${JSON.stringify(aux)}`);
  return {
    B,
    d,
    s,
    lambda,
    k: select === 'topk' ? k : 0,
    kb: select === 'batchtopk' ? Math.floor(k * B) : 0,
    thr_rows: select === 'topk' ? 1 : 0,
    aux: aux?.coef ?? 0,
    k_aux: aux?.kAux ?? 1,
    window: aux?.window ?? 0,
    ema_lr: train && select === 'batchtopk' ? (mode.emaLr ?? 0.01) : 0,
    nb: train ? wideBlocks(sh, mode).length : 1,
    thr_cols: jump ? 1 : 0,
    jump: jump ? 1 : 0,
    bw: mode.bandwidth ?? 0.05,
    pre_bias: mode.preBias === false ? 0 : 1,
    // the evaluation's rows stay squared errors (its metrics divide by the data's variance)
    fvu: train && mode.perSampleFvu ? 1 : 0,
    cap,
  };
}

type Op = { name: string; encode: (pass: GPUComputePassEncoder) => void };

/** How the step forms the decoder's products: 'dense', three GEMMs over all s latents (every variant); 'sparse', from
 * lists of f's nonzeros (kernels/wide/sparse_*.wgsl: the TopK family, whose rows keep about k latents), so the
 * encoder's forward GEMM is the step's one dense product over s. */
export type WideDecode = 'dense' | 'sparse';

/** The decode a trainer runs unless told: sparse for the TopK family on software adapters, where `npm run bench`
 * measured it faster at every shape (BENCHMARKS.md); dense elsewhere until a GPU's bench says otherwise. */
export function wideDecodeFor(adapter: Parameters<typeof isSoftwareAdapter>[0], mode: WideTrainMode): WideDecode {
  const topkFamily = mode.select === 'topk' || mode.select === 'batchtopk';
  return topkFamily && isSoftwareAdapter(adapter) ? 'sparse' : 'dense';
}

/** The sparse decode's entry capacity: 1.25 x the entries the selection keeps (k per row per reconstruction block,
 * BatchTopK's k on average; AuxK's k_aux per row) plus 1,024 for ties; past it the step raises a flag. */
export function sparseCapacity(sh: WideShape, mode: WideTrainMode): number {
  const select = mode.select ?? 'relu';
  if (select !== 'topk' && select !== 'batchtopk') throw new Error(`wide SAE step: the sparse decode serves the TopK family (topk, batchtopk), not ${select}`);
  const blocks = wideBlocks(sh, mode);
  const kept = blocks.filter((b) => b.kind === 0).length * Math.min(mode.k ?? 0, sh.s) * sh.B + (mode.auxk ? Math.min(mode.auxk.kAux, sh.s) * sh.B : 0);
  return Math.min(Math.ceil(1.25 * kept) + 1024, blocks.length * sh.B * sh.s);
}

/** Record one forward and backward pass of the wide SAE (no submit); `gemm` names the GEMM version, `mode` the
 * variant (its record's wide field with the config's k and AuxK). encodeEval: the forward pass alone as the trained
 * SAE runs (no AuxK; BatchTopK with its EMA threshold), for evaluation. */
export async function encodeWideStep(
  ctx: GpuContext,
  gemm: string,
  sh: WideShape,
  bufs: WideBuffers,
  lambda: number,
  mode: WideTrainMode = {},
  opts: { rowSelect?: 'radix' | 'serial'; decode?: WideDecode } = {},
): Promise<{
  encode: (pass: GPUComputePassEncoder) => void;
  encodeEval: (pass: GPUComputePassEncoder) => void;
  encodeEvalStats: (pass: GPUComputePassEncoder) => void;
  ops: Op[];
  evalOps: Op[];
  /** the sparse decode's [entries, overflow flag] (u32; null on the dense path) */
  sparseState: GPUBuffer | null;
  destroy: () => void;
}> {
  for (const k of ['B', 'd', 's'] as const)
    if (!Number.isInteger(sh[k]) || sh[k] < 1) throw new Error(`wide SAE step: ${k} must be a positive integer, got ${sh[k]}`);
  const { B, d, s } = sh;
  const select = mode.select ?? 'relu';
  const R = wideRows(sh, mode);
  const owned: { destroy: () => void }[] = [];
  const k = async (name: string, defines?: Record<string, string | number>) => ctx.kernel(`kernels/wide/${name}.wgsl`, defines ? { defines } : undefined);
  const rownorm = await k('rownorm');
  const sparse = opts.decode === 'sparse';
  const cap = sparse ? sparseCapacity(sh, mode) : 0;
  const trainU = ctx.uniform('wide params', rownorm.packStruct('wide', wideUniform(sh, lambda, mode, true, cap)));
  const evalU = ctx.uniform('wide params (evaluation)', rownorm.packStruct('wide', wideUniform(sh, lambda, mode, false)));
  const trainBlocks = ctx.upload('wide row blocks', packBlocks(wideBlocks(sh, mode)));
  const evalBlocks = ctx.upload('wide row blocks (evaluation)', packBlocks([{ kind: 0, end: s, weight: 1 }]));
  owned.push(trainU, evalU, trainBlocks, evalBlocks);
  const maxDim = ctx.device.limits.maxComputeWorkgroupsPerDimension;
  const op = (list: Op[], kern: Kernel, u: GPUBuffer, res: Record<string, GPUBuffer>, g: [number, number, number]) => {
    const groups = kern.bindPool({ wide: u, ...res });
    list.push({ name: kern.name, encode: (pass) => kern.dispatch(pass, groups, ...g) });
  };
  /** n invocations on the 2-D grid (grid2d), or flat (kern.grid) */
  const at = (kern: Kernel, n: number, flat = false): [number, number, number] => (flat ? kern.grid({ threads: n }) : grid2d(n, maxDim));
  const gemmOp = async (list: Op[], shape: { M: number; K: number; N: number; ta: boolean; tb: boolean }, a: GPUBuffer, b: GPUBuffer, c: GPUBuffer) => {
    const g = await encodeGemm(ctx, gemm, shape, { a, b, c });
    owned.push(g);
    list.push({ name: `gemm ${gemm} ${shape.ta ? 'T' : 'N'}${shape.tb ? 'T' : 'N'} ${shape.M}x${shape.K}x${shape.N}`, encode: g.encode });
  };
  const colsum = await k('colsum');
  const colsumOp = (list: Op[], rows: number, cols: number, a: GPUBuffer, out: GPUBuffer) => {
    const u = ctx.uniform('wide colsum shape', colsum.packStruct('shape', { rows, cols }));
    owned.push(u);
    const groups = colsum.bindPool({ shape: u, a, out });
    const g = colsum.grid({ threads: cols });
    list.push({ name: `colsum ${rows}x${cols}`, encode: (pass) => colsum.dispatch(pass, groups, ...g) });
  };
  const [center, act, actSel, biasPre] = await Promise.all([k('center'), k('act', { ADD_BIAS: 'true' }), k('act', { ADD_BIAS: 'false' }), k('bias_pre')]);
  const residual = await k('residual'),
    rowloss = await k('rowloss');
  // the rows' selects: a workgroup per row on GPUs, an invocation per row on software adapters (WideSelectVersion)
  const rowSelect = opts.rowSelect ?? (isSoftwareAdapter(ctx.adapter) ? 'serial' : 'radix');
  const rowFile = rowSelect === 'serial' ? 'select_rows_serial' : 'select_rows';
  const sel = {
    rows: await k(rowFile, { DEAD_ONLY: 'false' }),
    dead: await k(rowFile, { DEAD_ONLY: 'true' }),
    hist: await k('select_hist'),
    resolve: await k('select_resolve'),
    ema: await k('ema_thr'),
  };
  const jumpThr = await k('jump_thr');
  const rowGrid: [number, number, number] = rowSelect === 'serial' ? sel.rows.grid({ threads: B }) : grid2d(B * 64, maxDim);
  // the sparse decode's lists (sparse_count -> sparse_scan -> sparse_fill after the selection)
  const sp = sparse
    ? {
        rowptr: ctx.createBuffer('wide sparse rowptr', (R + 1) * 4),
        colptr: ctx.createBuffer('wide sparse colptr', (s + 1) * 4),
        ent_k: ctx.createBuffer('wide sparse ent_k', cap * 4),
        ent_v: ctx.createBuffer('wide sparse ent_v', cap * 4),
        ent_r: ctx.createBuffer('wide sparse ent_r', cap * 4),
        col_r: ctx.createBuffer('wide sparse col_r', cap * 4),
        state: ctx.upload('wide sparse state', new Uint32Array(4)),
      }
    : null;
  if (sp) owned.push(...Object.values(sp));
  const histGroups = Math.min(Math.ceil((B * s) / (64 * 16)), maxDim);

  // the forward pass to the loss rows; train: with the batch's own selection and AuxK
  const forward = async (list: Op[], u: GPUBuffer, train: boolean) => {
    const blocks = train ? trainBlocks : evalBlocks;
    if (train && mode.unitDecoder) {
      const unit = await k('wdec_unit');
      op(list, unit, u, { w_dec: bufs.w_dec }, at(unit, s, true));
    }
    if (train && mode.perSampleFvu) {
      const den = await k('row_den');
      op(list, den, u, { x: bufs.x, den: bufs.den }, at(den, B, true));
    }
    op(list, rownorm, u, { w_dec: bufs.w_dec, norms: bufs.norms }, at(rownorm, s, true));
    op(list, center, u, { x: bufs.x, b_dec: bufs.b_dec, xc: bufs.xc }, at(center, B * d));
    if (train && mode.auxk) op(list, await k('dead_count'), u, { since: bufs.since, aux_state: bufs.aux_state }, [1, 1, 1]);
    await gemmOp(list, { M: B, K: d, N: s, ta: false, tb: false }, bufs.xc, bufs.w_enc, bufs.pre);
    if (select === 'relu' || select === 'jumprelu') {
      if (select === 'jumprelu') op(list, jumpThr, u, { log_threshold: bufs.log_threshold, thr: bufs.thr }, at(jumpThr, s, true));
      op(list, act, u, { b_enc: bufs.b_enc, pre: bufs.pre, f: bufs.f, thr: bufs.thr, blocks }, at(act, B * s));
    } else {
      op(list, biasPre, u, { b_enc: bufs.b_enc, pre: bufs.pre }, at(biasPre, B * s));
      if (select === 'topk') op(list, sel.rows, u, { pre: bufs.pre, since: bufs.since, aux_state: bufs.aux_state, thr: bufs.thr }, rowGrid);
      else if (train)
        for (let round = 0; round < 4; round++) {
          op(list, sel.hist, u, { pre: bufs.pre, hist: bufs.hist, sel: bufs.sel }, [histGroups, 1, 1]);
          op(list, sel.resolve, u, { hist: bufs.hist, sel: bufs.sel, thr: bufs.thr, ema: bufs.ema }, [1, 1, 1]);
        }
      else op(list, sel.ema, u, { ema: bufs.ema, thr: bufs.thr }, [1, 1, 1]);
      op(list, actSel, u, { b_enc: bufs.b_enc, pre: bufs.pre, f: bufs.f, thr: bufs.thr, blocks }, at(actSel, B * s));
    }
    if (train && mode.auxk) {
      op(list, sel.dead, u, { pre: bufs.pre, since: bufs.since, aux_state: bufs.aux_state, thr: bufs.athr }, rowGrid);
      const auxAct = await k('aux_act');
      op(list, auxAct, u, { pre: bufs.pre, since: bufs.since, aux_state: bufs.aux_state, athr: bufs.athr, f: bufs.f }, at(auxAct, B * s));
    }
    if (train && sp) {
      const [count, scan, fill, decode] = await Promise.all([k('sparse_count'), k('sparse_scan'), k('sparse_fill'), k('sparse_decode')]);
      op(list, count, u, { f: bufs.f, rowptr: sp.rowptr, colptr: sp.colptr }, at(count, R + s, true));
      op(list, scan, u, { rowptr: sp.rowptr, colptr: sp.colptr, state: sp.state }, [1, 1, 1]);
      op(
        list,
        fill,
        u,
        { f: bufs.f, rowptr: sp.rowptr, colptr: sp.colptr, ent_k: sp.ent_k, ent_v: sp.ent_v, ent_r: sp.ent_r, col_r: sp.col_r },
        at(fill, R + s, true),
      );
      op(list, decode, u, { rowptr: sp.rowptr, ent_k: sp.ent_k, ent_v: sp.ent_v, w_dec: bufs.w_dec, r: bufs.r }, at(decode, R * d));
    } else await gemmOp(list, { M: train ? R : B, K: s, N: d, ta: false, tb: false }, bufs.f, bufs.w_dec, bufs.r);
    op(list, residual, u, { x: bufs.x, b_dec: bufs.b_dec, r: bufs.r, dr: bufs.dr, aux_state: bufs.aux_state, blocks, den: bufs.den }, at(residual, B * d));
    op(list, rowloss, u, { e: bufs.r, f: bufs.f, norms: bufs.norms, rows: bufs.rows, aux_state: bufs.aux_state, blocks, den: bufs.den }, at(rowloss, B, true));
  };
  const steps: Op[] = [];
  await forward(steps, trainU, true);
  const u = trainU;
  colsumOp(steps, R, d, bufs.dr, bufs.g_b_dec);
  colsumOp(steps, B, s, bufs.f, bufs.fsum);
  const since = await k('since');
  op(steps, since, u, { fsum: bufs.fsum, since: bufs.since }, at(since, s, true));
  if (sp) {
    const wd = await k('sparse_wdec');
    op(steps, wd, u, { colptr: sp.colptr, col_r: sp.col_r, f: bufs.f, dr: bufs.dr, g_w_dec: bufs.g_w_dec }, at(wd, s * d));
  } else await gemmOp(steps, { M: s, K: R, N: d, ta: true, tb: false }, bufs.f, bufs.dr, bufs.g_w_dec);
  const wdec = await k('wdec_grad');
  op(steps, wdec, u, { w_dec: bufs.w_dec, norms: bufs.norms, fsum: bufs.fsum, g_w_dec: bufs.g_w_dec }, at(wdec, s * d));
  if (mode.unitDecoder) {
    const proj = await k('wdec_project');
    op(steps, proj, u, { w_dec: bufs.w_dec, g_w_dec: bufs.g_w_dec }, at(proj, s, true));
  }
  if (sp) {
    const [sd, we] = await Promise.all([k('sparse_dpre'), k('sparse_wenc')]);
    op(
      steps,
      sd,
      u,
      { state: sp.state, ent_k: sp.ent_k, ent_r: sp.ent_r, dr: bufs.dr, w_dec: bufs.w_dec, norms: bufs.norms, blocks: trainBlocks, dpre: bufs.dpre },
      at(sd, cap),
    );
    op(
      steps,
      we,
      u,
      { colptr: sp.colptr, col_r: sp.col_r, xc: bufs.xc, dpre: bufs.dpre, blocks: trainBlocks, g_w_enc: bufs.g_w_enc, g_b_enc: bufs.g_b_enc },
      at(we, d * s),
    );
  } else await gemmOp(steps, { M: R, K: d, N: s, ta: false, tb: true }, bufs.dr, bufs.w_dec, bufs.dpre);
  if (select === 'jumprelu') {
    // the thresholds' gradient reads df before dpre gates it
    const jg = await k('jump_grad');
    op(
      steps,
      jg,
      u,
      { pre: bufs.pre, log_threshold: bufs.log_threshold, df: bufs.dpre, blocks: trainBlocks, g_log_threshold: bufs.g_log_threshold },
      at(jg, s, true),
    );
  }
  if (!sp) {
    const dpre = await k('dpre');
    op(steps, dpre, u, { f: bufs.f, norms: bufs.norms, dpre: bufs.dpre, blocks: trainBlocks }, at(dpre, B * s));
    colsumOp(steps, B, s, bufs.dpre, bufs.g_b_enc);
    await gemmOp(steps, { M: d, K: B, N: s, ta: true, tb: false }, bufs.xc, bufs.dpre, bufs.g_w_enc);
  }
  // b_dec reaches the encoder only through the pre-encoder bias
  if (mode.preBias !== false) {
    const bdec = await k('bdec_grad');
    op(steps, bdec, u, { w_enc: bufs.w_enc, g_b_enc: bufs.g_b_enc, g_b_dec: bufs.g_b_dec }, at(bdec, d, true));
  }
  const evalOps: Op[] = [];
  await forward(evalOps, evalU, false);
  // the evaluation's per-row numbers and sums (statOps, after evalOps): |x|^2, |xhat|^2, x's column sums, f's
  const statOps: Op[] = [];
  const er = await k('eval_rows');
  op(statOps, er, evalU, { x: bufs.x, e: bufs.r, out: bufs.xnorms }, at(er, B, true));
  colsumOp(statOps, B, d, bufs.x, bufs.xsum);
  colsumOp(statOps, B, s, bufs.f, bufs.fsum);
  return {
    encode: (pass) => steps.forEach((st) => st.encode(pass)),
    encodeEval: (pass) => evalOps.forEach((st) => st.encode(pass)),
    encodeEvalStats: (pass) => statOps.forEach((st) => st.encode(pass)),
    ops: steps,
    evalOps,
    sparseState: sp?.state ?? null,
    destroy: () => owned.forEach((o) => o.destroy()),
  };
}

/** One step on host arrays (checks): upload, run, read back the loss rows, the gradients, the steps since each
 * latent fired (after the step; `since` before it, default 0) and the selection's threshold keys. */
export async function gpuWideStep(
  ctx: GpuContext,
  gemm: string,
  sh: WideShape,
  p: { w_enc: Float32Array; b_enc: Float32Array; w_dec: Float32Array; b_dec: Float32Array; log_threshold?: Float32Array },
  x: Float32Array,
  lambda: number,
  mode: WideTrainMode = {},
  since?: Uint32Array,
  rowSelect?: 'radix' | 'serial',
  decode?: WideDecode,
): Promise<{
  rows: Float32Array;
  g_w_enc: Float32Array;
  g_b_enc: Float32Array;
  g_w_dec: Float32Array;
  g_b_dec: Float32Array;
  g_log_threshold: Float32Array;
  since: Uint32Array;
  thr: Uint32Array;
}> {
  const sizes = wideBufferFloats(sh, mode);
  const given: Partial<Record<keyof WideBuffers, Float32Array | Uint32Array>> = { x, ...p, since };
  const bufs = {} as WideBuffers;
  for (const [name, n] of Object.entries(sizes) as [keyof WideBuffers, number][]) {
    const data = given[name];
    if (data && data.length !== n) throw new Error(`wide SAE step: ${name} has ${data.length} values, ${n} expected`);
    bufs[name] = data ? ctx.upload(`wide ${name}`, data) : ctx.createBuffer(`wide ${name}`, n * 4);
  }
  try {
    const op = await encodeWideStep(ctx, gemm, sh, bufs, lambda, mode, { rowSelect, decode });
    await ctx.run('wide SAE step', (pass) => op.encode(pass));
    if (op.sparseState && (await ctx.readU32(op.sparseState, 2))[1])
      throw new Error('wide SAE step: the sparse decode kept more entries than its capacity (sparseCapacity)');
    op.destroy();
    const names = ['rows', 'g_w_enc', 'g_b_enc', 'g_w_dec', 'g_b_dec', 'g_log_threshold', 'since', 'thr'] as const;
    const out = await ctx.readback(
      names.map((n) => bufs[n]),
      names.map((n) => sizes[n] * 4),
    );
    return Object.fromEntries(names.map((n, i) => [n, n === 'since' || n === 'thr' ? new Uint32Array(out[i]) : new Float32Array(out[i])])) as Awaited<
      ReturnType<typeof gpuWideStep>
    >;
  } finally {
    Object.values(bufs).forEach((b) => b.destroy());
  }
}
