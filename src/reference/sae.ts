// Twins of the SAE kernels (sae_normalize, sae_dead, sae_forward, sae_firing, sae_grad, sae_cos_grad,
// sae_project_grad, sae_loss) in f64, plus the SAE objective written directly from docs/science.md §3-4 for
// finite-difference checks of the gradients. One forward pass (forwardSample) serves the twin and the objective;
// the gradient algebra exists only in the twin, so the finite differences check it.
import { FLAG, NOT_DIVERGED, paExponents, paUpdate, recGroups, saeLayout, type Dims, type GpuConfig, type Hyper } from '../core/wire';
import { type LatentParams, topkMask, variantOf } from '../variants';

type SD = Pick<Dims, 'D' | 'S' | 'nested' | 'xp'>;

/** The loss's reconstruction term sum_i w_i |hhat_i - h|^2 / den (= fvu with one reconstruction). */
function nestedRec(dims: SD, eg: ArrayLike<number>[], den: number): number {
  const { weights } = recGroups(dims);
  return eg.reduce((a, e, g) => a + weights[g] * (Array.from(e).reduce((s, v) => s + v * v, 0) / den), 0);
}

/** The group of latent k: the first nested reconstruction that uses it. */
function groupOf(dims: SD, k: number): number {
  const { ends } = recGroups(dims);
  let g = 0;
  for (let i = 0; i + 1 < ends.length; i++) if (k >= ends[i]) g = i + 1;
  return g;
}

export function saeNormalize(cfg: GpuConfig, dims: SD, params: Float64Array | Float32Array): void {
  const L = saeLayout(dims);
  for (let m = 0; m < cfg.M; m++)
    for (let k = 0; k < dims.S; k++) {
      const base = m * L.P + L.WD + k * dims.D;
      let sq = 0;
      for (let j = 0; j < dims.D; j++) sq += params[base + j] ** 2;
      if (sq > 0) {
        const inv = 1 / Math.sqrt(sq);
        for (let j = 0; j < dims.D; j++) params[base + j] *= inv;
      }
    }
}

export function saeProjectGrad(cfg: GpuConfig, dims: SD, params: ArrayLike<number>, grads: Float64Array): void {
  const L = saeLayout(dims);
  for (let m = 0; m < cfg.M; m++)
    for (let k = 0; k < dims.S; k++) {
      const base = m * L.P + L.WD + k * dims.D;
      if ((cfg.flags & FLAG.FIXED_DEC) !== 0) {
        grads.fill(0, base, base + dims.D);
        continue;
      }
      let dot = 0;
      for (let j = 0; j < dims.D; j++) dot += grads[base + j] * params[base + j];
      for (let j = 0; j < dims.D; j++) grads[base + j] -= dot * params[base + j];
    }
}

/** lat: [M][S][3] = since_fired, cooldown, dead. */
export function saeDead(cfg: GpuConfig, dims: SD, lat: Uint32Array): void {
  for (let i = 0; i < cfg.M * dims.S; i++) {
    const dead = (cfg.flags & (FLAG.GHOST | FLAG.AUXK)) !== 0 && lat[i * 3] > cfg.dead_after;
    lat[i * 3 + 2] = dead ? 1 : 0;
    if (dead) lat[i * 3 + 1] = cfg.ghost_cooldown;
    else if (lat[i * 3 + 1] > 0) lat[i * 3 + 1] -= 1;
  }
}

/** The activation of the job's SAE variant (its record's twin; the kernels: src/variants/<name>.wgsl act_f). */
export function saeActivation(cfg: GpuConfig, pre: ArrayLike<number>, lp: readonly LatentParams[], bthr: number): number[] {
  return variantOf(cfg).twin.activation(cfg, pre, lp, bthr);
}

/** Each latent's own parameters (b_enc and the extra blocks) of the model whose parameters start at params[p]. */
export function latentParams(dims: SD, params: ArrayLike<number>, p: number): LatentParams[] {
  const L = saeLayout(dims);
  return Array.from({ length: dims.S }, (_, k) => ({
    be: params[p + L.BE + k],
    xp: Array.from({ length: L.XP_N }, (_, i) => params[p + L.XP + i * dims.S + k]),
  }));
}

export { topkMask };

