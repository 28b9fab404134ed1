import type { AuditEntryInput } from '@liandong/db';
import { toDatabaseError } from '@liandong/db';
import { isAppError } from '@liandong/errors';

export interface RefusalAuditorOptions {
  audit(entry: AuditEntryInput): Promise<unknown>;
  /** Refusals alike (same address, actor and reason) within this window become one entry (default 60 s). */
  windowMs?: number;
  /** Most distinct refusals kept open at once; further ones are counted under one overflow entry. */
  maxOpen?: number;
}

interface Open {
  entry: AuditEntryInput;
  repeated: number;
}

/**
 * Audits refused authentications without letting a flood of them write one audit entry each
 * (each append takes the audit log's lock): the first refusal of a kind — address, actor,
 * reason — is written at once, its repeats within the window are counted and written as one
 * entry (`detail.repeated`) when the window closes.
 */
export function createRefusalAuditor(options: RefusalAuditorOptions) {
  const windowMs = options.windowMs ?? 60_000;
  const maxOpen = options.maxOpen ?? 10_000;
  let open = new Map<string, Open>();

  async function write(entry: AuditEntryInput): Promise<void> {
    try {
      await options.audit(entry);
    } catch (error) {
      // The database down is a 503 (retriable), not a 500.
      throw isAppError(error) ? error : toDatabaseError(error);
    }
  }

  async function flush(): Promise<void> {
    const closing = open;
    open = new Map();
    const repeats = [...closing.values()].filter((o) => o.repeated > 0);
    for (const { entry, repeated } of repeats) {
      await write({
        ...entry,
        detail: { ...entry.detail, repeated, windowSeconds: Math.round(windowMs / 1000) },
      }).catch(() => undefined);
    }
  }

  const timer = setInterval(() => void flush(), windowMs);
  timer.unref();

  return {
    async record(entry: AuditEntryInput): Promise<void> {
      const reason = (entry.detail as { reason?: unknown } | undefined)?.reason;
      let kind = `${entry.ip ?? ''}\u0000${entry.actor}\u0000${String(reason)}`;
      if (!open.has(kind) && open.size >= maxOpen) kind = 'overflow';
      const seen = open.get(kind);
      if (seen) {
        seen.repeated += 1;
        return;
      }
      open.set(kind, {
        entry: kind === 'overflow' ? { ...entry, detail: { ...entry.detail, overflow: true } } : entry,
        repeated: 0,
      });
      try {
        await write(entry);
      } catch (error) {
        open.delete(kind); // not written: the next refusal of this kind tries again
        throw error;
      }
    },
    /** Writes the counts of the open window (at shutdown). */
    async close(): Promise<void> {
      clearInterval(timer);
      await flush();
    },
  };
}

export type RefusalAuditor = ReturnType<typeof createRefusalAuditor>;
