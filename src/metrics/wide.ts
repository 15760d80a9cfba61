// Reconstruction metrics of a wide SAE on fresh rows, accumulated batch by batch (SAELens's synthetic evals,
// docs/science.md §10): explained variance 1 - sum_b |x_b - xhat_b|^2 / sum_b |x_b - mean x|^2, L0 = mean number of
// active latents, dead latents = latents that fired on no row, shrinkage = mean_b |xhat_b| / |x_b|.

export class ReconstructionMetrics {
  private rows = 0;
  private sse = 0;
  private sumSq = 0;
  private readonly sum: Float64Array;
  private l0 = 0;
  private shrink = 0;
  private readonly fired: Uint8Array;

  constructor(
    readonly d: number,
    readonly s: number,
  ) {
    this.sum = new Float64Array(d);
    this.fired = new Uint8Array(s);
  }

  /** One batch: x [B][d], the residual e = xhat - x [B][d], the activations f [B][s]. */
  add(x: ArrayLike<number>, e: ArrayLike<number>, f: ArrayLike<number>): void {
    const { d, s } = this;
    const B = x.length / d;
    if (!Number.isInteger(B) || e.length !== x.length || f.length !== B * s)
      throw new Error(`reconstruction metrics: x has ${x.length} values, e ${e.length}, f ${f.length}; expected B x ${d}, B x ${d}, B x ${s}`);
    for (let b = 0; b < B; b++) {
      let xn = 0,
        hn = 0;
      for (let j = 0; j < d; j++) {
        const xv = x[b * d + j],
          ev = e[b * d + j];
        this.sse += ev * ev;
        this.sumSq += xv * xv;
        this.sum[j] += xv;
        xn += xv * xv;
        hn += (xv + ev) ** 2;
      }
      if (xn > 0) this.shrink += Math.sqrt(hn / xn);
      for (let k = 0; k < s; k++)
        if (f[b * s + k] > 0) {
          this.l0++;
          this.fired[k] = 1;
        }
    }
    this.rows += B;
  }

  /**
   * One batch from the GPU's per-row numbers (kernels/wide/rowloss.wgsl and eval_rows.wgsl) instead of the rows
   * themselves: each row's |e|^2, L0, |x|^2 and |xhat|^2, the batch's column sums of x, and which latents fired.
   */
  addRows(r: {
    sse: ArrayLike<number>;
    l0: ArrayLike<number>;
    xx: ArrayLike<number>;
    hh: ArrayLike<number>;
    xsum: ArrayLike<number>;
    fired: ArrayLike<boolean>;
  }): void {
    const B = r.sse.length;
    if (r.l0.length !== B || r.xx.length !== B || r.hh.length !== B || r.xsum.length !== this.d || r.fired.length !== this.s)
      throw new Error(
        `reconstruction metrics: per-row arrays of ${B}, ${r.l0.length}, ${r.xx.length}, ${r.hh.length}; xsum ${r.xsum.length} (d ${this.d}); fired ${r.fired.length} (s ${this.s})`,
      );
    for (let b = 0; b < B; b++) {
      this.sse += r.sse[b];
      this.sumSq += r.xx[b];
      this.l0 += r.l0[b];
      if (r.xx[b] > 0) this.shrink += Math.sqrt(r.hh[b] / r.xx[b]);
    }
    for (let j = 0; j < this.d; j++) this.sum[j] += r.xsum[j];
    for (let k = 0; k < this.s; k++) if (r.fired[k]) this.fired[k] = 1;
    this.rows += B;
  }

  result(): { rows: number; explained_variance: number; l0: number; dead: number; shrinkage: number } {
    const n = this.rows;
    let meanSq = 0;
    for (const v of this.sum) meanSq += (v / n) ** 2;
    const sst = this.sumSq - n * meanSq;
    return {
      rows: n,
      explained_variance: 1 - this.sse / sst,
      l0: this.l0 / n,
      dead: this.fired.reduce((a, v) => a + (v ? 0 : 1), 0),
      shrinkage: this.shrink / n,
    };
  }
}

/** A training batch's explained variance and L0 from its loss rows ([B][5]: |e|^2 first, L0 third;
 * kernels/wide/rowloss.wgsl) and its rows x [B][d]: the log points of a wide run's training curve. */
export function batchCurvePoint(rows: ArrayLike<number>, x: ArrayLike<number>, B: number, d: number): { explained_variance: number; l0: number } {
  let sse = 0,
    l0 = 0;
  for (let b = 0; b < B; b++) {
    sse += rows[b * 5];
    l0 += rows[b * 5 + 2];
  }
  const mean = new Float64Array(d);
  for (let b = 0; b < B; b++) for (let j = 0; j < d; j++) mean[j] += x[b * d + j] / B;
  let sst = 0;
  for (let b = 0; b < B; b++) for (let j = 0; j < d; j++) sst += (x[b * d + j] - mean[j]) ** 2;
  return { explained_variance: 1 - sse / sst, l0: l0 / B };
}