export function l1Weight(cfg: GpuConfig, cool: number): number {
  if ((cfg.flags & FLAG.GHOST) === 0 || cool === 0) return 1;
  return (cfg.flags & FLAG.GHOST_QUIRK) !== 0 ? 0 : 1 - cool / cfg.ghost_cooldown;
}

/** Twin of sae_batch_stats.wgsl: per model sum_b |h_b - mean h|^2 / B (0 -> 1). */
export function saeBatchStats(cfg: GpuConfig, dims: SD, acts: ArrayLike<number>): Float64Array {
  const out = new Float64Array(cfg.M);
  for (let m = 0; m < cfg.M; m++) {
    let sq = 0,
      centred = 0;
    for (let j = 0; j < dims.D; j++) {
      let s = 0;
      for (let b = 0; b < cfg.B; b++) {
        const h = acts[(m * cfg.B + b) * cfg.act_stride + cfg.act_offset + j];
        s += h;
        sq += h * h;
      }
      centred -= (s * s) / cfg.B;
    }
    const v = (centred + sq) / cfg.B;
    out[m] = v > 0 ? v : 1;
  }
  return out;
}

/** Twin of sae_batch_topk.wgsl: per model the (topk*B)-th largest max(pre, 0) of the batch (0 if fewer are positive). */
export function saeBatchTopkThreshold(cfg: GpuConfig, dims: SD, acts: ArrayLike<number>, params: ArrayLike<number>): Float64Array {
  const { D, S } = dims;
  const L = saeLayout(dims);
  const preBias = (cfg.flags & FLAG.PRE_BIAS) !== 0 ? 1 : 0;
  const K = cfg.topk * cfg.B;
  const out = new Float64Array(cfg.M);
  for (let m = 0; m < cfg.M; m++) {
    const p = m * L.P;
    const v: number[] = [];
    for (let b = 0; b < cfg.B; b++) {
      const a = (m * cfg.B + b) * cfg.act_stride + cfg.act_offset;
      for (let k = 0; k < S; k++) {
        let s = params[p + L.BE + k];
        for (let j = 0; j < D; j++) s += params[p + L.WE + k * D + j] * (acts[a + j] - preBias * params[p + L.BD + j]);
        v.push(Math.max(s, 0));
      }
    }
    v.sort((x, y) => y - x);
    out[m] = K >= 1 && K <= v.length ? v[K - 1] : 0;
  }
  return out;
}

/**
 * One sample's forward pass (docs/science.md §3): model m's parameters at params[p ...], the sample at row `row`
 * of acts. The one forward of the reference: the kernels' twin (saeForward) and the finite-difference objective
 * (saeObjective) both run it. `prefixes` are the nested reconstructions hhat_i = b_dec + sum_{k < ends[i]} f_k
 * W_dec_k (Matryoshka; else one, the full hhat), accumulated over k once as the kernels do. `auxRec` is the
 * variant's auxiliary reconstruction b_dec + sum_k aux(pre_k) W_dec_k (Gated; else null) through `frozen`, the
 * detached decoder (default: these parameters; the objective passes the base point's so that finite
 * differences see no gradient through it).
 */
export function forwardSample(
  cfg: GpuConfig,
  dims: SD,
  params: ArrayLike<number>,
  p: number,
  acts: ArrayLike<number>,
  row: number,
  bthr = 0,
  frozen: { params: ArrayLike<number>; p: number } = { params, p },
) {
  const { D, S } = dims;
  const L = saeLayout(dims);
  const preBias = (cfg.flags & FLAG.PRE_BIAS) !== 0 ? 1 : 0;
  const a = row * cfg.act_stride + cfg.act_offset;
  const h = Array.from({ length: D }, (_, j) => acts[a + j]);
  const hin = h.map((v, j) => v - preBias * params[p + L.BD + j]);
  const pre = Array.from({ length: S }, (_, k) => hin.reduce((acc, v, j) => acc + params[p + L.WE + k * D + j] * v, params[p + L.BE + k]));
  const vt = variantOf(cfg).twin;
  const lp = latentParams(dims, params, p);
  const f = vt.activation(cfg, pre, lp, bthr);
  const { ends } = recGroups(dims);
  const prefixes = ends.map(() => new Array<number>(D).fill(0));
  for (let j = 0; j < D; j++) {
    let acc = params[p + L.BD + j];
    let k = 0;
    ends.forEach((end, g) => {
      for (; k < end; k++) acc += params[p + L.WD + k * D + j] * f[k];
      prefixes[g][j] = acc;
    });
  }
  const aux = vt.aux;
  const auxRec = aux
    ? h.map((_, j) => pre.reduce((acc, v, k) => acc + aux(v) * frozen.params[frozen.p + L.WD + k * D + j], frozen.params[frozen.p + L.BD + j]))
    : null;
  const hn = h.reduce((acc, v) => acc + v * v, 0);
  return { h, hin, pre, lp, f, prefixes, auxRec, hhat: prefixes[prefixes.length - 1], den: hn > 0 ? hn : 1 };
}

