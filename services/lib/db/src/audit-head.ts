import type { AuditHead } from '@liandong/contracts';
import type pg from 'pg';

/** Which audit log a head belongs to: `<database>/<schema>`. */
export async function auditLogId(pool: pg.Pool): Promise<string> {
  const { rows } = await pool.query<{ database: string; schema: string }>(
    'SELECT current_database() AS database, current_schema() AS schema',
  );
  return `${rows[0]?.database ?? ''}/${rows[0]?.schema ?? ''}`;
}

/** The last entry of the log: its sequence number, hash (hex) and time; undefined while it is empty. */
export async function readAuditHead(
  pool: pg.Pool,
): Promise<Pick<AuditHead, 'seq' | 'hash' | 'at'> | undefined> {
  const { rows } = await pool.query<{ seq: string; hash: Buffer; at: Date }>(
    'SELECT seq, hash, at FROM audit_log ORDER BY seq DESC LIMIT 1',
  );
  const row = rows[0];
  return row ? { seq: Number(row.seq), hash: row.hash.toString('hex'), at: row.at.toISOString() } : undefined;
}

interface HeadLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface AuditHeadPublisherDeps {
  pool: pg.Pool;
  /** Name of this process, recorded on each head. */
  publisher: string;
  intervalMs: number;
  logger: HeadLog;
  /** Publishes a head where the database owner cannot rewrite it (Kafka, audit-head.v1). */
  publish(head: AuditHead): Promise<void>;
  /** The newest head published for this log so far (read once, before the first publish). */
  readPublished(log: string): Promise<AuditHead | undefined>;
  now?: () => Date;
}

/**
 * Publishes the audit log's head every `intervalMs` when it moved. A head behind the one
 * published before (fewer entries, or the same entry with another hash) is not published: it
 * means the tail was cut off or rewritten, and is logged as an error; verification against the
 * published head reports where.
 */
export function startAuditHeadPublisher(deps: AuditHeadPublisherDeps) {
  const now = deps.now ?? (() => new Date());
  let log: string | undefined;
  let last: Pick<AuditHead, 'seq' | 'hash'> | undefined;
  let baseline = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  async function tick(): Promise<AuditHead | undefined> {
    log ??= await auditLogId(deps.pool);
    const head = await readAuditHead(deps.pool);
    if (!head) return undefined;
    if (!baseline) {
      last = await deps.readPublished(log);
      baseline = true;
    }
    if (last && (head.seq < last.seq || (head.seq === last.seq && head.hash !== last.hash))) {
      deps.logger.error(
        { log, published: last, found: { seq: head.seq, hash: head.hash } },
        'the audit log is behind the head published before: its tail was cut off or rewritten',
      );
      return undefined;
    }
    if (last && head.seq === last.seq) return undefined;
    const published: AuditHead = {
      log,
      ...head,
      publishedAt: now().toISOString(),
      publisher: deps.publisher,
    };
    await deps.publish(published);
    last = head;
    return published;
  }

  /** Runs one publication now (after the one under way); resolves with what it published. */
  function publishNow(): Promise<AuditHead | undefined> {
    const result = running.then(tick);
    running = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      publishNow()
        .catch((error: unknown) =>
          deps.logger.warn({ err: error }, 'could not publish the audit head; trying again later'),
        )
        .finally(schedule);
    }, deps.intervalMs);
    timer.unref();
  }
  schedule();

  return {
    publishNow,
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

export type AuditHeadPublisher = ReturnType<typeof startAuditHeadPublisher>;
