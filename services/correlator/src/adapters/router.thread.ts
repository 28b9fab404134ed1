/**
 * Runs the router (sequence.router.ts) on a worker thread: the parent's side.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from '@liandong/logger';
import type { Router } from './sequence.router.ts';

/** What the worker is given (plain data: it makes its own Kafka client and logger). */
export interface RouterWorkerData {
  brokers: string[];
  clientId: string;
  logLevel: string;
  groupId: string;
  topics: string[];
  sequenceTopic: string;
  tickMs: number;
  sessionTimeoutMs?: number;
}

export type RouterThreadMessage =
  | { type: 'started' }
  | { type: 'copied'; count: number }
  | { type: 'fatal'; message: string; stack?: string | undefined }
  | { type: 'stopped' };

export interface RouterThreadDeps extends RouterWorkerData {
  /** The parent's logger: the worker's own lines may not be flushed when it dies. */
  logger: Logger;
  onCopied?: (count: number) => void;
  onFatal: (error: Error) => void;
}

/**
 * The worker's entry: registers tsx's loader in the worker's thread (a loader given to the parent
 * by `--import` does not reach a worker), then imports router.worker.ts.
 */
function workerEntry(): URL {
  // Its ESM build, as its package's exports name it (require.resolve would give the CommonJS one).
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const { exports } = JSON.parse(readFileSync(manifest, 'utf8')) as {
    exports: Record<string, { import: { default: string } }>;
  };
  const api = exports['./esm/api']?.import.default;
  if (!api) throw new Error(`tsx (${manifest}) names no ESM build of ./esm/api`);
  const tsx = new URL(api, pathToFileURL(manifest)).href;
  const worker = new URL('./router.worker.ts', import.meta.url).href;
  const code = `import { register } from ${JSON.stringify(tsx)};\nregister();\nawait import(${JSON.stringify(worker)});\n`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

/** How long a stop waits for the worker's own (its consumer's disconnect included). */
const STOP_MS = 15_000;

function errorOf(message: { message: string; stack?: string | undefined }): Error {
  const error = new Error(message.message);
  if (message.stack) error.stack = message.stack;
  return error;
}

/** Starts the router thread; resolves once its consumer runs (rejects with the worker's error). */
export async function startRouterThread(deps: RouterThreadDeps): Promise<Router> {
  const { onCopied, onFatal, logger, ...data } = deps;
  const worker = new Worker(workerEntry(), { workerData: data satisfies RouterWorkerData });
  let stopping = false;
  let started = false;
  let exited = false;
  let stopDone: (() => void) | undefined;
  await new Promise<void>((resolve, reject) => {
    const fail = (error: Error) => {
      if (!started) {
        void worker.terminate();
        return reject(error);
      }
      if (stopping) return;
      logger.fatal({ err: error }, 'the router thread failed');
      onFatal(error);
    };
    worker.on('message', (message: RouterThreadMessage) => {
      switch (message.type) {
        case 'copied':
          onCopied?.(message.count);
          break;
        case 'started':
          started = true;
          resolve();
          break;
        case 'stopped':
          stopDone?.();
          break;
        case 'fatal':
          fail(errorOf(message));
      }
    });
    worker.on('error', fail);
    worker.on('exit', (code) => {
      exited = true;
      stopDone?.();
      fail(new Error(`the router thread exited (code ${code})`));
    });
  });
  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= (async () => {
        stopping = true;
        if (exited) return;
        // Its copies under way finish and are committed; a worker that does not stop in time is
        // ended (what it had not committed is read again by the next reader).
        const done = new Promise<void>((resolve) => {
          stopDone = resolve;
          worker.postMessage('stop');
        });
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), STOP_MS)));
        if ((await Promise.race([done, late])) === 'late')
          logger.warn('the router thread did not stop in time; ending it');
        clearTimeout(timer);
        await worker.terminate();
      })();
      return stopped;
    },
  };
}
