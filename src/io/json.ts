// JSON.parse with the place of a syntax error: "line 3, column 5". V8's messages give a position for
// some mistakes ("... at position 11") and none for others ("Unexpected token '>', ... is not valid
// JSON"), so the place is found by a small scanner of the JSON grammar (RFC 8259) run after JSON.parse
// has failed. Pure: used by --config (src/experiments/config-file.ts) and the page's config editor.

export class JsonSyntaxError extends SyntaxError {
  constructor(
    message: string,
    /** 1-based line and column of the first character JSON cannot accept (the end of the text when it stops early) */
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

/** Parse JSON; a syntax error becomes a JsonSyntaxError "line L, column C: <what>". */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const at = jsonErrorOffset(text) ?? text.length;
    const { line, column } = lineColumn(text, at);
    const what = at >= text.length ? 'the text ends before the JSON value does' : `unexpected ${describeChar(text, at)}`;
    // V8's own words, on one line (it quotes the text around the error, newlines included)
    const v8 = (e as Error).message.replace(/\s*\n\s*/g, ' ');
    throw new JsonSyntaxError(`line ${line}, column ${column}: ${what} (${v8})`, line, column);
  }
}

/** 1-based line and column of a character offset (a tab counts as one column). */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1,
    start = 0;
  for (let i = 0; i < offset && i < text.length; i++)
    if (text[i] === '\n') {
      line++;
      start = i + 1;
    }
  return { line, column: offset - start + 1 };
}

function describeChar(text: string, at: number): string {
  const c = text[at];
  if (c === '\n') return 'end of line';
  const code = c.charCodeAt(0);
  return code < 0x20 ? `control character U+${code.toString(16).padStart(4, '0')}` : `'${c}'`;
}

/** Offset of the first character that is not valid JSON (text.length when the text ends too early), or null when it is valid. */
export function jsonErrorOffset(s: string): number | null {
  let i = 0;
  class Stop {
    constructor(readonly at: number) {}
  }
  const fail = (): never => {
    throw new Stop(i);
  };
  const ws = () => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === '\n' || s[i] === '\r')) i++;
  };
  const digits = () => {
    const from = i;
    while (i < s.length && s[i] >= '0' && s[i] <= '9') i++;
    if (i === from) fail();
  };
  const literal = (word: string) => {
    for (const ch of word) {
      if (s[i] !== ch) fail();
      i++;
    }
  };
  const string = () => {
    i++; // the opening quote
    for (;;) {
      if (i >= s.length) fail();
      const c = s[i];
      if (c === '"') {
        i++;
        return;
      }
      if (c.charCodeAt(0) < 0x20) fail();
      if (c === '\\') {
        i++;
        const e = s[i];
        if (e === 'u') {
          i++;
          for (let k = 0; k < 4; k++, i++) if (!/[0-9a-fA-F]/.test(s[i] ?? '')) fail();
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) fail();
      }
      i++;
    }
  };
  const value = (): void => {
    ws();
    const c = s[i];
    if (c === '{') {
      i++;
      ws();
      if (s[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (s[i] !== '"') fail();
        string();
        ws();
        if (s[i] !== ':') fail();
        i++;
        value();
        ws();
        if (s[i] === ',') {
          i++;
          continue;
        }
        if (s[i] === '}') {
          i++;
          return;
        }
        fail();
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (s[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (s[i] === ',') {
          i++;
          continue;
        }
        if (s[i] === ']') {
          i++;
          return;
        }
        fail();
      }
    }
    if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else if (c === '-' || (c >= '0' && c <= '9')) {
      if (c === '-') i++;
      if (s[i] === '0') i++;
      else digits();
      if (s[i] === '.') {
        i++;
        digits();
      }
      if (s[i] === 'e' || s[i] === 'E') {
        i++;
        if (s[i] === '+' || s[i] === '-') i++;
        digits();
      }
    } else fail();
  };
  try {
    value();
    ws();
    if (i < s.length) fail();
    return null;
  } catch (e) {
    if (e instanceof Stop) return Math.min(e.at, s.length);
    throw e;
  }
}
