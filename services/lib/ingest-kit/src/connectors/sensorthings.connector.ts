import { createHash } from 'node:crypto';
import { AppError } from '@liandong/errors';
import { toUtc } from '../domain/time.ts';
import type { NormalizeContext, RecordOutcome } from '../domain/outcome.ts';
import type { PullConnector, PullPage, UpstreamOptions } from './connector.ts';
import { fetchText, maskUrl, upstreamScope } from './http.ts';
import { dropRepeatedFutureRefusals, latestDone } from './page-advance.ts';

export interface SensorThingsConnectorOptions {
  /** Service root, e.g. https://sta.example/v1.1 */
  baseUrl: string;
  intervalMs: number;
  pageSize?: number;
  /** How far back the first poll reaches. */
  lookbackMs?: number;
  normalize(this: void, value: unknown, index: number, context: NormalizeContext): RecordOutcome;
  upstream?: UpstreamOptions;
}

interface Cursor {
  /** phenomenonTime the current query starts at (inclusive). */
  since: string;
  /** Latest phenomenonTime seen while paging. */
  maxSeen?: string;
  /** The server's link to the next page of the current query. */
  nextLink?: string;
  /** Digests of the pages read in the current query: a next link back to one of them is a loop. */
  visited?: string[];
  /** Observations refused as lying in the future, already dead-lettered. */
  future?: string[];
}

/** Pages of one query remembered for loop detection (a query longer than this is not checked further). */
const MAX_VISITED = 1000;

const digest = (url: string) => createHash('sha256').update(url).digest('hex').slice(0, 16);

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
 * reported as duplicates, never produced twice. A next link is followed only within the source's
 * scope and only to a page not read yet in this query; otherwise the query ends there (logged),
 * and the next poll starts a new one at the latest time taken. The cursor moves only over
 * observations done with (see latestDone): one dated in the future never moves it.
 */
export function createSensorThingsConnector(
  id: string,
  options: SensorThingsConnectorOptions,
  now: () => Date = () => new Date(),
): PullConnector {
  const base = options.baseUrl.replace(/\/+$/, '');
  const pageSize = options.pageSize ?? 500;
  const scope = upstreamScope(base, options.upstream?.allowedHosts);
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
      const response = await fetchText(url, {
        ...options.upstream?.limits,
        scope,
        signal,
        headers: { accept: 'application/json' },
      });
      let body: unknown;
      try {
        body = JSON.parse(response.text);
      } catch {
        throw new AppError('upstream_failed', `${maskUrl(url)} did not answer JSON`);
      }
      const values = (body as { value?: unknown } | null)?.value;
      if (!Array.isArray(values))
        throw new AppError('upstream_failed', `${maskUrl(url)} answered no "value" array`);
      const normalized = values.map((value, index) => options.normalize(value, index, context));
      const maxSeen = later(
        cursor.maxSeen,
        latestDone(values, normalized, phenomenonEnd, context.receivedAt),
      );
      const { outcomes, future } = dropRepeatedFutureRefusals(normalized, cursor.future);
      const remembered = future.length > 0 ? { future } : {};
      const ended: Cursor = { since: later(cursor.since, maxSeen) ?? cursor.since, ...remembered };
      const page = (cursor: Cursor, more: boolean, notices?: string[]): PullPage => ({
        outcomes,
        contentType: 'application/json',
        format: 'sensorthings',
        cursor,
        more,
        ...(notices ? { notices } : {}),
      });

      const link = (body as { '@iot.nextLink'?: unknown })['@iot.nextLink'];
      if (typeof link !== 'string' || values.length === 0) return page(ended, false);
      let nextLink: URL;
      try {
        nextLink = new URL(link, url);
      } catch {
        return page(ended, false, [`@iot.nextLink of ${maskUrl(url)} is not a URL; the query ends here`]);
      }
      const visited = [...(cursor.visited ?? []), digest(new URL(url).toString())].slice(-MAX_VISITED);
      if (visited.includes(digest(nextLink.toString()))) {
        return page(ended, false, [
          `@iot.nextLink ${maskUrl(nextLink.toString())} leads back to a page already read in this query (the server loops); the query ends here`,
        ]);
      }
      if (!scope.allows(nextLink)) {
        return page(ended, false, [
          `@iot.nextLink ${maskUrl(nextLink.toString())} is not followed: fetches go to ${scope.description}; the query ends here`,
        ]);
      }
      return page(
        {
          since: cursor.since,
          nextLink: nextLink.toString(),
          visited,
          ...(maxSeen ? { maxSeen } : {}),
          ...remembered,
        },
        true,
      );
    },
  };
}
