/**
 * pnpm report — after-action reports from the hub, as the console gets them (same sign-in, same
 * access rules, every export in the audit log):
 *
 *   pnpm report period --from 2026-11-30 --to 2026-12-01 [--format pdf|csv|json|html] [--out FILE]
 *   pnpm report warning <id> [--format …] [--out FILE]
 *   pnpm report warnings --from … --to … [--format …] --out DIR     (each warning raised in the period)
 *
 * The hub: --hub or LIANDONG_HUB_URL (default http://127.0.0.1:8080). Who: --user or LIANDONG_USER,
 * the password from LIANDONG_PASSWORD (never on the command line). A date without a time is that
 * day's start in Beijing time. A progress bar goes to stderr; stdout gets the file names written.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPORT_FORMATS, type PeriodReport, type ReportFormat } from '@liandong/contracts';
import { progressBar } from './progress.ts';

export class UsageError extends Error {}

/** `2026-11-30` → Beijing midnight; anything else must be RFC 3339. */
export function readDate(value: string, name: string): string {
  const text = /^\d{4}-\d\d-\d\d$/.test(value) ? `${value}T00:00:00+08:00` : value;
  const date = new Date(text);
  if (Number.isNaN(date.getTime()))
    throw new UsageError(
      `--${name} "${value}" is not a date (2026-11-30, or RFC 3339 like 2026-11-30T08:00:00+08:00)`,
    );
  return date.toISOString();
}

interface Session {
  get(path: string): Promise<Response>;
}

async function signIn(hub: string, username: string, password: string): Promise<Session> {
  const response = await fetch(`${hub}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (response.status !== 200)
    throw new UsageError(`sign-in as ${username} at ${hub}: ${response.status} ${await response.text()}`);
  const cookie = response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return {
    async get(path) {
      const r = await fetch(`${hub}${path}`, { headers: { cookie } });
      if (r.status !== 200) throw new UsageError(`GET ${path}: ${r.status} ${await r.text()}`);
      return r;
    },
  };
}

const extension: Record<ReportFormat, string> = { json: 'json', csv: 'csv', pdf: 'pdf', html: 'html' };

export async function runReportCli(
  argv: string[],
  env: Record<string, string | undefined>,
): Promise<string[]> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      format: { type: 'string', default: 'pdf' },
      out: { type: 'string' },
      hub: { type: 'string' },
      user: { type: 'string' },
    },
  });
  const [command, id] = positionals;
  const format = values.format as ReportFormat;
  if (!REPORT_FORMATS.includes(format)) throw new UsageError(`--format: one of ${REPORT_FORMATS.join(', ')}`);
  const hub = (values.hub ?? env['LIANDONG_HUB_URL'] ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
  const user = values.user ?? env['LIANDONG_USER'];
  const password = env['LIANDONG_PASSWORD'];
  if (!user || !password)
    throw new UsageError('name the user (--user or LIANDONG_USER) and set LIANDONG_PASSWORD');
  const range = () => {
    if (!values.from || !values.to) throw new UsageError(`${command} needs --from and --to`);
    return `from=${encodeURIComponent(readDate(values.from, 'from'))}&to=${encodeURIComponent(readDate(values.to, 'to'))}`;
  };
  const written: string[] = [];
  const save = async (path: string, response: Response) => {
    await writeFile(path, Buffer.from(await response.arrayBuffer()));
    written.push(path);
  };
  switch (command ?? '') {
    case 'period': {
      const query = range();
      const bar = progressBar(3);
      const session = await signIn(hub, user, password);
      bar.tick('signed in');
      const response = await session.get(`/api/v1/reports/period?${query}&format=${format}`);
      bar.tick(`${format} received`);
      await save(values.out ?? `liandong-period-report.${extension[format]}`, response);
      bar.done('written');
      return written;
    }
    case 'warning': {
      if (!id) throw new UsageError('pnpm report warning <id>');
      const bar = progressBar(3);
      const session = await signIn(hub, user, password);
      bar.tick('signed in');
      const response = await session.get(
        `/api/v1/reports/warnings/${encodeURIComponent(id)}?format=${format}`,
      );
      bar.tick(`${format} received`);
      await save(
        values.out ?? `liandong-report-${id.replace(/[^\w.-]+/g, '_')}.${extension[format]}`,
        response,
      );
      bar.done('written');
      return written;
    }
    case 'warnings': {
      const query = range();
      const dir = values.out ?? 'liandong-reports';
      const session = await signIn(hub, user, password);
      const period = (await (await session.get(`/api/v1/reports/period?${query}`)).json()) as PeriodReport;
      await mkdir(dir, { recursive: true });
      const bar = progressBar(period.warnings.length);
      for (const w of period.warnings) {
        const response = await session.get(
          `/api/v1/reports/warnings/${encodeURIComponent(w.id)}?format=${format}`,
        );
        await save(join(dir, `${w.id.replace(/[^\w.-]+/g, '_')}.${extension[format]}`), response);
        bar.tick(w.id);
      }
      bar.done(`${period.warnings.length} reports`);
      return written;
    }
    default:
      throw new UsageError(
        'pnpm report period|warning <id>|warnings [--from … --to …] [--format pdf|csv|json|html] [--out …]',
      );
  }
}
