// parseJson (src/io/json.ts): a syntax error names its line and column, whatever V8's message gives;
// valid JSON parses as JSON.parse does. The --config file errors built on it, npm's banner included.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonErrorOffset, lineColumn, parseJson } from '../../src/io/json';
import { presetFromConfigFile } from '../../src/experiments/config-file';
import { tmpDirs } from '../tmp';

const tmp = tmpDirs('sae-json-');

const at = (text: string) => {
  try {
    parseJson(text);
  } catch (e) {
    const err = e as { line: number; column: number; message: string };
    return [err.line, err.column];
  }
  throw new Error(`parsed: ${text}`);
};

describe('parseJson', () => {
  it('parses what JSON.parse parses', () => {
    for (const t of ['{}', '[]', ' 0 ', '-1.5e+3', '"a\\u00e9\\n"', '{"a": [1, true, null, {"b": "c"}]}', '\n[\n 1,\n 2\n]\n'])
      expect(parseJson(t)).toEqual(JSON.parse(t));
  });

  it('names line and column of the first bad character', () => {
    expect(at('> sae@0.1.0 start\n{}')).toEqual([1, 1]); // npm's banner: V8's message has no position
    expect(at('{\n  "a": 1,\n}')).toEqual([3, 1]); // trailing comma
    expect(at('{\n  "sae": { "s": 4 "k": 2 }\n}')).toEqual([2, 19]); // missing comma
    expect(at('{"a": tru}')).toEqual([1, 10]); // the '}' where 'e' should be
    expect(at('[1, 2')).toEqual([1, 6]); // ends early: the end of the text
    expect(at('{"a": 01}')).toEqual([1, 8]);
    expect(at('{"a": "x\ty"}')).toEqual([1, 9]); // a raw tab inside a string
    expect(at('{} x')).toEqual([1, 4]);
    expect(at('')).toEqual([1, 1]);
  });

  it('agrees with V8 wherever V8 gives a position', () => {
    for (const t of ['{\n "a": 1,\n}', '{"a": 1 "b": 2}', '[1,2', '{"a" 1}', '[1,]', '{"a": -}']) {
      let v8: number | null = null;
      try {
        JSON.parse(t);
      } catch (e) {
        const m = /at position (\d+)/.exec((e as Error).message);
        v8 = m ? Number(m[1]) : /end of JSON input/.test((e as Error).message) ? t.length : null;
      }
      if (v8 !== null) expect(jsonErrorOffset(t), t).toBe(v8);
    }
  });

  it('counts lines and columns from 1', () => {
    expect(lineColumn('ab\ncd', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});

describe('--config with invalid JSON', () => {
  it('names the line and column, and says when npm banner lines were captured', () => {
    const dir = tmp();
    const banner = join(dir, 'banner.json');
    writeFileSync(banner, '\n> sae-composed-webgpu@0.1.0 start\n> tsx src/cli/main.ts --print-config tiny\n\n{\n  "name": "x"\n}\n');
    expect(() => presetFromConfigFile(banner)).toThrow(
      /banner\.json: not valid JSON at line 2, column 1: unexpected '>'.*npm's '> \.\.\.' lines.*--out-config FILE/,
    );
    const comma = join(dir, 'comma.json');
    writeFileSync(comma, '{\n  "name": "x",\n  "sae": { "s": 4, },\n}\n');
    expect(() => presetFromConfigFile(comma)).toThrow(/comma\.json: not valid JSON at line 3, column 20: unexpected '\}'/);
    expect(() => presetFromConfigFile(comma)).not.toThrow(/npm/);
  });
});
