// report.md: each of the study's claims (docs/science.md §7) with the measured number that supports or contradicts it.
import { phasePoints, phaseTable } from '../plots/phase';
import type { ResultsFile, StoredExperiment } from './stored';

type Exp = StoredExperiment;
const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(0)} %` : 'n/a');
const f3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : String(v));

function counts(e: Exp, which: 'all' | 'lowest') {
  const list = which === 'all' ? e.saes : e.cells.map((c) => e.saes[c.lowest_loss]);
  const c = { true: 0, composed: 0, mixed: 0, dead: 0, n: list.length };
  list.forEach((s) => c[s.verdict]++);
  return c;
}

export function verdictTable(res: ResultsFile): string {
  const rows = res.experiments.map((e) => {
    const a = counts(e, 'all'), l = counts(e, 'lowest');
    const diverged = e.saes.filter((s) => s.diverged !== null).length;
    return `| ${e.name} | ${a.n} | ${a.composed} | ${a.true} | ${a.mixed} | ${a.dead} | ${diverged} | ${l.composed}/${l.n} | ${l.true}/${l.n} | ${f3(e.saes.reduce((s, x) => s + x.monosemanticity, 0) / e.saes.length)} |`;
  });
  return ['| experiment | SAEs | composed | true | mixed | dead | diverged | lowest-loss composed | lowest-loss true | mean mono |', '|---|---|---|---|---|---|---|---|---|---|', ...rows].join('\n');
}

function claim(n: number, text: string, evidence: string, status: 'supported' | 'not supported' | 'partly supported' | 'not measured'): string {
  return `### Claim ${n}: ${text}\n\n**${status}.** ${evidence}\n`;
}

