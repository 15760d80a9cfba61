// One typed entry to Observable Plot: the kit's figures take and return plain DOM elements.
import * as Plot from '@observablehq/plot';

export function plot(options: Plot.PlotOptions): SVGSVGElement | HTMLElement {
  return Plot.plot(options);
}
