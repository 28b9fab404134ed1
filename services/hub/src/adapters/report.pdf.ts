/**
 * Print HTML → PDF with the machine's Chromium (playwright-core; never a downloaded browser):
 * headless, no sandbox, no network of its own, a fresh profile per export, removed afterwards.
 * One export at a time, so that a burst of exports does not start a browser per request on a
 * small machine. The page is set from a string; it loads nothing from outside.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

export interface PdfRenderer {
  render(html: string, options?: { footer?: string }): Promise<Buffer>;
}

export function createPdfRenderer(executablePath: string): PdfRenderer {
  let queue: Promise<unknown> = Promise.resolve();
  async function renderNow(html: string, footer: string): Promise<Buffer> {
    const profile = await mkdtemp(join(tmpdir(), 'liandong-pdf-'));
    try {
      const context = await chromium.launchPersistentContext(profile, {
        executablePath,
        headless: true,
        args: CHROMIUM_ARGS,
        offline: true,
      });
      try {
        const page = await context.newPage();
        await page.route('**/*', (route) =>
          route.request().url().startsWith('data:') ? route.continue() : route.abort(),
        );
        await page.setContent(html, { waitUntil: 'load' });
        await page.evaluate('document.fonts.ready');
        return await page.pdf({
          format: 'A4',
          printBackground: true,
          displayHeaderFooter: true,
          headerTemplate: '<span></span>',
          footerTemplate: `<div style="font-size:8px;width:100%;text-align:center;font-family:'Noto Sans CJK SC',sans-serif">${footer} · <span class="pageNumber"></span> / <span class="totalPages"></span></div>`,
          margin: { top: '16mm', bottom: '16mm', left: '14mm', right: '14mm' },
        });
      } finally {
        await context.close();
      }
    } finally {
      await rm(profile, { recursive: true, force: true });
    }
  }
  return {
    render(html, options = {}) {
      const footer = (options.footer ?? '联动 Liandong').replace(/[<>&"]/g, '');
      const next = queue.then(() => renderNow(html, footer));
      queue = next.catch(() => undefined);
      return next;
    },
  };
}

/** Pages of a PDF as Chromium writes it (one /Type /Page object per page). */
export function pdfPageCount(pdf: Buffer): number {
  return pdf.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g)?.length ?? 0;
}