/** The auxiliary reconstruction's loss term |ha - h|^2 / den (0 without one). */
const auxTerm = (auxRec: number[] | null, h: number[], den: number) => (auxRec ? auxRec.reduce((a, v, j) => a + (v - h[j]) ** 2, 0) / den : 0);

export function saeForward(
  cfg: GpuConfig,
  dims: SD,
  hyper: Hyper[],
  acts: ArrayLike<number>,
  params: ArrayLike<number>,
  lat: Uint32Array,
  bstat?: ArrayLike<number>,
  bthr?: ArrayLike<number>,
  t = 0,
): Float64Array {
  const { D, S } = dims;
  const L = saeLayout(dims);
  const work = new Float64Array(cfg.M * cfg.B * L.REC);
  const invB = 1 / cfg.B;
  const vc = { ...cfg, pa: paExponents(cfg, t) };
  for (let row = 0; row < cfg.M * cfg.B; row++) {
    const m = Math.floor(row / cfg.B),
      p = m * L.P,
      w = row * L.REC;
    const lambda = hyper[m].l1;
    if ((cfg.flags & FLAG.BATCH_TOPK) !== 0 && !bthr) throw new Error('saeForward: BatchTopK needs the batch thresholds (saeBatchTopkThreshold)');
    const { h, hin, pre, lp, f, prefixes, auxRec } = forwardSample(cfg, dims, params, p, acts, row, bthr?.[m] ?? 0);
    const vt = variantOf(cfg).twin;
    for (let j = 0; j < D; j++) work[w + L.HIN + j] = hin[j];
    const eg = prefixes.map((x) => x.map((v, j) => v - h[j]));
    const e = eg[eg.length - 1];
    let se = 0;
    for (let j = 0; j < D; j++) se += e[j] ** 2;
    const hn = h.reduce((acc, v) => acc + v * v, 0);
    let den = hn > 0 ? hn : 1;
    if ((cfg.flags & FLAG.BATCH_FVU) !== 0) {
      if (!bstat) throw new Error('saeForward: batch FVU needs the batch statistics (saeBatchStats)');
      den = bstat[m];
    }
    const fvu = se / den;
    const rec = nestedRec(dims, eg, den) + auxTerm(auxRec, h, den);
    // dL/d aux_k: W_dec_k . 2 (ha - h) / (den B) (the decoder detached: no term for W_dec or b_dec)
    const dfa = new Float64Array(S);
    if (auxRec) for (let k = 0; k < S; k++) for (let j = 0; j < D; j++) dfa[k] += params[p + L.WD + k * D + j] * ((2 * (auxRec[j] - h[j])) / den) * invB;
    let l1raw = 0,
      l1w = 0,
      l0 = 0,
      pen = 0,
      penNext = 0;
    const dead = new Array<boolean>(S);
    const wk = new Float64Array(S);
    for (let k = 0; k < S; k++) {
      const at = (m * S + k) * 3;
      wk[k] = l1Weight(cfg, lat[at + 1]);
      dead[k] = lat[at + 2] !== 0;
      l1raw += f[k];
      const pk = vt.penalised(f[k], pre[k], vc);
      l1w += wk[k] * pk;
      pen += pk;
      penNext += vt.penNext?.(f[k], pre[k], vc) ?? 0;
      if (f[k] > 0) l0++;
      work[w + L.F + k] = f[k];
    }
    // latent k of group g sees dL/dhhat summed over the reconstructions that use it: dhg_g = sum_{i >= g} dh_i
    const { weights } = recGroups(dims);
    const dhg = eg.map(() => new Float64Array(D));
    for (let j = 0; j < D; j++) {
      let run = 0;
      for (let g = eg.length - 1; g >= 0; g--) {
        run += ((2 * weights[g] * eg[g][j]) / den) * invB;
        dhg[g][j] = run;
      }
      work[w + L.DH + j] = dhg[0][j];
      work[w + L.E + j] = e[j];
      for (let g = 1; g < eg.length; g++) work[w + L.DHX + (g - 1) * D + j] = dhg[g][j];
    }
    const dpre = new Float64Array(S);
    for (let k = 0; k < S; k++) {
      const dh = dhg[groupOf(dims, k)];
      let df = 0;
      for (let j = 0; j < D; j++) df += params[p + L.WD + k * D + j] * dh[j];
      const lt = { cfg: vc, pre: pre[k], f: f[k], df, dfa: dfa[k], pw: lambda * wk[k] * invB, lp: lp[k] };
      dpre[k] = vt.dpre(lt);
      for (let i = 0; i < L.XP_N; i++) work[w + L.DXP + i * S + k] = vt.dxp(cfg, i, lt);
    }
    let ghost = 0;
    const G = new Float64Array(D),
      A = new Float64Array(S);
    if (dead.some(Boolean) && (cfg.flags & FLAG.AUXK) !== 0) {
      const pick = topkMask(
        pre.map((v, k) => (dead[k] ? v : -3.4e38)),
        Math.min(cfg.aux_k, S),
      );
      for (let k = 0; k < S; k++) if (pick[k] && dead[k]) A[k] = Math.max(pre[k], 0);
      let q = 0;
      const diff = new Float64Array(D);
      for (let j = 0; j < D; j++) {
        let ehat = 0;
        for (let k = 0; k < S; k++) ehat += A[k] * params[p + L.WD + k * D + j];
        diff[j] = -e[j] - ehat;
        q += diff[j] ** 2;
      }
      ghost = (cfg.aux_coef * q) / den;
      for (let j = 0; j < D; j++) G[j] = ((-2 * cfg.aux_coef * diff[j]) / den) * invB;
      for (let k = 0; k < S; k++)
        if (A[k] > 0) {
          let acc = 0;
          for (let j = 0; j < D; j++) acc += params[p + L.WD + k * D + j] * G[j];
          dpre[k] += acc;
        }
    } else if (dead.some(Boolean)) {
      const rs = 1 / Math.sqrt(den);
      const graw = new Float64Array(D);
      let rn = 0,
        gn = 0;
      for (let j = 0; j < D; j++) {
        for (let k = 0; k < S; k++) if (dead[k]) graw[j] += Math.exp(pre[k]) * params[p + L.WD + k * D + j];
        gn += graw[j] ** 2;
        rn += (e[j] * rs) ** 2;
      }
      const scale = Math.sqrt(rn) / (2 * Math.sqrt(gn) + 1e-6);
      const diff = new Float64Array(D);
      let q = 0;
      for (let j = 0; j < D; j++) {
        diff[j] = -e[j] * rs - scale * graw[j];
        q += diff[j] ** 2;
      }
      const c = fvu / (q + 1e-6);
      ghost = c * q;
      for (let j = 0; j < D; j++) G[j] = -2 * c * diff[j] * invB;
      for (let k = 0; k < S; k++)
        if (dead[k]) {
          A[k] = scale * Math.exp(pre[k]);
          let acc = 0;
          for (let j = 0; j < D; j++) acc += params[p + L.WD + k * D + j] * G[j];
          dpre[k] += A[k] * acc;
        }
    }
    for (let k = 0; k < S; k++) {
      work[w + L.DPRE + k] = dpre[k];
      work[w + L.A + k] = A[k];
    }
    for (let j = 0; j < D; j++) work[w + L.G + j] = G[j];
    work.set([fvu, l1raw, l1w, ghost, l0, rec, pen, penNext], w + L.LOSS);
  }
  return work;
}

