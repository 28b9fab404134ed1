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

/**
 * Appends one entry inside the caller's transaction (the state change and its audit entry commit
 * together or not at all). Entries are serialized by a transaction-scoped advisory lock, held to
 * the caller's commit: take it last in a transaction.
 */
export async function appendAuditWith(client: pg.PoolClient, input: AuditEntryInput): Promise<AuditEntry> {
  return (await appendAuditEntriesWith(client, [input]))[0] as AuditEntry;
}

/**
 * Appends entries, in their order, inside the caller's transaction: one wait for the lock, one
 * read of the chain's head and one insert for all of them (a batch of commands audits at its end).
 */
export async function appendAuditEntriesWith(
  client: pg.PoolClient,
  inputs: readonly AuditEntryInput[],
): Promise<AuditEntry[]> {
  if (inputs.length === 0) return [];
  await client.query("SELECT pg_advisory_xact_lock(hashtext('liandong.audit_log'))");
  const last = await client.query<{ seq: string; hash: Buffer }>(
    'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
  );
  const anchor =
    last.rows[0] === undefined
      ? (
          await client.query<{ first_kept_seq: string; prev_hash: Buffer }>(
            'SELECT first_kept_seq, prev_hash FROM audit_anchors ORDER BY first_kept_seq DESC LIMIT 1',
          )
        ).rows[0]
      : undefined;
  let prev = last.rows[0]?.hash ?? anchor?.prev_hash ?? GENESIS;
  let seq = last.rows[0] ? Number(last.rows[0].seq) + 1 : anchor ? Number(anchor.first_kept_seq) : 1;
  const entries: (AuditEntry & { prevBytes: Buffer; hashBytes: Buffer })[] = [];
  for (const input of inputs) {
    const base = {
      seq,
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
    entries.push({
      ...base,
      prevHash: prev.toString('hex'),
      hash: hash.toString('hex'),
      prevBytes: prev,
      hashBytes: hash,
    });
    prev = hash;
    seq += 1;
  }
  const column = <T>(pick: (e: (typeof entries)[number]) => T) => entries.map(pick);
  await client.query(
    `INSERT INTO audit_log (seq, at, actor, actor_role, action, target, outcome, detail, ip, prev_hash, hash)
     SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[],
                          $7::text[], $8::jsonb[], $9::text[], $10::bytea[], $11::bytea[])`,
    [
      column((e) => e.seq),
      column((e) => e.at),
      column((e) => e.actor),
      column((e) => e.actorRole),
      column((e) => e.action),
      column((e) => e.target),
      column((e) => e.outcome),
      column((e) => JSON.stringify(e.detail)),
      column((e) => e.ip),
      column((e) => e.prevBytes),
      column((e) => e.hashBytes),
    ],
  );
  return entries.map(({ prevBytes: _p, hashBytes: _h, ...entry }) => entry);
}

/** Runs `work` in a transaction on a client of the pool. */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Appends one entry to the hash chain in a transaction of its own. */
export async function appendAudit(pool: pg.Pool, input: AuditEntryInput): Promise<AuditEntry> {
  return inTransaction(pool, (client) => appendAuditWith(client, input));
}

interface AuditRow {
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
}

function entryOf(row: AuditRow): AuditEntry {
  return {
    seq: Number(row.seq),
    at: row.at.toISOString(),
    actor: row.actor,
    actorRole: row.actor_role,
    action: row.action,
    target: row.target,
    outcome: row.outcome,
    detail: row.detail,
    ip: row.ip,
    prevHash: row.prev_hash.toString('hex'),
    hash: row.hash.toString('hex'),
  };
}

/** Entries newest first, before `beforeSeq` when given; filters by action prefix, actor and time. */
export async function listAudit(
  pool: pg.Pool,
  query: { beforeSeq?: number; limit: number; action?: string; actor?: string; from?: Date; to?: Date },
): Promise<AuditEntry[]> {
  const { rows } = await pool.query<AuditRow>(
    `SELECT * FROM audit_log
     WHERE ($1::bigint IS NULL OR seq < $1)
       AND ($2::text IS NULL OR action LIKE $2 || '%')
       AND ($3::text IS NULL OR actor = $3)
       AND ($4::timestamptz IS NULL OR at >= $4)
       AND ($5::timestamptz IS NULL OR at < $5)
     ORDER BY seq DESC LIMIT $6`,
    [
      query.beforeSeq ?? null,
      query.action ?? null,
      query.actor ?? null,
      query.from ?? null,
      query.to ?? null,
      query.limit,
    ],
  );
  return rows.map(entryOf);
}

/** A head of the log published outside the database (see audit-head.ts): at least its seq and hash. */
export interface PublishedHead {
  seq: number;
  /** SHA-256 of entry `seq`, hex. */
  hash: string;
  publishedAt?: string;
}

export interface AuditAnchor {
  firstKeptSeq: number;
  prevHash: string;
  archivedEntries: number;
  at: string;
}

export interface AuditVerification {
  ok: boolean;
  /** Entries verified (all of them when intact, those before the break otherwise). */
  entries: number;
  /** Where verification started: 1, or the first entry kept by retention. */
  firstSeq: number;
  /** The retention anchor the kept chain starts from, when older entries were archived. */
  anchor?: AuditAnchor;
  /** The first entry whose hash or link does not match, when the chain is broken. */
  brokenAt?: { seq: number; reason: string };
  /** The published head the log was checked against, when one was given. */
  head?: PublishedHead;
}

/**
 * Recomputes the whole chain in order. After retention the chain starts at the anchor: the
 * first kept entry must link to the anchor's hash, and a later `audit.retention` entry (itself
 * in the verified chain) must record that same anchor, so an anchor cannot be slipped in.
 * The chain alone cannot tell a log whose newest entries were cut off from a log that ends
 * there; given the newest head published outside the database, it can: the log must still hold
 * that entry, with that hash.
 */
export async function verifyAudit(
  pool: pg.Pool,
  options: { batchSize?: number; head?: PublishedHead } = {},
): Promise<AuditVerification> {
  const batchSize = options.batchSize ?? 5000;
  const head = options.head;
  const first = await pool.query<{ seq: string | null }>('SELECT min(seq) AS seq FROM audit_log');
  const firstSeq = Number(first.rows[0]?.seq ?? 1);
  let prev: Buffer = GENESIS;
  let anchor: AuditAnchor | undefined;
  let anchorConfirmed = true;
  if (firstSeq > 1) {
    const { rows } = await pool.query<{
      first_kept_seq: string;
      prev_hash: Buffer;
      archived_entries: string;
      at: Date;
    }>('SELECT * FROM audit_anchors WHERE first_kept_seq = $1', [firstSeq]);
    const row = rows[0];
    if (!row) {
      return {
        ok: false,
        entries: 0,
        firstSeq,
        brokenAt: {
          seq: firstSeq,
          reason: 'the entries before it are missing and no retention anchor records their removal',
        },
      };
    }
    anchor = {
      firstKeptSeq: Number(row.first_kept_seq),
      prevHash: row.prev_hash.toString('hex'),
      archivedEntries: Number(row.archived_entries),
      at: row.at.toISOString(),
    };
    prev = row.prev_hash;
    anchorConfirmed = false;
  }
  const result = (v: Omit<AuditVerification, 'firstSeq' | 'anchor'>): AuditVerification => ({
    ...v,
    firstSeq,
    ...(anchor ? { anchor } : {}),
    ...(head ? { head } : {}),
  });
  let expectedSeq = firstSeq;
  let entries = 0;
  for (;;) {
    const { rows } = await pool.query<AuditRow>(
      'SELECT * FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2',
      [expectedSeq, batchSize],
    );
    if (rows.length === 0) break;
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq !== expectedSeq)
        return result({ ok: false, entries, brokenAt: { seq: expectedSeq, reason: 'entry missing' } });
      if (!row.prev_hash.equals(prev)) {
        return result({
          ok: false,
          entries,
          brokenAt: { seq, reason: 'link to the previous entry does not match' },
        });
      }
      const entry = entryOf(row);
      const hash = entryHash(prev, entry);
      if (!hash.equals(row.hash))
        return result({ ok: false, entries, brokenAt: { seq, reason: 'content does not match its hash' } });
      if (head && seq === head.seq && row.hash.toString('hex') !== head.hash)
        // The chain holds together, but not with what was published: rewritten from here on.
        return result({
          ok: false,
          entries,
          brokenAt: { seq, reason: 'does not match the head published for it: the log was rewritten' },
        });
      if (
        anchor &&
        entry.action === 'audit.retention' &&
        entry.detail['firstKeptSeq'] === anchor.firstKeptSeq &&
        entry.detail['prevHash'] === anchor.prevHash
      )
        anchorConfirmed = true;
      prev = row.hash;
      expectedSeq += 1;
      entries += 1;
    }
  }
  const lastSeq = expectedSeq - 1;
  if (head && lastSeq < head.seq) {
    const when = head.publishedAt ? ` at ${head.publishedAt}` : '';
    return result({
      ok: false,
      entries,
      brokenAt: {
        seq: lastSeq + 1,
        reason: `entries missing at the end: the head published${when} names entry ${head.seq}, the log ends at ${lastSeq}`,
      },
    });
  }
  if (!anchorConfirmed && anchor)
    return result({
      ok: false,
      entries,
      brokenAt: {
        seq: anchor.firstKeptSeq,
        reason: 'no audit.retention entry confirms the retention anchor',
      },
    });
  return result({ ok: true, entries });
}

