/**
 * Group commit: requests that arrive while a commit is under way wait and go together in the
 * next one — one PostgreSQL transaction and one Kafka produce request for all of them. Under
 * load this turns a thousand single-record requests per second into a few dozen commits, at no
 * added latency when the service is idle (a lone request is committed at once).
 */
export interface CommitQueueOptions<I, O> {
  /** Commits a group of items; returns one result per item, in order. */
  commit(items: I[]): Promise<O[]>;
  /** Weight of an item (records), to cap a group's size. */
  weight(item: I): number;
  /** How many commits may be under way at once. */
  maxInFlight: number;
  /** The most weight one commit takes (a larger single item still goes alone). */
  maxGroupWeight: number;
}

interface Waiting<I, O> {
  item: I;
  resolve(result: O): void;
  reject(error: unknown): void;
}

export function createCommitQueue<I, O>(options: CommitQueueOptions<I, O>) {
  const queue: Waiting<I, O>[] = [];
  let inFlight = 0;

  function takeGroup(): Waiting<I, O>[] {
    const group: Waiting<I, O>[] = [];
    let weight = 0;
    while (queue.length > 0) {
      const next = queue[0] as Waiting<I, O>;
      const w = options.weight(next.item);
      if (group.length > 0 && weight + w > options.maxGroupWeight) break;
      group.push(next);
      weight += w;
      queue.shift();
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
      return new Promise<O>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        pump();
      });
    },
    get pending(): number {
      return queue.length;
    },
  };
}
