// gram.svg: the toy model's Gram matrix with the guards' verdict in its title.
import { describe, expect, it } from 'vitest';
import { nodeDocument } from '../../src/plots/dom-node';
import { gramFigure } from '../../src/plots/gram';
import { CROSS_W, dir, fakeExperiment, STUDY_W } from '../fake-experiment';

describe('gram.svg', () => {
  it('shows W W^T with |w_i|^2 on the diagonal, and says the guards passed', () => {
    const e = fakeExperiment({ name: 'correlated', sets: [2, 2], W: STUDY_W, saes: [{ decoder: [0, 90, 180, 270].map(dir) }] });
    const svg = gramFigure(e, nodeDocument());
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain("correlated: the toy model's Gram matrix W W^T");
    expect(svg).toContain('guards passed');
    expect(svg.match(/>1\.00</g)?.length).toBe(4); // the four |w_i|^2
    expect(svg.match(/>-1\.00</g)?.length).toBe(4); // x1.x2, x2.x1, y1.y2, y2.y1
  });
  it("says a flagged toy model's problems", () => {
    const e = fakeExperiment({ name: 'onehot', sets: [2, 2], W: CROSS_W, p_onehot: 0.75, saes: [{ decoder: [0, 90, 180, 270].map(dir) }] });
    const text = gramFigure(e, nodeDocument())
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ');
    expect(text).toMatch(/TOY MODEL FLAGGED: cross-set antipodal pairs x1-y1/);
  });
});