export function renderReport(res: ResultsFile): string {
  const by = (name: string) => res.experiments.find((e) => e.name === name);
  const out: string[] = [];
  out.push(`# Report: ${res.preset}\n`);
  out.push(`${res.description}. Budget: ${res.budget.note}`);
  out.push(`Adapter: ${res.adapter ? `${res.adapter.vendor} ${res.adapter.architecture} (${res.adapter.description || 'no description'}, ${res.adapter.runtime})` : 'unknown'}. Updated ${res.updated}.\n`);
  out.push('Verdicts: a latent is *true* (or *composed*) when its decoder direction has cosine >= 0.9 with a true feature (or with a normalised sum of one feature per set) and is closer to it than to the other kind; an SAE is *true* / *composed* when all its live latents are, else *mixed*.\n');
  out.push(verdictTable(res) + '\n');
  out.push('## The study\'s claims\n');

  const toyEvidence = res.experiments.map((e) => {
    const pc = e.toy.pair_cosines;
    const within = Object.entries(pc).filter(([k]) => k[0] === k[3]).map(([k, v]) => `${k} ${f3(v)}`);
    const across = Object.entries(pc).filter(([k]) => k[0] !== k[3]).map(([, v]) => Math.abs(v));
    return { e, within, ok: Object.entries(pc).filter(([k]) => k[0] === k[3]).every(([, v]) => v < -0.9), maxAcross: Math.max(0, ...across) };
  });
  const toyOk = toyEvidence.filter((t) => t.ok).length;
  out.push(claim(1, 'the toy model stores the four features as two antipodal pairs in superposition',
    `${toyOk} of ${toyEvidence.length} toy models have cos(within-set pair) < -0.9: ${toyEvidence.map((t) => `${t.e.name}: ${t.within.join(', ')}, max |cos| across sets ${f3(t.maxAcross)}`).join('; ')}.`,
    toyOk === toyEvidence.length && toyOk > 0 ? 'supported' : toyOk > 0 ? 'partly supported' : 'not supported'));

  const corr = by('correlated');
  if (corr) {
    const a = counts(corr, 'all');
    const monoCell = corr.cells.map((c) => ({ c, mono: c.models.reduce((s, m) => s + corr.saes[m].monosemanticity, 0) / c.models.length })).sort((x, y) => y.mono - x.mono)[0];
    out.push(claim(2, 'with correlated amplitudes SAEs mostly learn composed (~45 deg) directions; few realizations find true features; one cell (low lambda, moderate lr) is mostly monosemantic',
      `${a.composed}/${a.n} SAEs (${pct(a.composed, a.n)}) are composed, ${a.true} true, ${a.mixed} mixed, ${a.dead} dead. The most monosemantic cell is lr ${monoCell.c.lr}, lambda ${monoCell.c.l1} (mean monosemanticity ${f3(monoCell.mono)}).`,
      a.composed > a.n / 2 && a.true <= a.n / 5 ? 'supported' : a.composed > a.true ? 'partly supported' : 'not supported'));
  } else out.push(claim(2, 'correlated amplitudes give composed directions', 'experiment `correlated` not in this run.', 'not measured'));

  const unc = by('uncorrelated');
  if (unc) {
    const a = counts(unc, 'all');
    let trueLose = 0, both = 0;
    for (const c of unc.cells) {
      const t = c.models.filter((m) => unc.saes[m].verdict === 'true').map((m) => unc.saes[m].final_loss);
      const k = c.models.filter((m) => unc.saes[m].verdict === 'composed').map((m) => unc.saes[m].final_loss);
      if (t.length && k.length) { both++; if (Math.min(...k) < Math.min(...t)) trueLose++; }
    }
    const cmp = corr ? ` (correlated: ${pct(counts(corr, 'all').composed, counts(corr, 'all').n)})` : '';
    out.push(claim(3, 'with uncorrelated amplitudes SAEs learn composed pairs even more consistently; monosemantic realizations lose on total loss',
      `${a.composed}/${a.n} (${pct(a.composed, a.n)}) composed${cmp}, ${a.true} true. In ${trueLose} of ${both} cells that have both kinds, the best composed SAE has lower selection loss than the best true one.`,
      a.composed > a.n / 2 && (both === 0 || trueLose >= both / 2) ? 'supported' : a.composed > a.true ? 'partly supported' : 'not supported'));
  } else out.push(claim(3, 'uncorrelated amplitudes give composed pairs', 'experiment `uncorrelated` not in this run.', 'not measured'));

  const cs = by('cos-signed'), ca = by('cos-abs');
  if (cs || ca) {
    const ev = [cs, ca].filter((e): e is Exp => !!e).map((e) => {
      const a = counts(e, 'all');
      const collapsed = e.saes.filter((s) => s.collapsed_pairs > 0).length;
      return `${e.name}: ${a.composed}/${a.n} composed, ${a.true} true, ${collapsed} SAEs with collapsed decoder columns (cos > 0.99)`;
    });
    const fixed = [cs, ca].filter((e): e is Exp => !!e).some((e) => counts(e, 'all').true > counts(e, 'all').n / 2);
    out.push(claim(4, 'neither cosine penalty fixes it; the absolute-value one can collapse decoder columns', ev.join('; ') + '.', fixed ? 'not supported' : 'supported'));
  } else out.push(claim(4, 'cosine penalties do not fix it', 'cosine-penalty experiments not in this run.', 'not measured'));

  const oh = by('onehot');
  if (oh) {
    const l = counts(oh, 'lowest');
    const ref = [corr, unc].filter((e): e is Exp => !!e).map((e) => `${e.name}: ${counts(e, 'lowest').true}/${counts(e, 'lowest').n}`).join(', ');
    const more = [corr, unc].filter((e): e is Exp => !!e).every((e) => l.true / l.n > counts(e, 'lowest').true / counts(e, 'lowest').n);
    out.push(claim(5, 'with p = 0.75 one-hot draws more lowest-loss SAEs find true features',
      `lowest-loss SAEs that are true: ${l.true}/${l.n} (${pct(l.true, l.n)})${ref ? `; for comparison ${ref}` : ''}.`, more && l.true > 0 ? 'supported' : l.true > 0 ? 'partly supported' : 'not supported'));
  } else out.push(claim(5, 'one-hot data gives more true features', 'experiment `onehot` not in this run.', 'not measured'));

  const pcaEv = res.experiments.map((e) => `${e.name}: eigenvalues of E[hh^T] ${e.pca.second_moment_eigenvalues.map(f3).join(', ')} (ratio ${f3(e.pca.eigenvalue_ratio)})` +
    (e.expected_l1 ? `, expected L1 true ${f3(e.expected_l1.true_dictionary)} vs composed ${f3(e.expected_l1.composed_dictionary)}` : ''));
  const iso = res.experiments.filter((e) => e.config.data.p_onehot === 0).every((e) => e.pca.eigenvalue_ratio < 1.1);
  out.push(claim(6, '(comment) "the principal components of the hidden activations lie on the diagonals"',
    `In the experiments without one-hot draws the second moment is isotropic, so no principal direction exists; what favours the diagonals is the L1 cost of the dictionaries. ${pcaEv.join('; ')}.`,
    iso ? 'not supported' : 'partly supported'));
  out.push(claim(7, 'figures: the lowest-loss realization is drawn large', 'The overlay figures put the lowest-loss realization (by the selection loss on fresh samples) in the first, labelled panel, as the text says (the study\'s code draws realization 0 there).', 'supported'));

  const phase = phasePoints(res.experiments);
  if (phase.length) {
    out.push('## Phase diagram: when do SAEs learn true features?\n');
    out.push('Two sets of k features (uncorrelated amplitudes), a fraction p of one-hot draws, toy model with d = k hidden dims, SAEs with s = 2k latents (ReLU with L1, and TopK with k = 2). Cells: mean over realizations of the fraction of true features some decoder direction matches at cosine >= 0.9, then the fraction of latents that are composed directions. Figure: phase.svg.\n');
    out.push(phaseTable(phase));
    const byV = (v: string) => phase.filter((p) => p.variant === v);
    for (const v of [...new Set(phase.map((p) => p.variant))]) {
      const pts = byV(v);
      const lo = pts.filter((p) => p.p <= 0.25), hi = pts.filter((p) => p.p >= 0.75);
      const mean = (a: typeof pts) => (a.length ? a.reduce((s, x) => s + x.recovered, 0) / a.length : NaN);
      out.push(`- ${v}: mean recovered fraction ${f3(mean(lo))} at p <= 0.25 vs ${f3(mean(hi))} at p >= 0.75.`);
    }
    out.push('');
  }
  out.push('## Files\n');
  for (const e of res.experiments) out.push(`- ${e.name}: ${Object.values(e.files).join(', ')}`);
  out.push('');
  return out.join('\n');
}
