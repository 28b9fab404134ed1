import type { NormalizeContext, RecordOutcome } from '../domain/outcome.ts';
import type { UpstreamLimits } from './http.ts';

/** One page pulled from an upstream source, normalized, with the cursor that comes after it. */
export interface PullPage {
  outcomes: RecordOutcome[];
  contentType: string;
  format: string;
  /** Where the next poll starts; saved only after Kafka acknowledged this page's events. */
  cursor: unknown;
  /** Another page follows at once (paging); otherwise wait for the poll interval. */
  more: boolean;
  /** What the operators should know about this page (a looping next link, a link not followed); logged. */
  notices?: string[];
}

/** How a connector reaches its upstream: which other hosts it may follow links to, and its limits. */
export interface UpstreamOptions {
  /** Hosts besides the source's own origin (`host`, `host:port`, `*.domain`); UPSTREAM_ALLOWED_HOSTS. */
  allowedHosts?: readonly string[];
  limits?: Partial<UpstreamLimits>;
}

/** A source the service polls: CAP Atom/RSS feed, Open311 requests.json, SensorThings Observations. */
export interface PullConnector {
  /** Stable id; the cursor is kept under it. */
  id: string;
  kind: 'cap-feed' | 'open311' | 'sensorthings';
  /** Where it reads from, for status pages (no credentials). */
  source: string;
  intervalMs: number;
  fetchPage(cursor: unknown, context: NormalizeContext, signal: AbortSignal): Promise<PullPage>;
}

export interface ConnectorStatus {
  id: string;
  kind: PullConnector['kind'];
  source: string;
  ok: boolean;
  lastSuccessAt: string | null;
  lastError: string | null;
  consecutiveFailures: number;
  recordsAccepted: number;
}
