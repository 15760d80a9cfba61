// report.md and summary.md from hand-built results (no GPU): the verdicts come from matched recovery, the
// old rule is a secondary count, toy models failing the guards are flagged and left out of the claims, claims
// state how many distinct toy models stand behind them, and configs outside the study's shape get a report
// of what was measured without the study's wording.
import { describe, expect, it } from 'vitest';
import { counts, renderReport, verdictTable } from '../../src/experiments/report';
import { summarize, summaryMarkdown } from '../../src/experiments/summary';
import { CROSS_W, dir, fakeExperiment, fakeResults, STUDY_W } from '../fake-experiment';

const e3 = (i: number, sign = 1) => [0, 1, 2].map((j) => (j === i ? sign : 0));

function threeSets(name = 'three-sets', W = [e3(0), e3(0, -1), e3(1), e3(1, -1), e3(2), e3(2, -1)]) {
  return fakeExperiment({
    name,
    sets: [2, 2, 2],
    W,
    saes: [
      { decoder: W.map((w) => [...w]) }, // the true dictionary
      { decoder: [e3(0), e3(0), e3(1), e3(1, -1), e3(2), e3(2, -1)] }, // x2 missing, x1 twice
    ],
  });
}

describe('report for configs outside the study (3 sets of 2, d = 3)', () => {
  it('states what was measured, with finite numbers and none of the study claim titles', () => {
    const md = renderReport(fakeResults([threeSets()]));
    expect(md).not.toMatch(/-?Infinity|NaN/);
    expect(md).not.toMatch(/### Claim/);
    expect(md).not.toMatch(/two antipodal pairs|four features|principal components of the hidden activations lie on the diagonals/);
    expect(md).toMatch(/## What was measured/);
    expect(md).toMatch(/eigenvalues of E\[hh\^T\] \(d = 3\): 0\.167, 0\.167, 0\.167; largest \/ smallest 1\.000/);
    expect(md).toMatch(/matched recovery \(2 SAEs\): 1 true, 0 composed, 0 mixed, 1 partial/);
    expect(md).toMatch(/x: within-set cosines -1\.000 to -1\.000/);
  });
  it('says rank-deficient instead of an infinite eigenvalue ratio', () => {
    // all six features in the x-y plane of a d = 3 toy model: E[hh^T] has a zero eigenvalue
    const flat = [dir(0), dir(180), dir(60), dir(240), dir(120), dir(300)].map((v) => [v[0], v[1], 0]);
    const md = renderReport(fakeResults([threeSets('flat', flat)]));
    expect(md).toMatch(/rank-deficient: smallest eigenvalue 0/);
    expect(md).not.toMatch(/-?Infinity|NaN/);
  });
  it('a mixed run gives the claims for the study experiments and the measured section for the others', () => {
    const corr = fakeExperiment({ name: 'correlated', sets: [2, 2], W: STUDY_W, saes: [{ decoder: [0, 180, 90, -90].map(dir) }] });
    const md = renderReport(fakeResults([corr, threeSets()]));
    expect(md).toMatch(/### Claim 1:/);
    expect(md).toMatch(/## Other experiments: what was measured/);
    expect(md).toMatch(/### three-sets/);
  });
});

describe('report for the study: new verdicts, guards, distinct toy models', () => {
  // the published quick run's counter-examples: both pass the old rule, neither covers its basis
  const corr = fakeExperiment({
    name: 'correlated',
    sets: [2, 2],
    W: STUDY_W,
    saes: [{ decoder: [-63, -141, 38, 40].map(dir) }, { decoder: [45, 135, -45, -135].map(dir) }],
  });
  const cosSigned = fakeExperiment({ name: 'cos-signed', sets: [2, 2], W: STUDY_W.map((r) => [...r]), saes: [{ decoder: [0, 180, 90, -90].map(dir) }] });
  const onehot = fakeExperiment({ name: 'onehot', sets: [2, 2], W: CROSS_W, p_onehot: 0.75, saes: [{ decoder: [-88, 109, -76, 4].map(dir) }] });
  const res = fakeResults([corr, cosSigned, onehot], 'study-quick');
  const md = renderReport(res);

  it('counts the new verdicts, with the old rule as a secondary count', () => {
    const c = counts(corr, 'all');
    expect(c).toMatchObject({ composed: 1, partial: 1, true: 0, n: 2 });
    expect(c.nearest).toMatchObject({ composed: 2, true: 0 });
    expect(verdictTable(res)).toMatch(/\| correlated \| 2 \| A \| 1 \| 0 \| 0 \| 1 \| 0 \| 0 \|/);
    expect(md).toMatch(/Old nearest-line rule \(secondary\): 2 composed, 0 true/);
    expect(md).toMatch(/cannot reject/);
  });
  it('flags the cross-set toy model and leaves it out of the claims', () => {
    expect(md).toMatch(/## Toy-model guards/);
    expect(md).toMatch(/- onehot: cross-set antipodal pairs x1-y1 .*x2-y2/);
    expect(md).toMatch(/\| onehot \(toy model flagged\) \| 1 \| B \|/);
    expect(md).toMatch(/### Claim 5: [^\n]*\n\n\*\*not measured\.\*\* experiment `onehot` left out: its toy model fails the guards/);
  });
  it('counts distinct toy models: correlated and cos-signed share one W', () => {
    expect(md).toMatch(/\*\* 1 of 2 toy models \(distinct W; 2 of 3 experiments\)/);
    expect(md).toMatch(/### Claim 4:[^\n]*\n\n[^\n]*Toy models behind this claim: 1 distinct \(cos-signed = correlated\)/);
  });
  it('summary.md shows both rules and the flag', () => {
    const s = summarize(res);
    expect(s.experiments[2].toy_model.valid).toBe(false);
    expect(s.experiments[0].toy_model.id).toBe(s.experiments[1].toy_model.id);
    const smd = summaryMarkdown(s);
    expect(smd).toMatch(/toy model flagged/);
    expect(smd).toMatch(/r0 partial \(nearest: composed\)/);
  });
});

describe('results written with the old rule', () => {
  it('are re-judged by matched recovery from their stored decoders; the stored verdict becomes verdict_nearest', () => {
    const e = fakeExperiment({ name: 'correlated', sets: [2, 2], W: STUDY_W, saes: [{ decoder: [-63, -141, 38, 40].map(dir) }] });
    // as an older kit wrote it: the nearest-line verdict in `verdict`, no recovery, no guards
    const old = {
      ...e,
      toy: { ...e.toy, validity: undefined },
      saes: e.saes.map(({ recovery: _r, verdict_nearest, ...s }) => ({ ...s, verdict: verdict_nearest })),
    } as unknown as typeof e;
    const md = renderReport(fakeResults([old]));
    expect(md).toMatch(/\| correlated \| 1 \| A \| 0 \| 0 \| 0 \| 1 \| 0 \|/); // partial, not composed
    expect(md).toMatch(/Old nearest-line rule \(secondary\): 1 composed/);
    expect(summarize(fakeResults([old])).experiments[0].cells[0].picks.per_sample_fvu.verdict).toBe('partial');
  });
});

describe('claims 8 and 9: the comments on optimisation and on L1 geometry', () => {
  const corr = (trueLoss: number, composedLoss: number) => {
    const e = fakeExperiment({
      name: 'correlated',
      sets: [2, 2],
      W: STUDY_W,
      saes: [
        { decoder: [0, 180, 90, -90].map(dir), loss: trueLoss },
        { decoder: [45, 135, -45, -135].map(dir), loss: composedLoss },
      ],
    });
    return { ...e, expected_l1: { true_dictionary: 1, composed_dictionary: Math.SQRT1_2 } };
  };
  const section = (md: string, n: number) => md.slice(md.indexOf(`### Claim ${n}:`), md.indexOf('###', md.indexOf(`### Claim ${n}:`) + 5));

  it('the optimisation comment is not supported when the composed SAE has the lower loss, partly when the true one has', () => {
    const won = section(renderReport(fakeResults([corr(0.3, 0.2)], 'study-quick')), 8);
    expect(won).toContain('**not supported.**');
    expect(won).toContain('in 1 of 1 cells holding both a true and a composed SAE the composed one has the lower selection loss');
    expect(won).toContain('1 of the 2 SAEs in those cells end more than 5 % above');
    const lost = section(renderReport(fakeResults([corr(0.2, 0.3)], 'study-quick')), 8);
    expect(lost).toContain('**partly supported.**');
    expect(lost).toContain('in 0 of 1 cells');
  });

  // the optimality gap: reference SAEs with the decoder fixed to each basis, beside the learned ones
  const ref = (loss: number, l1 = 1, converged = true) => ({
    final_loss: loss,
    final_loss_batch: loss,
    per_sample_fvu: 0.05,
    l1_term: l1,
    l0: 1,
    dead: 0,
    diverged: null,
    converged,
  });
  const withRefs = (t: number, k: number, learned: [number, number], conv = true) => {
    const e = corr(...learned);
    return { ...e, cells: e.cells.map((c) => ({ ...c, reference: { true: ref(t, 2), composed: ref(k, Math.SQRT2, conv) } })) };
  };
  it('with reference SAEs: not supported when the composed decoder has the lower loss', () => {
    const md = renderReport(fakeResults([withRefs(0.25, 0.15, [0.3, 0.2])], 'study-quick'));
    const c8 = section(md, 8);
    expect(c8).toContain('**not supported.**');
    expect(c8).toContain('the composed reference has the lower selection loss in 1 (batch FVU: 1)');
    expect(c8).toContain('The objective prefers the composed decoder in most converged cells of correlated');
    expect(section(md, 9)).toContain('median L1 term composed / true over converged cells: correlated 0.707 (1 cells)');
    expect(md).toMatch(/## Optimality gap/);
    expect(md).toContain('| 0.001 | 0.200 / 0.250 / 0.150 |');
  });
  it('with reference SAEs: supported when the true decoder wins and lies below every learned SAE', () => {
    const c8 = section(renderReport(fakeResults([withRefs(0.1, 0.15, [0.3, 0.2])], 'study-quick')), 8);
    expect(c8).toContain('**supported.**');
    expect(c8).toContain("the true reference is below the cell's best learned SAE in 1");
  });
  it('with reference SAEs: partly when the true decoder wins but training reaches as low a loss', () => {
    const c8 = section(renderReport(fakeResults([withRefs(0.18, 0.25, [0.3, 0.15])], 'study-quick')), 8);
    expect(c8).toContain('**partly supported.**');
  });
  it('with reference SAEs: partly when the experiments disagree on the preferred decoder', () => {
    const unc = withRefs(0.1, 0.3, [0.3, 0.2]);
    const c8 = section(renderReport(fakeResults([withRefs(0.25, 0.15, [0.3, 0.2]), { ...unc, name: 'uncorrelated' }], 'study-quick')), 8);
    expect(c8).toContain('**partly supported.**');
    expect(c8).toContain('The objective prefers the composed decoder in most converged cells of correlated; the true decoder in most of uncorrelated');
  });
  it('reference SAEs that did not converge are left out and marked', () => {
    const md = renderReport(fakeResults([withRefs(0.25, 0.15, [0.3, 0.2], false)], 'study-quick'));
    expect(section(md, 8)).toContain('no converged cell has converged reference SAEs');
    expect(md).toContain('0.150* |');
    const sum = summarize(fakeResults([withRefs(0.25, 0.15, [0.3, 0.2], false)]));
    expect(sum.experiments[0].cells[0].reference).toEqual({ true: 0.25, composed: 0.15, converged: false });
    expect(sum.experiments[0].optimality_gap?.per_sample_fvu?.n).toBe(0);
  });

  it('the L1 argument is judged by the expected-L1 numbers', () => {
    const md = section(renderReport(fakeResults([corr(0.3, 0.2)], 'study-quick')), 9);
    expect(md).toContain('**supported.**');
    expect(md).toContain('true 1.000 vs composed 0.707');
    const dearer = { ...corr(0.3, 0.2), expected_l1: { true_dictionary: 1, composed_dictionary: 1.2 } };
    expect(section(renderReport(fakeResults([dearer], 'study-quick')), 9)).toContain('**partly supported.**');
  });
});

describe('claim 4: the no-penalty baseline for collapsed columns', () => {
  const exp = (name: string, decoders: number[][]) =>
    fakeExperiment({ name, sets: [2, 2], W: STUDY_W.map((r) => [...r]), saes: decoders.map((d) => ({ decoder: d.map(dir) })) });
  const collapsedDec = [45, 45, 135, -45];
  const clean = [45, 135, -45, -135];
  const claim4 = (corrDecs: number[][], absDecs: number[][]) => {
    const md = renderReport(fakeResults([exp('correlated', corrDecs), exp('cos-abs', absDecs)], 'study-quick'));
    const i = md.indexOf('### Claim 4:');
    return md.slice(i, md.indexOf('###', i + 5));
  };
  it('is reported; no more collapses than without a penalty make the claim only partly supported', () => {
    const same = claim4([collapsedDec, collapsedDec], [collapsedDec, clean]);
    expect(same).toContain('Without a penalty (correlated, the same data and toy model): 2 SAEs with collapsed columns');
    expect(same).toContain('**partly supported.**');
    expect(same).toContain('collapses no more SAEs than no penalty (1 vs 2)');
    const more = claim4([clean, clean], [collapsedDec, clean]);
    expect(more).toContain('**supported.**');
    expect(more).toContain('0 SAEs with collapsed columns');
  });
});

describe('claim 10: the composed features "largely persist" with one-hot draws', () => {
  const onehot = (deg: number[]) =>
    fakeExperiment({ name: 'onehot', sets: [2, 2], W: STUDY_W.map((r) => [...r]), p_onehot: 0.75, saes: [{ decoder: deg.map(dir) }] });
  const claim10 = (deg: number[]) => {
    const md = renderReport(fakeResults([onehot(deg)], 'study-quick'));
    const i = md.indexOf('### Claim 10:');
    return md.slice(i, md.indexOf('##', i + 5));
  };
  it('is supported when the composed picks are at least as common as the true ones, not when true ones win', () => {
    expect(claim10([45, 135, -45, -135])).toContain('**supported.**');
    const t = claim10([0, 180, 90, -90]);
    expect(t).toContain('**not supported.**');
    expect(t).toContain('one-hot 0 composed / 1 true of 1');
  });
});