export function saeFiring(cfg: GpuConfig, dims: SD, work: ArrayLike<number>, lat: Uint32Array): void {
  const L = saeLayout(dims);
  for (let m = 0; m < cfg.M; m++)
    for (let k = 0; k < dims.S; k++) {
      let fired = false;
      for (let b = 0; b < cfg.B && !fired; b++) fired = work[(m * cfg.B + b) * L.REC + L.F + k] > 1e-6;
      const at = (m * dims.S + k) * 3;
      lat[at] = fired ? 0 : lat[at] + 1;
    }
}

export function saeGrad(cfg: GpuConfig, dims: SD, params: ArrayLike<number>, work: ArrayLike<number>): Float64Array {
  const { D, S } = dims;
  const L = saeLayout(dims);
  const grads = new Float64Array(cfg.M * L.P);
  const preBias = (cfg.flags & FLAG.PRE_BIAS) !== 0;
  const vt = variantOf(cfg).twin;
  for (let m = 0; m < cfg.M; m++) {
    const g = m * L.P;
    const lp = latentParams(dims, params, g);
    for (let b = 0; b < cfg.B; b++) {
      const w = (m * cfg.B + b) * L.REC;
      for (let k = 0; k < S; k++) {
        const gk = groupOf(dims, k);
        const dhAt = gk === 0 ? L.DH : L.DHX + (gk - 1) * D;
        const dp = work[w + L.DPRE + k];
        for (let j = 0; j < D; j++) {
          grads[g + L.WE + k * D + j] += dp * work[w + L.HIN + j];
          grads[g + L.WD + k * D + j] += work[w + dhAt + j] * work[w + L.F + k] + work[w + L.G + j] * work[w + L.A + k];
          if (preBias) grads[g + L.BD + j] -= dp * params[g + L.WE + k * D + j];
        }
        const dxp = Array.from({ length: L.XP_N }, (_, i) => work[w + L.DXP + i * S + k]);
        grads[g + L.BE + k] += vt.dbe ? vt.dbe(dp, lp[k], dxp) : dp;
        dxp.forEach((v, i) => {
          grads[g + L.XP + i * S + k] += v;
        });
      }
      for (let j = 0; j < D; j++) grads[g + L.BD + j] += work[w + L.DH + j];
    }
  }
  return grads;
}