export interface PruneOptions {
  /** Entries older than this are archived and removed; it must be at least 180 days ago. */
  before: Date;
  /** Writes the entries somewhere safe before they are deleted; returns where and the SHA-256 of what it wrote. */
  archive(entries: AuditEntry[]): Promise<{ location: string; sha256: string }>;
  actor: string;
  now?: Date;
  /** At most this many entries per run (default 50,000). */
  maxEntries?: number;
}

export const MIN_AUDIT_RETENTION_DAYS = 180;

/**
 * Audit retention: archive-and-anchor. Entries older than `before` (at least 180 days) are
 * handed to `archive`, then deleted; in the same transaction an `audit.retention` entry and an
 * anchor record the first kept entry and the hash it links to, so the kept chain still verifies
 * from the anchor. A chain that does not verify is never pruned (tampering is not archived away).
 */
export async function pruneAudit(
  pool: pg.Pool,
  options: PruneOptions,
): Promise<{ archived: number; firstKeptSeq?: number; location?: string }> {
  const now = options.now ?? new Date();
  const floor = new Date(now.getTime() - MIN_AUDIT_RETENTION_DAYS * 24 * 3600 * 1000);
  if (options.before > floor)
    throw new Error(
      `audit entries are kept at least ${MIN_AUDIT_RETENTION_DAYS} days: refusing to prune after ${floor.toISOString()}`,
    );
  const verification = await verifyAudit(pool);
  if (!verification.ok)
    throw new Error(`the audit chain does not verify (entry ${verification.brokenAt?.seq}): not pruning`);
  const { rows } = await pool.query<AuditRow>('SELECT * FROM audit_log WHERE at < $1 ORDER BY seq LIMIT $2', [
    options.before,
    options.maxEntries ?? 50_000,
  ]);
  // Only a leading run of old entries goes (seq order and time order agree but for clock skew).
  const old: AuditRow[] = [];
  for (const row of rows) {
    if (Number(row.seq) !== verification.firstSeq + old.length) break;
    old.push(row);
  }
  const last = old.at(-1);
  if (!last) return { archived: 0 };
  const firstKeptSeq = Number(last.seq) + 1;
  const { location, sha256 } = await options.archive(old.map(entryOf));
  await inTransaction(pool, async (client) => {
    await appendAuditWith(client, {
      actor: options.actor,
      actorRole: 'system',
      action: 'audit.retention',
      target: 'audit_log',
      outcome: 'ok',
      detail: {
        firstKeptSeq,
        prevHash: last.hash.toString('hex'),
        archivedEntries: old.length,
        archivedFrom: Number(old[0]?.seq),
        archiveSha256: sha256,
        archiveLocation: location,
        before: options.before.toISOString(),
      },
      at: now,
    });
    await client.query(
      `INSERT INTO audit_anchors (first_kept_seq, prev_hash, archived_entries, archive_sha256, archive_location, at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [firstKeptSeq, last.hash, old.length, sha256, location, now],
    );
    // The services' role cannot delete from audit_log; this owner-rights function deletes only
    // below the anchor just recorded, and never an entry younger than the retention floor.
    await client.query('SELECT audit_prune_before($1)', [firstKeptSeq]);
  });
  return { archived: old.length, firstKeptSeq, location };
}
