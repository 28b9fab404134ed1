/** What the other packages take from @liandong/db — and only that; the rest is the package's own. */
export {
  appendAudit,
  appendAuditEntriesWith,
  appendAuditWith,
  inTransaction,
  listAudit,
  pruneAudit,
  verifyAudit,
  type AuditEntry,
  type AuditEntryInput,
} from './audit.ts';
export { auditLogId, startAuditHeadPublisher, type AuditHeadPublisher } from './audit-head.ts';
export { createPool, pingDatabase, toDatabaseError, type Pool, type PoolClient } from './pool.ts';
export { migrate } from './migrate.ts';
