import { Type } from '@sinclair/typebox';
import { AuditPage, AuditVerification, Problem } from '@liandong/contracts';
import { listAudit, verifyAudit } from '@liandong/db';
import type { HubDeps, HubServer } from '../deps.ts';
import { decodeCursor, encodeCursor } from '../domain/cursor.ts';
import { plain } from '../http/schema.ts';
import { principalOf } from '../http/security.ts';
import { Cursor, date, Limit, Since, Until } from './query.ts';

const problems = { 400: plain(Problem), 401: plain(Problem), 403: plain(Problem) };
const READERS = { roles: ['analyst', 'admin'] as const };

/** The audit log (analysts, admins): read newest first, and verify the hash chain. Reading it is audited. */
export function auditRoutes(app: HubServer, deps: HubDeps) {
  app.get(
    '/api/v1/audit',
    {
      config: { access: READERS },
      schema: {
        tags: ['audit'],
        summary: 'Audit entries, newest first',
        querystring: Type.Object({
          action: Type.Optional(
            Type.String({ maxLength: 100, description: 'prefix, e.g. warning. or auth.login' }),
          ),
          actor: Type.Optional(Type.String({ maxLength: 100 })),
          from: Type.Optional(Since),
          to: Type.Optional(Until),
          cursor: Type.Optional(Cursor),
          limit: Limit,
        }),
        response: { 200: plain(AuditPage), ...problems },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const q = request.query;
      const before = q.cursor ? (decodeCursor(q.cursor, ['number'])[0] as number) : undefined;
      const items = await listAudit(deps.pool, {
        limit: q.limit,
        ...(before ? { beforeSeq: before } : {}),
        ...(q.action ? { action: q.action } : {}),
        ...(q.actor ? { actor: q.actor } : {}),
        ...(q.from ? { from: date(q.from) } : {}),
        ...(q.to ? { to: date(q.to) } : {}),
      });
      await deps.audit({
        actor: principal.username,
        actorRole: principal.role,
        action: 'audit.read',
        target: 'audit_log',
        outcome: 'ok',
        detail: {
          filter: { action: q.action, actor: q.actor, from: q.from, to: q.to },
          entries: items.length,
        },
        ip: request.ip,
      });
      const last = items.at(-1);
      return { items, nextCursor: items.length === q.limit && last ? encodeCursor([last.seq]) : null };
    },
  );

  app.get(
    '/api/v1/audit/verify',
    {
      config: { access: READERS },
      schema: {
        tags: ['audit'],
        summary: 'Recompute the hash chain: intact, or the first entry that breaks it',
        response: { 200: plain(AuditVerification), ...problems },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const result = await verifyAudit(deps.pool);
      await deps.audit({
        actor: principal.username,
        actorRole: principal.role,
        action: 'audit.verified',
        target: 'audit_log',
        outcome: 'ok',
        detail: { intact: result.ok, entries: result.entries, brokenAt: result.brokenAt?.seq ?? null },
        ip: request.ip,
      });
      return {
        ok: result.ok,
        entries: result.entries,
        firstSeq: result.firstSeq,
        anchor: result.anchor ?? null,
        brokenAt: result.brokenAt ?? null,
        checkedAt: deps.now().toISOString(),
      };
    },
  );
}
