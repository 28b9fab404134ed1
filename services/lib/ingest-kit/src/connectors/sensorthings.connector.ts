import { AppError } from '@liandong/errors';
import { toUtc } from '../domain/time.ts';
import type { NormalizeContext, RecordOutcome } from '../domain/outcome.ts';
import type { PullConnector, PullPage } from './connector.ts';
import { fetchText } from './http.ts';

export interface SensorThingsConnectorOptions {
  /** Service root, e.g. https://sta.example/v1.1 */
  baseUrl: string;
  intervalMs: number;
  pageSize?: number;
  /** How far back the first poll reaches. */
  lookbackMs?: number;
  normalize(this: void, value: unknown, index: number, context: NormalizeContext): RecordOutcome;
}

interface Cursor {
  /** phenomenonTime the current query starts at (inclusive). */
  since: string;
  /** Latest phenomenonTime seen while paging. */
  maxSeen?: string;
  /** The server's link to the next page of the current query. */
  nextLink?: string;
}

function phenomenonEnd(value: unknown): string | undefined {
  const time = (value as { phenomenonTime?: unknown } | null)?.phenomenonTime;
  if (typeof time !== 'string') return undefined;
  return toUtc(time.includes('/') ? time.split('/')[1] : time);
}

function later(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b;
  if (!b) return a;
  return a > b ? a : b;
}

/**
 * OGC SensorThings API 1.1: `GET Observations?$filter=phenomenonTime ge <cursor>` ordered by
 * phenomenonTime, with the Datastream expanded so each observation names its gauge, following
 * `@iot.nextLink` page by page. The cursor keeps the query's start, the latest time seen and the
 * next link, so a restart resumes mid-query; observations at the boundary come again and are
 * reported as duplicates, never produced twice.
 */
export function createSensorThingsConnector(
  id: string,
  options: SensorThingsConnectorOptions,
  now: () => Date = () => new Date(),
): PullConnector {
  const base = options.baseUrl.replace(/\/+$/, '');
  const pageSize = options.pageSize ?? 500;
  return {
    id,
    kind: 'sensorthings',
    source: `${base}/Observations`,
    intervalMs: options.intervalMs,
    async fetchPage(stored, context, signal): Promise<PullPage> {
      const cursor: Cursor = (stored as Cursor | undefined) ?? {
        since: new Date(now().getTime() - (options.lookbackMs ?? 24 * 3600_000)).toISOString(),
      };
      const url =
        cursor.nextLink ??
        `${base}/Observations?$filter=${encodeURIComponent(`phenomenonTime ge ${cursor.since}`)}` +
          `&$orderby=${encodeURIComponent('phenomenonTime asc')}&$top=${pageSize}` +
          `&$expand=${encodeURIComponent('Datastream($select=id)')}`;
      const response = await fetchText(url, { signal, headers: { accept: 'application/json' } });
      let body: unknown;
      try {
        body = JSON.parse(response.text);
      } catch {
        throw new AppError('upstream_failed', `${url} did not answer JSON`);
      }
      const values = (body as { value?: unknown }).value;
      if (!Array.isArray(values)) throw new AppError('upstream_failed', `${url} answered no "value" array`);
      const nextLink = (body as { '@iot.nextLink'?: unknown })['@iot.nextLink'];
      let maxSeen = cursor.maxSeen;
      for (const value of values) maxSeen = later(maxSeen, phenomenonEnd(value));
      const outcomes = values.map((value, index) => options.normalize(value, index, context));
      const next: Cursor =
        typeof nextLink === 'string' && values.length > 0
          ? { since: cursor.since, nextLink, ...(maxSeen ? { maxSeen } : {}) }
          : { since: later(cursor.since, maxSeen) ?? cursor.since };
      return {
        outcomes,
        contentType: 'application/json',
        format: 'sensorthings',
        cursor: next,
        more: next.nextLink !== undefined,
      };
    },
  };
}
