import type { EventPoint, EventView, FeedHealth, NormalizedEvent } from '@liandong/contracts';
import { toDatabaseError, type Pool } from '@liandong/db';

export interface EventQuery {
  bbox?: [number, number, number, number];
  from?: Date;
  to?: Date;
  departments?: string[];
  types?: string[];
  statuses?: string[];
  /** Keyset: events strictly before this (occurredAt, id). */
  before?: { occurredAt: string; id: string };
  limit: number;
}

/** The event projection, for the map and the reports: one row per event id, the raw record left out. */
export function createEventRepository(pool: Pool) {
  return {
    /** Idempotent: an event seen before is left as it is. */
    async insert(events: readonly NormalizedEvent[]): Promise<number> {
      if (events.length === 0) return 0;
      const values: unknown[] = [];
      const rows = events.map((event, i) => {
        const { raw: _raw, ...doc } = event;
        const [lon, lat] = event.location?.coordinates ?? [null, null];
        values.push(
          event.id,
          event.department,
          event.type,
          event.kind,
          event.category,
          event.severity,
          event.status,
          event.msgType,
          event.occurredAt,
          event.receivedAt,
          lon,
          lat,
          doc,
        );
        const o = i * 13;
        return `(${Array.from({ length: 13 }, (_, k) => `$${o + k + 1}`).join(', ')})`;
      });
      try {
        const result = await pool.query(
          `INSERT INTO events (id, department, type, kind, category, severity, status, msg_type, occurred_at, received_at, lon, lat, doc)
           VALUES ${rows.join(', ')} ON CONFLICT (id) DO NOTHING`,
          values,
        );
        return result.rowCount ?? 0;
      } catch (error) {
        throw toDatabaseError(error);
      }
    },

    async list(query: EventQuery): Promise<EventView[]> {
      const { rows } = await pool.query<{ doc: EventView }>(
        `SELECT doc FROM events
         WHERE ($1::float8[] IS NULL OR (lon IS NOT NULL AND point(lon, lat) <@ box(point($1[1], $1[2]), point($1[3], $1[4]))))
           AND ($2::timestamptz IS NULL OR occurred_at >= $2)
           AND ($3::timestamptz IS NULL OR occurred_at < $3)
           AND ($4::text[] IS NULL OR department = ANY($4))
           AND ($5::text[] IS NULL OR type = ANY($5))
           AND ($6::text[] IS NULL OR status = ANY($6))
           AND ($7::timestamptz IS NULL OR (occurred_at, id) < ($7, $8::uuid))
         ORDER BY occurred_at DESC, id DESC LIMIT $9`,
        [
          query.bbox ?? null,
          query.from ?? null,
          query.to ?? null,
          query.departments ?? null,
          query.types ?? null,
          query.statuses ?? null,
          query.before?.occurredAt ?? null,
          query.before?.id ?? null,
          query.limit,
        ],
      );
      return rows.map((r) => r.doc);
    },

    /** The map's points: located events only, the same filters and order as `list`. */
    async points(query: Omit<EventQuery, 'bbox' | 'types' | 'statuses'>): Promise<EventPoint[]> {
      const { rows } = await pool.query<{
        id: string;
        department: EventPoint['department'];
        type: string;
        status: EventPoint['status'];
        severity: EventPoint['severity'];
        occurred_at: Date;
        lon: number;
        lat: number;
      }>(
        `SELECT id, department, type, status, severity, occurred_at, lon, lat FROM events
         WHERE lon IS NOT NULL
           AND ($1::timestamptz IS NULL OR occurred_at >= $1)
           AND ($2::timestamptz IS NULL OR occurred_at < $2)
           AND ($3::text[] IS NULL OR department = ANY($3))
           AND ($4::timestamptz IS NULL OR (occurred_at, id) < ($4, $5::uuid))
         ORDER BY occurred_at DESC, id DESC LIMIT $6`,
        [
          query.from ?? null,
          query.to ?? null,
          query.departments ?? null,
          query.before?.occurredAt ?? null,
          query.before?.id ?? null,
          query.limit,
        ],
      );
      return rows.map((r) => ({
        id: r.id,
        department: r.department,
        type: r.type,
        status: r.status,
        severity: r.severity,
        occurredAt: r.occurred_at.toISOString(),
        lon: r.lon,
        lat: r.lat,
      }));
    },

    async byIds(ids: readonly string[]): Promise<EventView[]> {
      const uuids = ids.filter((id) => /^[0-9a-f-]{36}$/i.test(id));
      const { rows } = await pool.query<{ doc: EventView }>(
        'SELECT doc FROM events WHERE id = ANY($1::uuid[]) ORDER BY occurred_at',
        [uuids],
      );
      return rows.map((r) => r.doc);
    },

    /** Per department: the last event, events per minute over the window, silence. */
    async feedHealth(
      departments: readonly string[],
      now: Date,
      windowMinutes: number,
      silenceSeconds: number,
    ): Promise<FeedHealth[]> {
      const { rows } = await pool.query<{
        department: FeedHealth['department'];
        last_received: Date | null;
        last_occurred: Date | null;
        recent: string;
      }>(
        `SELECT d AS department,
           (SELECT received_at FROM events WHERE department = d ORDER BY received_at DESC LIMIT 1) AS last_received,
           (SELECT max(occurred_at) FROM events WHERE department = d AND received_at > $2::timestamptz - interval '1 day') AS last_occurred,
           (SELECT count(*) FROM events WHERE department = d AND received_at > $2::timestamptz - make_interval(mins => $3) AND received_at <= $2) AS recent
         FROM unnest($1::text[]) AS d`,
        [departments, now, windowMinutes],
      );
      return rows.map((r) => {
        const silentSeconds = r.last_received
          ? Math.max(0, Math.floor((now.getTime() - r.last_received.getTime()) / 1000))
          : null;
        return {
          department: r.department,
          lastReceivedAt: r.last_received?.toISOString() ?? null,
          lastOccurredAt: r.last_occurred?.toISOString() ?? null,
          eventsPerMinute: Math.round((Number(r.recent) / windowMinutes) * 10) / 10,
          windowMinutes,
          silentSeconds,
          silent: silentSeconds === null || silentSeconds > silenceSeconds,
        };
      });
    },
  };
}

export type EventRepository = ReturnType<typeof createEventRepository>;
