/**
 * Tails the push log: woken by LISTEN/NOTIFY when any hub commits pushes, and by a poll besides
 * (a lost notification, a dropped listening connection). Each audience's pushes are handed to
 * `emit` strictly in sequence order, each once.
 */
import pg from 'pg';
import type { LivePush } from '@liandong/contracts';
import type { Logger } from '@liandong/logger';
import { AUDIENCES } from '../domain/access.ts';
import type { PushRepository } from '../adapters/push.repository.ts';

export interface PushTailerDeps {
  pushes: PushRepository;
  /** Connection settings of a dedicated LISTEN connection. */
  databaseUrl: string;
  channel: string;
  pollMs: number;
  logger: Logger;
  emit(audience: string, push: LivePush): void;
}

export function createPushTailer(deps: PushTailerDeps) {
  const cursors = new Map<string, number>(AUDIENCES.map((a) => [a, 0]));
  const waiters: { audience: string; seq: number; resolve: () => void }[] = [];
  let listener: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  let fetching: Promise<void> | undefined;
  let dirty = false;
  let stopped = false;

  async function fetchOnce(): Promise<void> {
    for (;;) {
      const rows = await deps.pushes.after(cursors, 500);
      for (const { audience, push } of rows) {
        // A row that is not the next one would be a gap: stop here and read again (never skip).
        if (push.seq !== (cursors.get(audience) ?? 0) + 1) {
          if (push.seq <= (cursors.get(audience) ?? 0)) continue;
          deps.logger.warn(
            { audience, expected: (cursors.get(audience) ?? 0) + 1, got: push.seq },
            'push log gap',
          );
          break;
        }
        cursors.set(audience, push.seq);
        deps.emit(audience, push);
      }
      for (let i = waiters.length - 1; i >= 0; i--) {
        const w = waiters[i];
        if (w && (cursors.get(w.audience) ?? 0) >= w.seq) {
          waiters.splice(i, 1);
          w.resolve();
        }
      }
      if (rows.length < 500) return;
    }
  }

  function wake(): void {
    if (stopped) return;
    if (fetching) {
      dirty = true;
      return;
    }
    fetching = (async () => {
      do {
        dirty = false;
        try {
          await fetchOnce();
        } catch (error) {
          deps.logger.warn({ err: error }, 'reading the push log failed; retrying on the next poll');
          return;
        }
      } while (dirty && !stopped);
    })().finally(() => (fetching = undefined));
  }

  async function listen(): Promise<void> {
    const client = new pg.Client({
      connectionString: deps.databaseUrl,
      application_name: 'liandong-hub-listen',
    });
    client.on('notification', () => wake());
    let lost = false;
    const reconnect = (error: unknown) => {
      if (lost || stopped) return;
      lost = true;
      listener = undefined;
      deps.logger.warn({ err: error }, 'push LISTEN connection lost; polling until it is back');
      void client.end().catch(() => undefined);
      // Until the server answers again: each failed try schedules the next.
      setTimeout(() => void listen().catch(() => undefined), 2000).unref();
    };
    client.on('error', reconnect);
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(deps.channel)}`);
    } catch (error) {
      reconnect(error);
      throw error;
    }
    listener = client;
    wake();
  }

  return {
    /** Starts after the newest pushes: a hub emits what is written from now on. */
    async start(): Promise<void> {
      for (const [audience, seq] of await deps.pushes.latest()) cursors.set(audience, seq);
      await listen();
      timer = setInterval(wake, deps.pollMs);
      timer.unref();
    },
    /** Whether the LISTEN connection stands (else pushes wait for the next poll). */
    listening: (): boolean => listener !== undefined,
    /** The last sequence of an audience this hub has emitted. */
    emitted: (audience: string): number => cursors.get(audience) ?? 0,
    /** Resolves once the audience's pushes up to `seq` were emitted (reading the log now). */
    caughtUp(audience: string, seq: number): Promise<void> {
      if ((cursors.get(audience) ?? 0) >= seq) return Promise.resolve();
      const done = new Promise<void>((resolve) => waiters.push({ audience, seq, resolve }));
      wake();
      return done;
    },
    wake,
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      await fetching;
      await listener?.end().catch(() => undefined);
      for (const w of waiters.splice(0)) w.resolve();
    },
  };
}

export type PushTailer = ReturnType<typeof createPushTailer>;
