import { departmentEntry, type DepartmentCode } from '@liandong/contracts';
import { backoffDelayMs } from '@liandong/errors';

export interface OutgoingRecord {
  department: DepartmentCode;
  sourceId: string;
  contentType: 'application/json' | 'application/cap+xml';
  body: unknown;
}

export interface SenderStats {
  sent: number;
  accepted: number;
  duplicates: number;
  refused: number;
  failed: number;
}

export interface SenderOptions {
  host: string;
  /** Added to each department's registry ingest port. */
  portOffset?: number;
  keys: Partial<Record<DepartmentCode, string>>;
  log: (level: 'info' | 'warn' | 'error', message: string, extra?: Record<string, unknown>) => void;
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

interface Reply {
  accepted?: number;
  duplicates?: number;
  rejected?: number;
  conflicts?: number;
  detail?: string;
  errors?: unknown[];
}

/** Back-off between attempts when the service gives no Retry-After: 0.5 s doubling to 30 s. */
const SEND_BACKOFF = { initialDelayMs: 500, maxDelayMs: 30_000 };

/**
 * Sends records to the department ingest services as their systems would: JSON records of one
 * department together as one batch, CAP alerts one document at a time. 503 and 429 are retried
 * after Retry-After (or with back-off); a refused record (400) or a changed resend (409) is
 * logged, never retried.
 */
export function createSender(options: SenderOptions) {
  const stats = new Map<DepartmentCode, SenderStats>();
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const maxAttempts = options.maxAttempts ?? 8;

  function statsOf(department: DepartmentCode): SenderStats {
    let s = stats.get(department);
    if (!s) {
      s = { sent: 0, accepted: 0, duplicates: 0, refused: 0, failed: 0 };
      stats.set(department, s);
    }
    return s;
  }

  async function post(
    department: DepartmentCode,
    contentType: string,
    body: string,
    count: number,
  ): Promise<void> {
    const key = options.keys[department];
    const s = statsOf(department);
    if (!key) {
      s.failed += count;
      options.log('error', `no key for ${department}: run pnpm admin demo-credentials or set SIM_KEYS`);
      return;
    }
    const port = (departmentEntry(department).ingestPort ?? 0) + (options.portOffset ?? 0);
    const url = `http://${options.host}:${port}/v1/events`;
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      let status = 0;
      let reply: Reply = {};
      let retryAfter = 0;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': `${contentType}; charset=utf-8`, authorization: `Bearer ${key}` },
          body,
        });
        status = response.status;
        retryAfter = Number(response.headers.get('retry-after') ?? 0);
        reply = (await response.json().catch(() => ({}))) as Reply;
      } catch (error) {
        options.log('warn', `${department} ingest unreachable (${(error as Error).message}); retrying`, {
          attempt,
        });
      }
      // 400 and 409 answer each record (some may be accepted): counted, never sent again.
      if (status === 202 || status === 400 || status === 409) {
        s.sent += count;
        s.accepted += reply.accepted ?? 0;
        s.duplicates += reply.duplicates ?? 0;
        s.refused += (reply.rejected ?? 0) + (reply.conflicts ?? 0);
        if (status !== 202) {
          options.log('error', `${department} refused records: ${reply.detail ?? ''}`, {
            errors: reply.errors?.slice(0, 5),
          });
        }
        return;
      }
      // Any other client error is permanent: only 429 (and 5xx, or no answer) is worth a retry.
      if (status >= 400 && status < 500 && status !== 429) {
        s.failed += count;
        options.log('error', `${department} ingest answered ${status}: ${reply.detail ?? ''}`);
        return;
      }
      await sleep(retryAfter > 0 ? retryAfter * 1000 : backoffDelayMs(attempt, SEND_BACKOFF));
    }
    s.failed += count;
    options.log('error', `${department}: gave up after ${maxAttempts} attempts`, { records: count });
  }

  return {
    async send(records: OutgoingRecord[]): Promise<void> {
      const byDepartment = new Map<DepartmentCode, OutgoingRecord[]>();
      for (const record of records) {
        const list = byDepartment.get(record.department) ?? [];
        list.push(record);
        byDepartment.set(record.department, list);
      }
      await Promise.all(
        [...byDepartment].map(async ([department, list]) => {
          const json = list.filter((r) => r.contentType === 'application/json');
          for (let i = 0; i < json.length; i += 500) {
            const batch = json.slice(i, i + 500);
            await post(
              department,
              'application/json',
              JSON.stringify(batch.map((r) => r.body)),
              batch.length,
            );
          }
          for (const cap of list.filter((r) => r.contentType === 'application/cap+xml')) {
            await post(department, 'application/cap+xml', String(cap.body), 1);
          }
        }),
      );
    },
    stats: () => Object.fromEntries(stats),
  };
}

export type Sender = ReturnType<typeof createSender>;
