import { Worker } from 'node:worker_threads';
import { AppError } from '@liandong/errors';
import type { Logger } from '@liandong/logger';
import type { NormalizeContext } from '../domain/outcome.ts';
import type { IngestMediaType } from '../media.ts';
import type { PreparedOutcome } from './body.normalizer.ts';
import type { NormalizeJob, NormalizeReply } from './worker-protocol.ts';

export interface NormalizerPoolOptions {
  /** The module (file URL) that exports the service's IngestDefinition, and the export's name. */
  definitionModule: URL;
  exportName: string;
  threads: number;
  logger: Logger;
  /** Jobs waiting or under way at most (default 64); beyond, 503 with Retry-After (the load passes). */
  maxPending?: number;
  /** Longest one body may take to normalize (default 30 s); beyond, its thread is replaced and the request is 413. */
  jobTimeoutMs?: number;
}

interface Pending {
  timer?: ReturnType<typeof setTimeout>;
  resolve(value: { outcomes: PreparedOutcome[]; format: 'json' | 'xml' }): void;
  reject(error: unknown): void;
}

/**
 * Normalizing threads for large bodies: the event loop that serves clients, PostgreSQL and Kafka
 * spends its time on those, while parsing, validating, normalizing and serializing events runs
 * beside it. A thread that dies fails its jobs (503, retriable) and is replaced.
 */
export function createNormalizerPool(options: NormalizerPoolOptions) {
  const pending = new Map<number, Pending>();
  const owner = new Map<number, Worker>();
  let nextId = 1;
  let turn = 0;
  let closing = false;
  let failures = 0;
  let broken = false;
  const workers: (Worker | undefined)[] = [];
  const maxPending = options.maxPending ?? 64;
  const jobTimeoutMs = options.jobTimeoutMs ?? 30_000;

  function spawn(slot: number): void {
    const worker = new Worker(new URL('./normalize.worker.boot.mjs', import.meta.url), {
      workerData: { definitionModule: options.definitionModule.href, exportName: options.exportName },
    });
    worker.on('message', (reply: NormalizeReply) => {
      failures = 0;
      const job = pending.get(reply.id);
      pending.delete(reply.id);
      owner.delete(reply.id);
      if (!job) return;
      clearTimeout(job.timer);
      if ('error' in reply) {
        job.reject(
          new AppError(reply.error.code, reply.error.message, {
            errors: reply.error.errors,
            ...(reply.error.retryAfterSeconds !== undefined
              ? { retryAfterSeconds: reply.error.retryAfterSeconds }
              : {}),
          }),
        );
        return;
      }
      const outcomes = reply.outcomes.map((o): PreparedOutcome => {
        if (!o.ok) return o;
        const { offset, valueLength, hashLength, ...rest } = o;
        return {
          ...rest,
          value: Buffer.from(reply.buffer, offset, valueLength),
          hash: Buffer.from(reply.buffer, offset + valueLength, hashLength),
        };
      });
      job.resolve({ outcomes, format: reply.format });
    });
    worker.on('error', (error) => options.logger.error({ err: error }, 'normalizing thread failed'));
    worker.on('exit', (code) => {
      // A dead thread takes no more jobs (they would never be answered) until its replacement runs.
      if (workers[slot] === worker) workers[slot] = undefined;
      for (const [id, w] of owner) {
        if (w !== worker) continue;
        clearTimeout(pending.get(id)?.timer);
        pending.get(id)?.reject(
          new AppError('dependency_unavailable', 'the normalizing thread stopped', {
            retryAfterSeconds: 1,
          }),
        );
        pending.delete(id);
        owner.delete(id);
      }
      if (closing) return;
      failures += 1;
      if (failures > 3) {
        // It keeps dying before doing any work: normalize in the service's own thread from now on.
        broken = true;
        options.logger.error({ code }, 'normalizing threads keep failing; normalizing in the main thread');
        return;
      }
      options.logger.warn({ code }, 'normalizing thread exited; starting another');
      setTimeout(() => spawn(slot), 200 * failures).unref();
    });
    workers[slot] = worker;
  }

  for (let slot = 0; slot < options.threads; slot += 1) spawn(slot);

  /** The next running thread, round robin; undefined while none runs. */
  function nextWorker(): Worker | undefined {
    for (let tried = 0; tried < workers.length; tried += 1) {
      const worker = workers[turn % workers.length];
      turn += 1;
      if (worker) return worker;
    }
    return undefined;
  }

  return {
    /** False once threads kept failing, or while none runs: callers normalize in their own thread. */
    available: () => !broken && workers.some((w) => w !== undefined),
    normalize(
      mediaType: IngestMediaType,
      text: string,
      context: NormalizeContext,
    ): Promise<{ outcomes: PreparedOutcome[]; format: 'json' | 'xml' }> {
      const worker = nextWorker();
      if (!worker) {
        return Promise.reject(
          new AppError('dependency_unavailable', 'no normalizing thread is running', {
            retryAfterSeconds: 1,
          }),
        );
      }
      if (pending.size >= maxPending) {
        return Promise.reject(
          new AppError('dependency_unavailable', `${pending.size} bodies wait for a normalizing thread`, {
            retryAfterSeconds: 1,
          }),
        );
      }
      const id = nextId;
      nextId += 1;
      const { receivedAt, ...rest } = context;
      const job: NormalizeJob = { id, mediaType, text, context: rest, receivedAtMs: receivedAt.getTime() };
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          if (!pending.has(id)) return;
          pending.delete(id);
          owner.delete(id);
          // The body itself is too much work: a smaller batch goes through; the stuck thread is replaced.
          reject(
            new AppError(
              'payload_too_large',
              `normalizing the body took more than ${jobTimeoutMs} ms: send fewer or smaller records per request`,
            ),
          );
          options.logger.warn({ jobTimeoutMs }, 'a normalizing job timed out; replacing its thread');
          void worker.terminate();
        }, jobTimeoutMs);
        timer.unref();
        pending.set(id, { resolve, reject, timer });
        owner.set(id, worker);
        worker.postMessage(job);
      });
    },
    async close(): Promise<void> {
      closing = true;
      await Promise.all(workers.flatMap((w) => (w ? [w.terminate()] : [])));
    },
  };
}

export type NormalizerPool = ReturnType<typeof createNormalizerPool>;
