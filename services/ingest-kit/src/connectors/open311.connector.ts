import { AppError } from '@liandong/errors';
import { toUtc } from '../domain/time.ts';
import type { NormalizeContext, RecordOutcome } from '../domain/outcome.ts';
import type { PullConnector, PullPage } from './connector.ts';
import { fetchText } from './http.ts';

export interface Open311ConnectorOptions {
  /** The endpoint's requests URL, e.g. https://311.example/v2/requests.json */
  requestsUrl: string;
  apiKey?: string;
  jurisdictionId?: string;
  intervalMs: number;
  /** The server's maximum number of requests per answer (GeoReport servers cap it, often 1000). */
  pageSize?: number;
  lookbackMs?: number;
  /** Parses the body (leniently where the department's servers need it). */
  parse(this: void, text: string): unknown;
  normalize(this: void, value: unknown, index: number, context: NormalizeContext): RecordOutcome;
}

interface Cursor {
  since: string;
  /** Page of the same start date, when one start date fills more than a page. */
  page?: number;
}

/**
 * Open311 GeoReport v2: `GET requests.json?start_date=<cursor>&end_date=<now>`. The cursor is the
 * latest requested_datetime seen; a full page with nothing newer than the cursor pages on with
 * `page=` (as servers that support it do) instead of looping. Requests at the boundary come again
 * and are reported as duplicates.
 */
export function createOpen311Connector(
  id: string,
  options: Open311ConnectorOptions,
  now: () => Date = () => new Date(),
): PullConnector {
  const pageSize = options.pageSize ?? 1000;
  return {
    id,
    kind: 'open311',
    source: options.requestsUrl,
    intervalMs: options.intervalMs,
    async fetchPage(stored, context, signal): Promise<PullPage> {
      const cursor: Cursor = (stored as Cursor | undefined) ?? {
        since: new Date(now().getTime() - (options.lookbackMs ?? 24 * 3600_000)).toISOString(),
      };
      const url = new URL(options.requestsUrl);
      url.searchParams.set('start_date', cursor.since);
      url.searchParams.set('end_date', now().toISOString());
      if (cursor.page) url.searchParams.set('page', String(cursor.page));
      if (options.apiKey) url.searchParams.set('api_key', options.apiKey);
      if (options.jurisdictionId) url.searchParams.set('jurisdiction_id', options.jurisdictionId);
      const response = await fetchText(url.toString(), { signal, headers: { accept: 'application/json' } });
      const body = options.parse(response.text);
      if (!Array.isArray(body))
        throw new AppError('upstream_failed', `${url.pathname} answered no array of requests`);
      let latest: string | undefined;
      for (const value of body) {
        const time = toUtc((value as { requested_datetime?: unknown } | null)?.requested_datetime);
        if (time && (!latest || time > latest)) latest = time;
      }
      const outcomes = body.map((value, index) => options.normalize(value, index, context));
      const full = body.length >= pageSize;
      let next: Cursor;
      if (full && (!latest || latest <= cursor.since))
        next = { since: cursor.since, page: (cursor.page ?? 1) + 1 };
      else next = { since: latest && latest > cursor.since ? latest : cursor.since };
      return { outcomes, contentType: 'application/json', format: 'open311-json', cursor: next, more: full };
    },
  };
}
