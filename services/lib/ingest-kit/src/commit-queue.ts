import { AppError } from '@liandong/errors';

/**
 * Group commit: requests that arrive while a commit is under way wait and go together in the
 * next one — one claim statement, one Kafka produce request and one publish-mark for all of
 * them. Under load this turns a thousand single-record requests per second into a few dozen
 * commits, at no added latency when the service is idle (a lone request is committed at once).
 *
 * Bounded: a group takes at most `maxGroupWeight` records and `maxGroupBytes` bytes; at most
 * `maxQueued` requests wait, and none waits longer than `maxWaitMs` — beyond either the request
 * is refused with a 503 and Retry-After (the overload passes; nothing of it was claimed).
 */
export interface CommitQueueOptions<I, O> {
  /** Commits a group of items; returns one result per item, in order. */
  commit(items: I[]): Promise<O[]>;
  /** Weight of an item (records), to cap a group's size. */
  weight(item: I): number;
  /** Bytes of an item, to cap a group's size in bytes. */
  bytes?(item: I): number;
  /** How many commits may be under way at once. */
  maxInFlight: number;
  /** The most weight one commit takes (a larger single item still goes alone). */
  maxGroupWeight: number;
  /** The most bytes one commit takes (a larger single item still goes alone). */
  maxGroupBytes?: number;
  /** The most items waiting for a commit (default 1,000). */
  maxQueued?: number;
  /** The longest an item waits for its commit to start, in ms (default 30 s). */
  maxWaitMs?: number;
}

interface Waiting<I, O> {
  item: I;
  resolve(result: O): void;
  reject(error: unknown): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

const overloaded = (message: string) =>
  new AppError('dependency_unavailable', `the service is overloaded: ${message}; retry shortly`, {
    retryAfterSeconds: 1,
  });

export function createCommitQueue<I, O>(options: CommitQueueOptions<I, O>) {
  const queue: Waiting<I, O>[] = [];
  const maxQueued = options.maxQueued ?? 1000;
  const maxWaitMs = options.maxWaitMs ?? 30_000;
  const bytesOf = (item: I): number => options.bytes?.(item) ?? 0;
  const maxGroupBytes = options.maxGroupBytes ?? Number.POSITIVE_INFINITY;
  let inFlight = 0;

  function takeGroup(): Waiting<I, O>[] {
    const group: Waiting<I, O>[] = [];
    let weight = 0;
    let bytes = 0;
    while (queue.length > 0) {
      const next = queue[0] as Waiting<I, O>;
      const w = options.weight(next.item);
      const b = bytesOf(next.item);
      if (group.length > 0 && (weight + w > options.maxGroupWeight || bytes + b > maxGroupBytes)) break;
      group.push(next);
      weight += w;
      bytes += b;
      queue.shift();
      clearTimeout(next.timer);
    }
    return group;
  }

  function pump(): void {
    while (inFlight < options.maxInFlight && queue.length > 0) {
      const group = takeGroup();
      inFlight += 1;
      options
        .commit(group.map((w) => w.item))
        .then(
          (results) => group.forEach((w, i) => w.resolve(results[i] as O)),
          (error: unknown) => group.forEach((w) => w.reject(error)),
        )
        .finally(() => {
          inFlight -= 1;
          pump();
        });
    }
  }

  return {
    submit(item: I): Promise<O> {
      if (queue.length >= maxQueued) {
        return Promise.reject(overloaded(`${queue.length} requests wait for a commit`));
      }
      return new Promise<O>((resolve, reject) => {
        const waiting: Waiting<I, O> = { item, resolve, reject, timer: undefined };
        queue.push(waiting);
        pump();
        if (queue.includes(waiting)) {
          waiting.timer = setTimeout(() => {
            const at = queue.indexOf(waiting);
            if (at < 0) return;
            queue.splice(at, 1);
            reject(overloaded(`the request waited ${maxWaitMs} ms for a commit`));
          }, maxWaitMs);
          waiting.timer.unref?.();
        }
      });
    },
    get pending(): number {
      return queue.length;
    },
  };
}
