import { Type, type Static } from '@sinclair/typebox';
import { Timestamp } from './common.ts';

/**
 * The head of an audit log as seen at one moment: its last entry's sequence number and hash.
 * The audit log lives in PostgreSQL, chained by hash, so an edit or a deletion in the middle
 * breaks the chain; a cut-off tail does not. Heads published on Kafka, out of the database
 * owner's reach, close that gap: the chain must still hold every published head.
 */
export const AuditHead = Type.Object(
  {
    log: Type.String({
      minLength: 1,
      description: 'Which audit log: `<database>/<schema>` of the PostgreSQL it lives in',
    }),
    seq: Type.Integer({ minimum: 1, description: 'Sequence number of the last entry' }),
    hash: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the last entry, hex' }),
    at: { ...Timestamp, description: 'Time of the last entry' },
    publishedAt: Timestamp,
    publisher: Type.String({ minLength: 1, description: 'The process that published it' }),
  },
  { $id: 'AuditHead', additionalProperties: false },
);
export type AuditHead = Static<typeof AuditHead>;