/** Cosine penalty value of one model's decoder rows (docs/science.md §4), as sae_cos_grad computes it. */
export function cosPenalty(cfg: GpuConfig, dims: SD, wd: ArrayLike<number>, gamma: number): number {
  const { D, S } = dims;
  if (gamma === 0) return 0;
  const pairs = (cfg.flags & FLAG.COS_PAIRS) !== 0;
  const z = pairs ? Math.max((S * (S - 1)) / 2, 1) : S * S;
  const norm = Array.from({ length: S }, (_, k) =>
    Math.max(Math.sqrt(Array.from({ length: D }, (_, j) => wd[k * D + j] ** 2).reduce((a, b) => a + b, 0)), 1e-12),
  );
  let pen = pairs ? 0 : S;
  for (let k = 0; k < S; k++)
    for (let l = 0; l < k; l++) {
      let dot = 0;
      for (let j = 0; j < D; j++) dot += wd[k * D + j] * wd[l * D + j];
      const sim = dot / (norm[k] * norm[l]);
      pen += (cfg.flags & FLAG.COS_SQ) !== 0 ? sim * sim : (cfg.flags & FLAG.COS_ABS) !== 0 ? Math.abs(sim) : sim;
    }
  return (gamma * pen) / z;
}

/** Adds the cosine-penalty gradient to the decoder gradients; returns the penalty per model (aux). */
export function saeCosGrad(cfg: GpuConfig, dims: SD, hyper: Hyper[], params: ArrayLike<number>, grads: Float64Array): Float64Array {
  const { D, S } = dims;
  const L = saeLayout(dims);
  const aux = new Float64Array(cfg.M);
  const useAbs = (cfg.flags & FLAG.COS_ABS) !== 0;
  const z = (cfg.flags & FLAG.COS_PAIRS) !== 0 ? Math.max((S * (S - 1)) / 2, 1) : S * S;
  for (let m = 0; m < cfg.M; m++) {
    const gamma = hyper[m].cos;
    if (gamma === 0) continue;
    const wd = m * L.P + L.WD;
    const w = (k: number, j: number) => params[wd + k * D + j];
    const norm = Array.from({ length: S }, (_, k) => Math.max(Math.sqrt(Array.from({ length: D }, (_, j) => w(k, j) ** 2).reduce((a, b) => a + b, 0)), 1e-12));
    for (let k = 0; k < S; k++)
      for (let l = 0; l < k; l++) {
        let dot = 0;
        for (let j = 0; j < D; j++) dot += w(k, j) * w(l, j);
        const sim = dot / (norm[k] * norm[l]);
        const c = (gamma / z) * ((cfg.flags & FLAG.COS_SQ) !== 0 ? 2 * sim : useAbs ? Math.sign(sim) : 1);
        for (let j = 0; j < D; j++) {
          grads[wd + k * D + j] += c * (w(l, j) / (norm[k] * norm[l]) - (sim * w(k, j)) / norm[k] ** 2);
          grads[wd + l * D + j] += c * (w(k, j) / (norm[k] * norm[l]) - (sim * w(l, j)) / norm[l] ** 2);
        }
      }
    aux[m] = cosPenalty(
      cfg,
      dims,
      Array.from({ length: S * D }, (_, i) => params[wd + i]),
      gamma,
    );
  }
  return aux;
}

