/**
 * Housekeeping once a day (one hub at a time, by an advisory lock): audit entries past the
 * retention period are archived to a gzipped NDJSON file and anchored (the chain still verifies);
 * old live pushes and idempotency records are dropped.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pruneAudit, type AuditEntry, type Pool } from '@liandong/db';
import type { Logger } from '@liandong/logger';
import type { IdempotencyRepository } from '../adapters/idempotency.repository.ts';
import type { PushRepository } from '../adapters/push.repository.ts';

const DAY = 24 * 3600 * 1000;

/** Writes archived audit entries to `<dir>/audit-<first>-<last>.ndjson.gz`; returns its path and SHA-256. */
export function fileArchive(dir: string) {
  return async (entries: AuditEntry[]): Promise<{ location: string; sha256: string }> => {
    mkdirSync(dir, { recursive: true });
    const body = gzipSync(entries.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const location = join(dir, `audit-${entries[0]?.seq ?? 0}-${entries.at(-1)?.seq ?? 0}.ndjson.gz`);
    writeFileSync(location, body, { flag: 'wx', mode: 0o400 });
    return { location, sha256: createHash('sha256').update(body).digest('hex') };
  };
}

export function createRetentionJob(deps: {
  pool: Pool;
  pushes: PushRepository;
  idempotency: IdempotencyRepository;
  now: () => Date;
  logger: Logger;
  auditRetentionDays: number;
  pushRetentionDays: number;
  archiveDir: string;
  intervalMs?: number;
}) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  async function runOnce(): Promise<void> {
    const client = await deps.pool.connect();
    try {
      const { rows } = await client.query<{ ok: boolean }>(
        "SELECT pg_try_advisory_lock(hashtext('liandong.retention')) AS ok",
      );
      if (!rows[0]?.ok) return;
      try {
        const now = deps.now();
        const audit = await pruneAudit(deps.pool, {
          before: new Date(now.getTime() - deps.auditRetentionDays * DAY),
          archive: fileArchive(deps.archiveDir),
          actor: 'hub-retention',
          now,
        });
        const pushes = await deps.pushes.prune(new Date(now.getTime() - deps.pushRetentionDays * DAY));
        await deps.idempotency.prune(new Date(now.getTime() - 7 * DAY));
        if (audit.archived || pushes)
          deps.logger.info({ archived: audit.archived, location: audit.location, pushes }, 'retention done');
      } finally {
        await client.query("SELECT pg_advisory_unlock(hashtext('liandong.retention'))");
      }
    } finally {
      client.release();
    }
  }

  const job = {
    runOnce,
    start(): void {
      const tick = () => {
        if (running) return;
        running = runOnce()
          .catch((error: unknown) => deps.logger.error({ err: error }, 'retention failed'))
          .finally(() => (running = undefined));
      };
      timer = setInterval(tick, deps.intervalMs ?? DAY);
      timer.unref();
      setTimeout(tick, 60_000).unref();
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      await running;
    },
  };
  return job;
}
