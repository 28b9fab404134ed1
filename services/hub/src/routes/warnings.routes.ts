import { Type } from '@sinclair/typebox';
import {
  AcknowledgeRequest,
  EscalationPage,
  IDEMPOTENCY_HEADER,
  LEVELS,
  Problem,
  ResolveRequest,
  UNIT_CODES,
  WARNING_STATUSES,
  WarningDetail,
  WarningPage,
  WarningView,
  type UnitCode,
} from '@liandong/contracts';
import { AppError } from '@liandong/errors';
import { EVERYONE, maySeeWarning, type Principal } from '../domain/access.ts';
import { decodeCursor, encodeCursor } from '../domain/cursor.ts';
import { viewOf } from '../domain/view.ts';
import { requestHash } from '../adapters/idempotency.repository.ts';
import type { HubDeps, HubServer } from '../deps.ts';
import { plain } from '../http/schema.ts';
import { principalOf } from '../http/security.ts';
import { CsvList, Cursor, date, Limit, listOf, Since, Until } from './query.ts';

const problems = { 400: plain(Problem), 401: plain(Problem), 403: plain(Problem), 404: plain(Problem) };
const WarningId = Type.Object({ id: Type.String({ minLength: 1, maxLength: 300 }) });

/** Warnings: list and detail (a liaison sees what is routed to its unit), acknowledge, resolve. */
export function warningRoutes(app: HubServer, deps: HubDeps) {
  async function visible(principal: Principal, id: string) {
    const warning = await deps.warnings.get(id);
    if (!warning) throw new AppError('not_found', `no warning ${id}`);
    if (!maySeeWarning(principal, warning.departments))
      throw new AppError('forbidden', `warning ${id} is not routed to ${principal.unit ?? 'your unit'}`);
    return warning;
  }

  app.get(
    '/api/v1/warnings',
    {
      config: { access: EVERYONE },
      schema: {
        tags: ['warnings'],
        summary: 'Warnings, newest raised first, with their acknowledgement matrix',
        description: 'A liaison sees the warnings routed to its unit only.',
        querystring: Type.Object({
          level: Type.Optional(CsvList(`comma-separated: ${LEVELS.join(', ')}`)),
          status: Type.Optional(CsvList(`comma-separated: ${WARNING_STATUSES.join(', ')}`)),
          unit: Type.Optional(
            Type.Union(
              UNIT_CODES.map((u) => Type.Literal(u)),
              { description: 'routed to this unit' },
            ),
          ),
          rule: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          from: Type.Optional(Since),
          to: Type.Optional(Until),
          exercise: Type.Optional(Type.Boolean({ description: 'true: drills only; false: real only' })),
          cursor: Type.Optional(Cursor),
          limit: Limit,
        }),
        response: { 200: plain(WarningPage), ...problems },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const q = request.query;
      if (principal.role === 'liaison' && q.unit && q.unit !== principal.unit)
        throw new AppError(
          'forbidden',
          `a liaison of ${principal.unit ?? '?'} sees its own unit's warnings only`,
        );
      const before = q.cursor ? decodeCursor(q.cursor, ['string', 'string']) : undefined;
      const unit = principal.role === 'liaison' ? (principal.unit ?? '-') : q.unit;
      const items = await deps.warnings.list({
        levels: listOf('level', q.level, LEVELS),
        statuses: listOf('status', q.status, WARNING_STATUSES),
        ...(unit ? { unit } : {}),
        ...(q.rule ? { ruleId: q.rule } : {}),
        from: date(q.from),
        to: date(q.to),
        ...(q.exercise !== undefined ? { exercise: q.exercise } : {}),
        ...(before ? { before: { raisedAt: before[0] as string, id: before[1] as string } } : {}),
        limit: q.limit,
      });
      const last = items.at(-1);
      return {
        items,
        nextCursor: items.length === q.limit && last ? encodeCursor([last.raisedAt, last.id]) : null,
      };
    },
  );

  app.get(
    '/api/v1/warnings/:id',
    {
      config: { access: EVERYONE },
      schema: {
        tags: ['warnings'],
        summary:
          'One warning: every revision, the evidence, thresholds met, the acknowledgement matrix, escalations, timeline',
        params: WarningId,
        response: { 200: plain(WarningDetail), ...problems },
      },
    },
    async (request) => {
      const warning = await visible(principalOf(request), request.params.id);
      const [revisions, evidenceEvents, escalations, activity] = await Promise.all([
        deps.warnings.revisions(warning.id),
        deps.events.byIds(warning.evidence),
        deps.warnings.escalations({ warningId: warning.id, limit: 500 }),
        deps.warnings.activity(warning.id),
      ]);
      return {
        warning,
        revisions,
        evidenceEvents,
        escalations: escalations.map(({ cursor: _cursor, ...e }) => e),
        activity,
      };
    },
  );

  app.post(
    '/api/v1/warnings/:id/acknowledge',
    {
      config: { access: { roles: ['liaison', 'operator'] } },
      schema: {
        tags: ['warnings'],
        summary:
          'Acknowledge a warning for a routed unit (a liaison for its own unit; an operator on a unit’s behalf)',
        description:
          'Requires an Idempotency-Key header: a retry with the same key gets the first reply. 409 when the unit acknowledged already or the warning is closed.',
        params: WarningId,
        headers: Type.Object({
          [IDEMPOTENCY_HEADER]: Type.String({
            minLength: 8,
            maxLength: 200,
            description: 'e.g. a UUID per click',
          }),
        }),
        body: plain(AcknowledgeRequest),
        response: { 200: plain(WarningView), ...problems, 409: plain(Problem) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const key = request.headers[IDEMPOTENCY_HEADER];
      const route = `acknowledge ${request.params.id}`;
      const hash = requestHash(route, request.body);
      const replay = await deps.idempotency.find(principal.userId, key, route, hash);
      if (replay) return reply.status(replay.status).send(replay.body as never);
      const warning = await visible(principal, request.params.id);
      let unit: UnitCode;
      if (principal.role === 'liaison') {
        if (request.body.department && request.body.department !== principal.unit)
          throw new AppError(
            'forbidden',
            `a liaison of ${principal.unit ?? '?'} acknowledges for its own unit only`,
          );
        unit = principal.unit as UnitCode;
      } else {
        const pending = warning.acknowledgements
          .filter((a) => a.state === 'pending')
          .map((a) => a.department);
        const named = request.body.department ?? (pending.length === 1 ? pending[0] : undefined);
        if (!named)
          throw new AppError('validation_failed', 'name the unit you acknowledge for', {
            errors: [
              {
                pointer: '/department',
                code: 'required',
                message: `one of ${warning.departments.join(', ')}`,
              },
            ],
          });
        unit = named;
      }
      try {
        const outcome = await deps.lifecycle.execute(
          warning.id,
          {
            type: 'acknowledge',
            unit,
            by: { username: principal.username, role: principal.role },
            ...(request.body.note ? { note: request.body.note } : {}),
          },
          {
            actor: { username: principal.username, role: principal.role },
            ip: request.ip,
            alsoInTransaction: async (client, state) => {
              if (state)
                await deps.idempotency.save(client, {
                  userId: principal.userId,
                  key,
                  route,
                  hash,
                  reply: { status: 200, body: viewOf(state) },
                });
            },
          },
        );
        if (!outcome.state) throw new AppError('not_found', `no warning ${warning.id}`);
        return viewOf(outcome.state);
      } catch (error) {
        // The same request racing itself: the first one's reply is the answer.
        const raced = await deps.idempotency.find(principal.userId, key, route, hash);
        if (raced) return reply.status(raced.status).send(raced.body as never);
        throw error;
      }
    },
  );

  app.post(
    '/api/v1/warnings/:id/resolve',
    {
      config: { access: { roles: ['operator'] } },
      schema: {
        tags: ['warnings'],
        summary:
          'Resolve a warning with a disposition (confirmed, no_impact, duplicate, false_alarm): closes its open deadlines',
        params: WarningId,
        body: plain(ResolveRequest),
        response: { 200: plain(WarningView), ...problems, 409: plain(Problem) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const by = { username: principal.username, role: principal.role };
      const outcome = await deps.lifecycle.execute(
        request.params.id,
        {
          type: 'resolve',
          disposition: request.body.disposition,
          by,
          ...(request.body.note ? { note: request.body.note } : {}),
        },
        { actor: by, ip: request.ip },
      );
      if (!outcome.state) throw new AppError('not_found', `no warning ${request.params.id}`);
      return viewOf(outcome.state);
    },
  );

  app.get(
    '/api/v1/escalations',
    {
      config: { access: EVERYONE },
      schema: {
        tags: ['warnings'],
        summary: 'Missed deadlines that escalated, newest first (a liaison sees its own unit’s)',
        querystring: Type.Object({
          unit: Type.Optional(Type.Union(UNIT_CODES.map((u) => Type.Literal(u)))),
          warning: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
          from: Type.Optional(Since),
          to: Type.Optional(Until),
          cursor: Type.Optional(Cursor),
          limit: Limit,
        }),
        response: { 200: plain(EscalationPage), ...problems },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const q = request.query;
      if (principal.role === 'liaison' && q.unit && q.unit !== principal.unit)
        throw new AppError(
          'forbidden',
          `a liaison of ${principal.unit ?? '?'} sees its own unit's escalations only`,
        );
      const unit = principal.role === 'liaison' ? (principal.unit ?? '-') : q.unit;
      const before = q.cursor ? decodeCursor(q.cursor, ['string', 'string', 'string', 'number']) : undefined;
      const rows = await deps.warnings.escalations({
        ...(unit ? { unit } : {}),
        ...(q.warning ? { warningId: q.warning } : {}),
        from: date(q.from),
        to: date(q.to),
        ...(before
          ? {
              before: {
                escalatedAt: before[0] as string,
                warningId: before[1] as string,
                unit: before[2] as string,
                step: before[3] as number,
              },
            }
          : {}),
        limit: q.limit,
      });
      const last = rows.at(-1);
      return {
        items: rows.map(({ cursor: _cursor, ...e }) => e),
        nextCursor: rows.length === q.limit && last ? encodeCursor(last.cursor) : null,
      };
    },
  );
}
