// parseCli (src/cli/args.ts): a negative number after an option that takes a value is its value, so the
// kit's own check names the mistake (`--checkpoint-every -5` was Node's "argument is ambiguous").
import { describe, expect, it } from 'vitest';
import { joinNegativeValues, parseCli } from '../../src/cli/args';

const options = { 'checkpoint-every': { type: 'string' }, out: { type: 'string', short: 'o' }, png: { type: 'boolean' } } as const;

describe('parseCli', () => {
  it('reads a negative number after a value option as its value', () => {
    expect(parseCli({ args: ['--checkpoint-every', '-5'], options }).values['checkpoint-every']).toBe('-5');
    expect(parseCli({ args: ['--checkpoint-every', '-.5', '--png'], options }).values).toEqual({ 'checkpoint-every': '-.5', png: true });
    expect(parseCli({ args: ['-o', '-1'], options }).values.out).toBe('-1');
    expect(parseCli({ args: ['--checkpoint-every=-5'], options }).values['checkpoint-every']).toBe('-5');
  });

  it('leaves other arguments alone', () => {
    expect(joinNegativeValues(['--png', '-5'], options)).toEqual(['--png', '-5']); // a boolean takes no value
    expect(joinNegativeValues(['--out', 'x', '--', '--out', '-5'], options)).toEqual(['--out', 'x', '--', '--out', '-5']);
  });

  it("names a missing value in the kit's words", () => {
    expect(() => parseCli({ args: ['--out', '--png'], options })).toThrow(
      /^--out needs a value, and the next argument starts with '-' \(a value that does: --out=-VALUE\); see --help$/,
    );
    expect(() => parseCli({ args: ['--sped'], options })).toThrow(/^unknown option --sped; see --help$/);
  });
});
