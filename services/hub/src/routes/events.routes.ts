import { Type } from '@sinclair/typebox';
import {
  DEPARTMENT_CODES,
  EVENT_STATUSES,
  EventPage,
  EventPointPage,
  EventView,
  FeedHealthList,
  isDepartmentCode,
  Problem,
} from '@liandong/contracts';
import { AppError } from '@liandong/errors';
import { EVERYONE, type Principal } from '../domain/access.ts';
import { decodeCursor, encodeCursor } from '../domain/cursor.ts';
import type { HubDeps, HubServer } from '../deps.ts';
import { plain } from '../http/schema.ts';
import { principalOf } from '../http/security.ts';
import { CsvList, Cursor, date, Limit, list, listOf, Since, Until } from './query.ts';

const problems = { 400: plain(Problem), 401: plain(Problem), 403: plain(Problem) };
const PointLimit = Type.Integer({ minimum: 1, maximum: 20_000, default: 10_000, description: 'page size' });

function bbox(value: string | undefined): [number, number, number, number] | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(',').map(Number);
  const [w, s, e, n] = parts;
  const valid =
    parts.length === 4 &&
    parts.every(Number.isFinite) &&
    w !== undefined &&
    s !== undefined &&
    e !== undefined &&
    n !== undefined &&
    w >= -180 &&
    e <= 180 &&
    s >= -90 &&
    n <= 90 &&
    w <= e &&
    s <= n;
  if (!valid)
    throw new AppError('validation_failed', 'bbox must be minLon,minLat,maxLon,maxLat in WGS-84', {
      errors: [{ pointer: '/bbox', code: 'invalid_field', message: 'e.g. 113.0,22.9,113.3,23.2' }],
    });
  return [w, s, e, n];
}

/** The departments a request may read events of: a liaison its own only (asking for others is refused). */
function visibleDepartments(principal: Principal, asked: string[] | undefined): string[] | undefined {
  if (principal.role !== 'liaison') return asked;
  if (asked?.some((d) => d !== principal.unit))
    throw new AppError(
      'forbidden',
      `a liaison of ${principal.unit ?? '?'} sees its own department's events only`,
    );
  // Units without a feed (emergency, petitions, governance) have no events of their own.
  return principal.unit && isDepartmentCode(principal.unit) ? [principal.unit] : ['-'];
}

/** Events for the map and the reports, and the health of each department's feed. */
export function eventRoutes(app: HubServer, deps: HubDeps) {
  app.get(
    '/api/v1/events',
    {
      config: { access: EVERYONE },
      schema: {
        tags: ['events'],
        summary: 'Normalized events, newest first (a liaison sees its own department’s)',
        querystring: Type.Object({
          bbox: Type.Optional(Type.String({ description: 'minLon,minLat,maxLon,maxLat (WGS-84)' })),
          from: Type.Optional(Since),
          to: Type.Optional(Until),
          department: Type.Optional(CsvList(`comma-separated: ${DEPARTMENT_CODES.join(', ')}`)),
          type: Type.Optional(CsvList('comma-separated vocabulary types, e.g. water.river_level')),
          status: Type.Optional(CsvList(`comma-separated: ${EVENT_STATUSES.join(', ')}`)),
          cursor: Type.Optional(Cursor),
          limit: Limit,
        }),
        response: { 200: plain(EventPage), ...problems },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const q = request.query;
      const departments = visibleDepartments(principal, listOf('department', q.department, DEPARTMENT_CODES));
      const before = q.cursor ? decodeCursor(q.cursor, ['string', 'string']) : undefined;
      const items = await deps.events.list({
        bbox: bbox(q.bbox),
        from: date(q.from),
        to: date(q.to),
        departments,
        types: list(q.type),
        statuses: listOf('status', q.status, EVENT_STATUSES),
        ...(before ? { before: { occurredAt: before[0] as string, id: before[1] as string } } : {}),
        limit: q.limit,
      });
      const last = items.at(-1);
      return {
        items,
        nextCursor: items.length === q.limit && last ? encodeCursor([last.occurredAt, last.id]) : null,
      };
    },
  );

  app.get(
    '/api/v1/events/points',
    {
      config: { access: EVERYONE },
      schema: {
        tags: ['events'],
        summary:
          'Located events as map points (id, department, type, status, severity, time, position), newest first',
        description:
          'For the console’s map: a day of events in one request. A liaison sees its own department’s.',
        querystring: Type.Object({
          from: Type.Optional(Since),
          to: Type.Optional(Until),
          department: Type.Optional(CsvList(`comma-separated: ${DEPARTMENT_CODES.join(', ')}`)),
          cursor: Type.Optional(Cursor),
          limit: PointLimit,
        }),
        response: { 200: plain(EventPointPage), ...problems },
      },
    },
    async (request) => {
      const q = request.query;
      const departments = visibleDepartments(
        principalOf(request),
        listOf('department', q.department, DEPARTMENT_CODES),
      );
      const before = q.cursor ? decodeCursor(q.cursor, ['string', 'string']) : undefined;
      const items = await deps.events.points({
        from: date(q.from),
        to: date(q.to),
        departments,
        ...(before ? { before: { occurredAt: before[0] as string, id: before[1] as string } } : {}),
        limit: q.limit,
      });
      const last = items.at(-1);
      return {
        items,
        nextCursor: items.length === q.limit && last ? encodeCursor([last.occurredAt, last.id]) : null,
      };
    },
  );

  app.get(
    '/api/v1/events/:id',
    {
      config: { access: EVERYONE },
      schema: {
        tags: ['events'],
        summary: 'One normalized event (a liaison: of its own department)',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 200: plain(EventView), ...problems, 404: plain(Problem) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const [event] = await deps.events.byIds([request.params.id]);
      if (!event) throw new AppError('not_found', `no event ${request.params.id}`);
      if (principal.role === 'liaison' && event.department !== principal.unit)
        throw new AppError('forbidden', `event ${event.id} is not of ${principal.unit ?? 'your unit'}`);
      return event;
    },
  );

  app.get(
    '/api/v1/feeds/health',
    {
      config: { access: EVERYONE },
      schema: {
        tags: ['events'],
        summary: 'Per department: the last event, events per minute, silence',
        response: { 200: plain(FeedHealthList), ...problems },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const departments =
        principal.role === 'liaison'
          ? DEPARTMENT_CODES.filter((d) => d === principal.unit)
          : [...DEPARTMENT_CODES];
      const now = deps.now();
      return {
        at: now.toISOString(),
        silenceThresholdSeconds: deps.settings.feedSilenceSeconds,
        feeds: await deps.events.feedHealth(
          departments,
          now,
          deps.settings.feedWindowMinutes,
          deps.settings.feedSilenceSeconds,
        ),
      };
    },
  );
}
