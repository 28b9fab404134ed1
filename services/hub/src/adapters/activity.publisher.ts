/**
 * The activity outbox: activities this hub decided are written with the state change (published_at
 * NULL) and published to warning-activity.v1 here, after the commit. A hub that dies in between
 * leaves them for the next pass of any hub (rows are claimed with SKIP LOCKED, so two hubs never
 * publish the same row at once); consumers dedupe by activity id.
 */
import { TOPICS, namespacedTopic, type WarningActivity } from '@liandong/contracts';
import type { Pool } from '@liandong/db';
import type { JsonProducer } from '@liandong/kafka';
import type { Logger } from '@liandong/logger';

export interface ActivityPublisherDeps {
  pool: Pool;
  producer: JsonProducer;
  topicPrefix: string;
  logger: Logger;
  intervalMs?: number;
}

export function createActivityPublisher(deps: ActivityPublisherDeps) {
  const topic = namespacedTopic(TOPICS.warningActivity, deps.topicPrefix);
  let running: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  async function publishBatch(): Promise<number> {
    const client = await deps.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ id: string; warning_id: string; doc: WarningActivity }>(
        `SELECT id, warning_id, doc FROM warning_activity WHERE published_at IS NULL
         ORDER BY at LIMIT 200 FOR UPDATE SKIP LOCKED`,
      );
      if (rows.length > 0) {
        await deps.producer.send([
          { topic, messages: rows.map((r) => ({ key: r.warning_id, value: r.doc })) },
        ]);
        await client.query('UPDATE warning_activity SET published_at = now() WHERE id = ANY($1::uuid[])', [
          rows.map((r) => r.id),
        ]);
      }
      await client.query('COMMIT');
      return rows.length;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async function drain(): Promise<void> {
    do {
      again = false;
      try {
        while ((await publishBatch()) === 200);
      } catch (error) {
        deps.logger.warn({ err: error }, 'publishing warning activity failed; retrying on the next pass');
        return;
      }
    } while (again && !stopped);
  }

  const publisher = {
    /** Publishes what is pending now (called after each commit that wrote activities). */
    kick(): void {
      if (stopped) return;
      if (running) {
        again = true;
        return;
      }
      running = drain().finally(() => (running = undefined));
    },
    start(): void {
      timer = setInterval(() => publisher.kick(), deps.intervalMs ?? 1000);
      timer.unref();
      publisher.kick();
    },
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
  return publisher;
}

export type ActivityPublisher = ReturnType<typeof createActivityPublisher>;
