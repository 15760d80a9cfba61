// One typed entry to Observable Plot: the kit's figures take and return plain DOM elements.
import * as Plot from '@observablehq/plot';

export function plot(options: Plot.PlotOptions): SVGSVGElement | HTMLElement {
  return Plot.plot(options);
}

/** Break a title into lines of at most `chars` characters at spaces. */
export function wrapTitle(title: string, chars: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const w of title.split(' ')) {
    if (line && (line + ' ' + w).length > chars) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines;
}