/** Batch means of the loss terms; marks divergence; returns the history rows [M][8]. */
export function saeLoss(
  cfg: GpuConfig,
  dims: SD,
  hyper: Hyper[],
  t: number,
  work: ArrayLike<number>,
  aux: ArrayLike<number>,
  status: Uint32Array,
): Float64Array {
  const L = saeLayout(dims);
  const rows = new Float64Array(cfg.M * L.HIST_W);
  for (let m = 0; m < cfg.M; m++) {
    const s = new Array<number>(L.LOSS_N).fill(0);
    for (let b = 0; b < cfg.B; b++) for (let q = 0; q < L.LOSS_N; q++) s[q] += work[(m * cfg.B + b) * L.REC + L.LOSS + q];
    const [fvu, l1raw, l1w, ghost, l0, rec] = s.map((v) => v / cfg.B); // pen, pen_next: saeAnneal
    const l1term = hyper[m].l1 * l1w;
    const total = rec + l1term + ghost + aux[m];
    if (!Number.isFinite(total) && status[m] === NOT_DIVERGED) status[m] = t;
    rows.set([total, fvu, l1term, l1raw, ghost, aux[m], l0, t], m * L.HIST_W);
  }
  return rows;
}

/**
 * Twin of lib/p_anneal_step.wgsl (sae_loss and the fused cpu steps, after a step's loss): p-annealing's queue sums
 * (anneal [M][2]: S_cur, S_next) and lambda of the next step, in place in hyper (Config.pa_n = 0: nothing changes).
 */
export function saeAnneal(cfg: GpuConfig, dims: SD, hyper: Hyper[], t: number, work: ArrayLike<number>, anneal: Float64Array): void {
  const L = saeLayout(dims);
  let done = 0;
  for (let i = 0; i < cfg.pa_n; i++) if (paUpdate(cfg, i) < t) done++;
  if (done < 1 || done >= cfg.pa_n) return;
  const u = paUpdate(cfg, done);
  if (t + cfg.pa_queue <= u) return;
  for (let m = 0; m < cfg.M; m++) {
    let cur = 0,
      next = 0;
    for (let b = 0; b < cfg.B; b++) {
      cur += work[(m * cfg.B + b) * L.REC + L.LOSS + 6];
      next += work[(m * cfg.B + b) * L.REC + L.LOSS + 7];
    }
    anneal[m * 2] += cur / cfg.B;
    anneal[m * 2 + 1] += next / cfg.B;
    if (t !== u) continue;
    if (anneal[m * 2 + 1] > 0) hyper[m] = { ...hyper[m], l1: (hyper[m].l1 * anneal[m * 2]) / anneal[m * 2 + 1] };
    anneal[m * 2] = 0;
    anneal[m * 2 + 1] = 0;
  }
}

/**
 * The SAE objective of one model written directly from docs/science.md §3-4 (not via the kernels' per-sample
 * gradient algebra), for finite-difference checks. Ghost scale and rescaling factor are stop-gradient
 * constants: pass `ghostConst` computed at the base point (from saeGhostConstants) to hold them fixed; the same
 * for the detached decoder of an auxiliary reconstruction (Gated): pass the base point's parameters as `frozenDecoder`.
 */
