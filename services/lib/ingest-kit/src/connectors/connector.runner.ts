import type { Crs, DepartmentCode } from '@liandong/contracts';
import { backoffDelayMs, toAppError } from '@liandong/errors';
import type { Logger } from '@liandong/logger';
import type { CursorRepository } from '../adapters/cursor.repository.ts';
import type { IngestPipeline } from '../ingest.service.ts';
import { prepare } from '../normalize/body.normalizer.ts';
import { maskUrl, maskUrls } from './http.ts';
import type { IngestMetrics } from '../metrics.ts';
import type { ConnectorStatus, PullConnector } from './connector.ts';

export interface ConnectorRunnerDeps {
  department: DepartmentCode;
  pipeline: IngestPipeline;
  cursors: CursorRepository;
  metrics: IngestMetrics;
  logger: Logger;
  now: () => Date;
  sourceSystem: string;
  defaultCrs: Crs;
  /** Back-off after failures: base, doubling per consecutive failure, capped. */
  backoff?: { baseMs: number; maxMs: number };
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/** The messages of an error's causes, one after the other (a fetch failure's cause says why). */
function causes(cause: unknown, depth = 0): string {
  if (!(cause instanceof Error)) return typeof cause === 'string' ? cause : (JSON.stringify(cause) ?? '');
  const deeper = cause.cause !== undefined && depth < 4 ? `: ${causes(cause.cause, depth + 1)}` : '';
  return `${cause.message}${deeper}`;
}

/**
 * Polls each connector in its own loop: load the cursor, fetch a page, push its records through
 * the same pipeline as pushed records (claim, produce, wait for Kafka), then save the cursor.
 * A crash between produce and save re-reads the page, whose records are then duplicates, so a
 * restart neither skips nor repeats. Failures back off exponentially and show in status().
 */
export function startConnectors(connectors: PullConnector[], deps: ConnectorRunnerDeps) {
  const controller = new AbortController();
  const sleep = deps.sleep ?? abortableSleep;
  const backoff = deps.backoff ?? { baseMs: 1000, maxMs: 5 * 60_000 };
  const statuses = new Map<string, ConnectorStatus>(
    connectors.map((c) => [
      c.id,
      {
        id: c.id,
        kind: c.kind,
        source: maskUrl(c.source), // /readyz is open: no API key in it
        ok: true,
        lastSuccessAt: null,
        lastError: null,
        consecutiveFailures: 0,
        recordsAccepted: 0,
      },
    ]),
  );

  async function loop(connector: PullConnector): Promise<void> {
    const status = statuses.get(connector.id) as ConnectorStatus;
    const logger = deps.logger.child({ connector: connector.id });
    while (!controller.signal.aborted) {
      let wait = connector.intervalMs;
      try {
        const cursor = await deps.cursors.load(connector.id);
        const page = await connector.fetchPage(
          cursor,
          {
            department: deps.department,
            receivedAt: deps.now(),
            sourceSystem: deps.sourceSystem,
            defaultCrs: deps.defaultCrs,
          },
          controller.signal,
        );
        if (page.outcomes.length > 0) {
          const response = await deps.pipeline.ingest(prepare(page.outcomes), page.contentType, page.format);
          status.recordsAccepted += response.accepted;
          deps.metrics.connectorRecords.inc(
            { connector: connector.id, outcome: 'accepted' },
            response.accepted,
          );
          deps.metrics.connectorRecords.inc(
            { connector: connector.id, outcome: 'duplicate' },
            response.duplicates,
          );
          deps.metrics.connectorRecords.inc(
            { connector: connector.id, outcome: 'conflict' },
            response.conflicts,
          );
          deps.metrics.connectorRecords.inc(
            { connector: connector.id, outcome: 'rejected' },
            response.rejected,
          );
          if (response.rejected > 0)
            logger.warn({ rejected: response.rejected }, 'upstream records refused (dead-lettered)');
          if (response.conflicts > 0) {
            logger.warn(
              { conflicts: response.conflicts },
              'upstream records changed under an accepted source id: the first state is kept, the change dead-lettered',
            );
          }
        }
        for (const notice of page.notices ?? []) logger.warn({ notice: maskUrls(notice) }, 'upstream notice');
        await deps.cursors.save(connector.id, deps.department, page.cursor);
        status.ok = true;
        status.lastSuccessAt = deps.now().toISOString();
        status.lastError = null;
        status.consecutiveFailures = 0;
        deps.metrics.connectorUp.set({ connector: connector.id }, 1);
        // A page that says "more" but leaves the cursor where it was would be asked for again at
        // once, forever: wait for the interval instead.
        if (page.more && JSON.stringify(page.cursor) !== JSON.stringify(cursor)) wait = 0;
        else if (page.more)
          logger.warn('the page asks for more but the cursor did not move; waiting for the interval');
      } catch (thrown) {
        if (controller.signal.aborted) break;
        const error = toAppError(thrown);
        // /readyz is open and logs travel: an upstream URL may carry a token in its query.
        const message = maskUrls(error.message);
        status.ok = false;
        status.lastError = message;
        status.consecutiveFailures += 1;
        deps.metrics.connectorUp.set({ connector: connector.id }, 0);
        wait = backoffDelayMs(status.consecutiveFailures, {
          initialDelayMs: backoff.baseMs,
          maxDelayMs: backoff.maxMs,
        });
        logger.warn(
          {
            error: {
              code: error.code,
              message,
              ...(error.cause ? { cause: maskUrls(causes(error.cause)) } : {}),
            },
            failures: status.consecutiveFailures,
            retryInMs: wait,
          },
          'poll failed; backing off',
        );
      }
      if (wait > 0) await sleep(wait, controller.signal);
    }
  }

  const loops = connectors.map((c) => loop(c));
  return {
    status: (): ConnectorStatus[] => [...statuses.values()].map((s) => ({ ...s })),
    async stop(): Promise<void> {
      controller.abort();
      await Promise.allSettled(loops);
    },
  };
}

export type ConnectorRunner = ReturnType<typeof startConnectors>;
