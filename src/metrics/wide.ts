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
