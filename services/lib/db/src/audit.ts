import { createHash } from 'node:crypto';
import { stringify } from 'safe-stable-stringify';
import type pg from 'pg';

export type AuditOutcome = 'ok' | 'refused' | 'failed';

export interface AuditEntryInput {
  actor: string;
  actorRole: string;
  action: string;
  target?: string;
  outcome: AuditOutcome;
  detail?: Record<string, unknown>;
  ip?: string;
  at?: Date;
}

export interface AuditEntry extends Required<Omit<AuditEntryInput, 'at'>> {
  seq: number;
  at: string;
  prevHash: string;
  hash: string;
}

const GENESIS: Buffer = Buffer.alloc(32);

function entryHash(prev: Buffer, entry: Omit<AuditEntry, 'prevHash' | 'hash'>): Buffer {
  const canonical = stringify({
    seq: entry.seq,
    at: entry.at,
    actor: entry.actor,
    actorRole: entry.actorRole,
    action: entry.action,
    target: entry.target,
    outcome: entry.outcome,
    detail: entry.detail,
    ip: entry.ip,
  });
  return createHash('sha256')
    .update(prev)
    .update(canonical ?? '')
    .digest();
}

/** Appends one entry to the hash chain (serialized by a transaction-scoped advisory lock). */
export async function appendAudit(pool: pg.Pool, input: AuditEntryInput): Promise<AuditEntry> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT pg_advisory_xact_lock(hashtext('liandong.audit_log'))");
    const last = await client.query<{ seq: string; hash: Buffer }>(
      'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
    );
    const prev = last.rows[0]?.hash ?? GENESIS;
    const base = {
      seq: Number(last.rows[0]?.seq ?? 0) + 1,
      at: (input.at ?? new Date()).toISOString(),
      actor: input.actor,
      actorRole: input.actorRole,
      action: input.action,
      target: input.target ?? '',
      outcome: input.outcome,
      detail: input.detail ?? {},
      ip: input.ip ?? '',
    };
    const hash = entryHash(prev, base);
    await client.query(
      `INSERT INTO audit_log (seq, at, actor, actor_role, action, target, outcome, detail, ip, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        base.seq,
        base.at,
        base.actor,
        base.actorRole,
        base.action,
        base.target,
        base.outcome,
        base.detail,
        base.ip,
        prev,
        hash,
      ],
    );
    await client.query('COMMIT');
    return { ...base, prevHash: prev.toString('hex'), hash: hash.toString('hex') };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** A head of the log published outside the database (see audit-head.ts): at least its seq and hash. */
export interface PublishedHead {
  seq: number;
  /** SHA-256 of entry `seq`, hex. */
  hash: string;
  publishedAt?: string;
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  /** The first entry whose hash or link does not match, when the chain is broken. */
  brokenAt?: { seq: number; reason: string };
  /** The published head the log was checked against, when one was given. */
  head?: PublishedHead;
}

/**
 * Recomputes the whole chain in order. The chain alone cannot tell a log whose newest entries
 * were cut off from a log that ends there; given the newest head published outside the
 * database, it can: the log must still hold that entry, with that hash.
 */
export async function verifyAudit(
  pool: pg.Pool,
  options: { batchSize?: number; head?: PublishedHead } = {},
): Promise<AuditVerification> {
  const batchSize = options.batchSize ?? 5000;
  const head = options.head;
  const withHead = head ? { head } : {};
  let prev: Buffer = GENESIS;
  let expectedSeq = 1;
  let entries = 0;
  for (;;) {
    const { rows } = await pool.query<{
      seq: string;
      at: Date;
      actor: string;
      actor_role: string;
      action: string;
      target: string;
      outcome: AuditOutcome;
      detail: Record<string, unknown>;
      ip: string;
      prev_hash: Buffer;
      hash: Buffer;
    }>('SELECT * FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2', [expectedSeq, batchSize]);
    if (rows.length === 0) {
      if (head && entries < head.seq) {
        const when = head.publishedAt ? ` at ${head.publishedAt}` : '';
        return {
          ok: false,
          entries,
          brokenAt: {
            seq: entries + 1,
            reason: `entries missing at the end: the head published${when} names entry ${head.seq}, the log ends at ${entries}`,
          },
          ...withHead,
        };
      }
      return { ok: true, entries, ...withHead };
    }
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq !== expectedSeq)
        return { ok: false, entries, brokenAt: { seq: expectedSeq, reason: 'entry missing' }, ...withHead };
      if (!row.prev_hash.equals(prev)) {
        return {
          ok: false,
          entries,
          brokenAt: { seq, reason: 'link to the previous entry does not match' },
          ...withHead,
        };
      }
      const hash = entryHash(prev, {
        seq,
        at: row.at.toISOString(),
        actor: row.actor,
        actorRole: row.actor_role,
        action: row.action,
        target: row.target,
        outcome: row.outcome,
        detail: row.detail,
        ip: row.ip,
      });
      if (!hash.equals(row.hash))
        return {
          ok: false,
          entries,
          brokenAt: { seq, reason: 'content does not match its hash' },
          ...withHead,
        };
      if (head && seq === head.seq && row.hash.toString('hex') !== head.hash) {
        // The chain holds together, but not with what was published: rewritten from here on.
        return {
          ok: false,
          entries,
          brokenAt: { seq, reason: 'does not match the head published for it: the log was rewritten' },
          ...withHead,
        };
      }
      prev = row.hash;
      expectedSeq += 1;
      entries += 1;
    }
  }
}
