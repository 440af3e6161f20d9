// PDF through Chromium's own print (headless --print-to-pdf) of the printable HTML page: the page's
// @page rule gives A4 and the margins of Nghị định 30. One Chromium process per document, in a
// private temporary directory (the HTML, the PDF and Chromium's profile), killed after a timeout.
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface PdfOptions {
  /** the Chromium binary (default: $CHROMIUM, else /usr/bin/chromium) */
  chromium?: string | undefined;
  /** default 60 s */
  timeoutMs?: number;
}

export class PdfError extends Error {
  override name = 'PdfError';
}

export function chromiumPath(configured?: string, env: NodeJS.ProcessEnv = process.env): string {
  return configured || env.CHROMIUM || '/usr/bin/chromium';
}

/** Prints a self-contained HTML page to PDF bytes. */
export async function htmlToPdf(html: string, o: PdfOptions = {}): Promise<Buffer> {
  const bin = chromiumPath(o.chromium);
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    throw new PdfError(
      `không tìm thấy Chromium tại ${bin} để in PDF; cài gói chromium hoặc đặt reports.chromium / CHROMIUM — ` +
        `Chromium not found at ${bin} (needed for PDF): install the chromium package or set reports.chromium or CHROMIUM`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'diemcau-pdf-'));
  try {
    const page = join(dir, 'document.html');
    const out = join(dir, 'document.pdf');
    writeFileSync(page, html);
    const args = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-extensions',
      '--disable-background-networking',
      `--user-data-dir=${join(dir, 'profile')}`,
      `--print-to-pdf=${out}`,
      '--no-pdf-header-footer',
      pathToFileURL(page).href,
    ];
    await new Promise<void>((resolve, reject) => {
      execFile(
        bin,
        args,
        { timeout: o.timeoutMs ?? 60_000, killSignal: 'SIGKILL', maxBuffer: 4 << 20 },
        (err, _stdout, stderr) => {
          if (err) {
            const why = err.killed ? `timed out after ${(o.timeoutMs ?? 60_000) / 1000} s` : err.message;
            reject(new PdfError(`Chromium could not print the PDF: ${why}\n${String(stderr).slice(-800)}`));
          } else resolve();
        },
      );
    });
    let pdf: Buffer;
    try {
      pdf = readFileSync(out);
    } catch {
      throw new PdfError('Chromium exited without writing the PDF');
    }
    if (pdf.subarray(0, 5).toString('latin1') !== '%PDF-')
      throw new PdfError('Chromium wrote something that is not a PDF');
    return pdf;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
