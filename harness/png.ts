// Render SVG figures to PNG in headless Chromium (for looking at them, and for --png).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { findChromium } from './launch';

const active = new Set<number>();

/** SIGKILL the Chromium of a render in progress (signal handlers: no browser may outlive the CLI). */
export function killPngBrowsers(): void {
  for (const pid of active) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  active.clear();
}

export async function svgFilesToPng(files: string[]): Promise<{ file: string; png: string; width: number; height: number; errors: string[] }[]> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'sae-kit-png-'));
  const browser = await puppeteer.launch({
    executablePath: findChromium(),
    headless: true,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      `--user-data-dir=${userDataDir}`,
    ],
  });
  const pid = browser.process()?.pid;
  if (pid) active.add(pid);
  try {
    const page = await browser.newPage();
    const out = [];
    for (const file of files) {
      const errors: string[] = [];
      page.removeAllListeners('pageerror');
      page.on('pageerror', (e) => errors.push(String((e as Error).message ?? e)));
      const svg = readFileSync(file, 'utf8');
      await page.setContent(`<!doctype html><html><body style="margin:0;background:white">${svg}</body></html>`);
      const box = await page.evaluate(() => {
        const s = document.querySelector('svg');
        if (!s) return null;
        const r = s.getBoundingClientRect();
        return { width: Math.ceil(r.width), height: Math.ceil(r.height) };
      });
      if (!box || box.width < 10 || box.height < 10) errors.push(`${file}: no visible <svg> element`);
      const width = box?.width ?? 100,
        height = box?.height ?? 100;
      await page.setViewport({ width, height });
      const png = file.replace(/\.svg$/, '.png');
      writeFileSync(png, await page.screenshot({ type: 'png', clip: { x: 0, y: 0, width, height } }));
      out.push({ file, png, width, height, errors });
    }
    return out;
  } finally {
    await browser.close().catch(() => undefined);
    if (pid) active.delete(pid);
    rmSync(userDataDir, { recursive: true, force: true });
  }
}