export function saeObjective(
  cfg: GpuConfig,
  dims: SD,
  hyper: Hyper,
  params: ArrayLike<number>,
  acts: ArrayLike<number>,
  lat: Uint32Array,
  ghostConst?: { scale: number[]; c: number[]; r: number[][]; res: number[][] },
  frozenDecoder?: ArrayLike<number>,
  t = 0,
): number {
  const vc = { ...cfg, pa: paExponents(cfg, t) };
  const { D, S } = dims;
  const L = saeLayout(dims);
  const dead = Array.from({ length: S }, (_, k) => lat[k * 3 + 2] !== 0);
  const bstat = (cfg.flags & FLAG.BATCH_FVU) !== 0 ? saeBatchStats({ ...cfg, M: 1 }, dims, acts)[0] : 0;
  const bthr = (cfg.flags & FLAG.BATCH_TOPK) !== 0 ? saeBatchTopkThreshold({ ...cfg, M: 1 }, dims, acts, params)[0] : 0;
  let total = 0;
  for (let b = 0; b < cfg.B; b++) {
    const fs = forwardSample(cfg, dims, params, 0, acts, b, bthr, { params: frozenDecoder ?? params, p: 0 });
    const { h, pre, f } = fs;
    const den = bstat || fs.den;
    const rec =
      nestedRec(
        dims,
        fs.prefixes.map((x) => x.map((v, j) => v - h[j])),
        den,
      ) + auxTerm(fs.auxRec, h, den);
    const l1 = f.reduce((a, fk, k) => a + l1Weight(cfg, lat[k * 3 + 1]) * variantOf(cfg).twin.penalised(fk, pre[k], vc), 0);
    let ghost = 0;
    if (ghostConst && dead.some(Boolean) && (cfg.flags & FLAG.AUXK) !== 0) {
      const pick = topkMask(
        pre.map((v, k) => (dead[k] ? v : -3.4e38)),
        Math.min(cfg.aux_k, S),
      );
      const ehat = h.map((_, j) => pre.reduce((a, v, k) => a + (pick[k] && dead[k] ? Math.max(v, 0) * params[L.WD + k * D + j] : 0), 0));
      ghost = (cfg.aux_coef * ghostConst.res[b].reduce((a, rj, j) => a + (rj - ehat[j]) ** 2, 0)) / den;
    } else if (ghostConst && dead.some(Boolean)) {
      const g = h.map((_, j) => ghostConst.scale[b] * dead.reduce((a, dk, k) => a + (dk ? Math.exp(pre[k]) * params[L.WD + k * D + j] : 0), 0));
      ghost = ghostConst.c[b] * ghostConst.r[b].reduce((a, rj, j) => a + (rj - g[j]) ** 2, 0);
    }
    total += rec + hyper.l1 * l1 + ghost;
  }
  const wd = Array.from({ length: S * D }, (_, i) => params[L.WD + i]);
  return total / cfg.B + cosPenalty(cfg, dims, wd, hyper.cos);
}

/** The stop-gradient constants of the ghost term at the given parameters (one model, M = 1 layout). */
export function saeGhostConstants(cfg: GpuConfig, dims: SD, params: ArrayLike<number>, acts: ArrayLike<number>, lat: Uint32Array) {
  const { D } = dims;
  const L = saeLayout(dims);
  const scale: number[] = [],
    c: number[] = [],
    r: number[][] = [],
    res: number[][] = [];
  const bstat = (cfg.flags & FLAG.BATCH_FVU) !== 0 ? saeBatchStats({ ...cfg, M: 1 }, dims, acts)[0] : 0;
  const bthr = (cfg.flags & FLAG.BATCH_TOPK) !== 0 ? saeBatchTopkThreshold({ ...cfg, M: 1 }, dims, acts, params)[0] : 0;
  for (let b = 0; b < cfg.B; b++) {
    const fs = forwardSample(cfg, dims, params, 0, acts, b, bthr);
    const { h, pre, hhat } = fs;
    const den = bstat || fs.den;
    const rb = h.map((v, j) => (v - hhat[j]) / Math.sqrt(den));
    const graw = h.map((_, j) => pre.reduce((a, p, k) => a + (lat[k * 3 + 2] ? Math.exp(p) * params[L.WD + k * D + j] : 0), 0));
    const rn = Math.sqrt(rb.reduce((a, v) => a + v * v, 0));
    const gn = Math.sqrt(graw.reduce((a, v) => a + v * v, 0));
    const sc = rn / (2 * gn + 1e-6);
    const q = rb.reduce((a, v, j) => a + (v - sc * graw[j]) ** 2, 0);
    scale.push(sc);
    c.push((rn * rn) / (q + 1e-6));
    r.push(rb);
    res.push(h.map((v, j) => v - hhat[j]));
  }
  return { scale, c, r, res };
}
