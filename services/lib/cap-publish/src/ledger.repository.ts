/**
 * The identifier ledger (PostgreSQL, table cap_identifiers): each message of each warning gets
 * its GB/T 35965.1 identifier once, and an identifier is never issued twice — the table is
 * append-only and the identifier its primary key. The sequence within a second is taken under a
 * transaction-scoped advisory lock on (issuer, second), seconds locked in ascending order, so
 * hubs issuing at once neither collide nor deadlock.
 */
import type { Pool } from '@liandong/db';
import { beijingStamp, capIdentifier } from './identifier.ts';
import type { PlannedMessage } from './plan.ts';
import type { IssuedRef } from './cap.ts';

export interface CapLedger {
  /** The identifiers of these messages (all of one warning), issuing those not issued yet. */
  issue(issuerCode: string, messages: readonly PlannedMessage[]): Promise<Map<string, IssuedRef>>;
}

interface Row {
  part: string;
  identifier: string;
  sent: Date;
}

export function createCapLedger(pool: Pool): CapLedger {
  return {
    async issue(issuerCode, messages) {
      const issued = new Map<string, IssuedRef>();
      const first = messages[0];
      if (!first) return issued;
      const read = async (q: Pick<Pool, 'query'>) => {
        const { rows } = await q.query<Row>(
          'SELECT part, identifier, sent FROM cap_identifiers WHERE issuer_code = $1 AND warning_id = $2',
          [issuerCode, first.warningId],
        );
        for (const r of rows) issued.set(r.part, { identifier: r.identifier, sent: r.sent });
      };
      await read(pool);
      const missing = messages.filter((m) => !issued.has(m.part));
      if (missing.length === 0) return issued;
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
          `cap:${issuerCode}:${first.warningId}`,
        ]);
        await read(client);
        const todo = messages
          .filter((m) => !issued.has(m.part))
          .sort((a, b) => a.sent.getTime() - b.sent.getTime());
        for (const message of todo) {
          const sent = new Date(Math.floor(message.sent.getTime() / 1000) * 1000);
          const second = beijingStamp(sent);
          await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`cap:${issuerCode}:${second}`]);
          const { rows } = await client.query<{ seq: number }>(
            'SELECT COALESCE(max(seq), 0)::int AS seq FROM cap_identifiers WHERE issuer_code = $1 AND sent = $2',
            [issuerCode, sent],
          );
          const identifier = capIdentifier(issuerCode, sent, (rows[0]?.seq ?? 0) + 1);
          await client.query(
            `INSERT INTO cap_identifiers (identifier, issuer_code, sent, seq, warning_id, part, revision, msg_type)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
            [
              identifier,
              issuerCode,
              sent,
              (rows[0]?.seq ?? 0) + 1,
              message.warningId,
              message.part,
              message.revision,
              message.msgType,
            ],
          );
          issued.set(message.part, { identifier, sent });
        }
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
      return issued;
    },
  };
}
