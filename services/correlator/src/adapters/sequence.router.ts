/**
 * The router: consumes the six events topics (one consumer group for every instance) and copies
 * each batch, in partition order, onto the sequence topic; the source offsets are committed only
 * once Kafka has the copies, so a crash repeats a tail that the engine recognises and skips (see
 * CorrelatorState). It also writes a tick of the wall clock every `tickMs`.
 *
 * One fetch brings a batch for each of the 36 partitions (six topics of six). Copied one after the
 * other, each with its own produce and its own offset commit, they took 0.5-1.5 s per fetch on the
 * 2-core machine, and an event waited one to two such rounds. So the batches of a fetch are taken
 * at once (`partitionsConsumedConcurrently`) and copied together: one produce (cut by bytes) and
 * one offset commit for all of them.
 *
 * The copy does not hold up the next fetch: a batch is queued and its offset resolved at once (the
 * consumer's read position moves on; nothing is committed), and one copy loop produces the queue
 * in order and then commits exactly the offsets it has copied. Waiting for each copy and its
 * commit before fetching again left the process idle two thirds of the time. The queue is bounded
 * (MAX_QUEUED_BYTES): a fetch waits while it is full. A copy that fails is not skipped: every
 * partition with queued copies is sought back to its first copy not on the sequence, the queue is
 * dropped, and the loop goes on after a back-off; so what is on the sequence of each partition has
 * no gap, whatever fails.
 */
import type { Kafka, KafkaMessage } from 'kafkajs';
import type { JsonProducer, OutgoingMessage } from '@liandong/kafka';
import type { Logger } from '@liandong/logger';
import { groupTiming, HEADER } from './sequence.topic.ts';

/** Batches copied at once: more than the partitions of the six events topics (6 × 6). */
const CONCURRENT_BATCHES = 64;
/**
 * Bytes of copies in one produce request, which is one record batch of the sequence topic's one
 * partition: below the broker's default `message.max.bytes` (1,048,588) with room for headers.
 */
export const MAX_REQUEST_BYTES = 900_000;

export interface RouterDeps {
  kafka: Kafka;
  /**
   * The router's own producer, one that replaces itself after a failed send (createEventProducer):
   * a failed request leaves the idempotent producer's sequence numbers unreliable, and a copy it
   * sent next could be dropped by the broker while the send resolves.
   */
  producer: JsonProducer;
  groupId: string;
  topics: readonly string[];
  sequenceTopic: string;
  tickMs: number;
  logger: Logger;
  onCopied?: (count: number) => void;
  onFatal: (error: Error) => void;
  /** The group session timeout (ms; kafkajs's default when absent). */
  sessionTimeoutMs?: number;
}

export interface Router {
  stop(): Promise<void>;
}

/** One fetched batch waiting to be copied, or a clock tick (no source). */
interface QueuedCopy {
  /** The source partition and its first and last offsets in the batch; none for a tick. */
  source?: SourceRange;
  messages: { message: OutgoingMessage; bytes: number }[];
  bytes: number;
}

interface SourceRange {
  topic: string;
  partition: number;
  first: string;
  last: string;
}

/** Copies waiting in memory before a fetch waits for them (one fetch brings up to ~36 MB). */
export const MAX_QUEUED_BYTES = 8 * 1024 * 1024;
/** Back-off after a failed copy: doubles from the first to the last. */
const RETRY_MS = { first: 500, last: 30_000 } as const;
/** While the queue is full, a waiting fetch heartbeats this often (well within any session timeout). */
const HEARTBEAT_WHILE_FULL_MS = 1000;

/** Per source partition of `copies` (ticks have none): its lowest first and highest last offset. */
function spans(copies: readonly { source?: SourceRange }[]): SourceRange[] {
  const byPartition = new Map<string, SourceRange>();
  for (const { source } of copies) {
    if (!source) continue;
    const key = `${source.topic}/${source.partition}`;
    const seen = byPartition.get(key);
    byPartition.set(
      key,
      seen
        ? {
            ...seen,
            first: BigInt(source.first) < BigInt(seen.first) ? source.first : seen.first,
            last: BigInt(source.last) > BigInt(seen.last) ? source.last : seen.last,
          }
        : source,
    );
  }
  return [...byPartition.values()];
}

/** The offsets to commit once `copies` are on the sequence: one past each partition's last copy. */
export function offsetsAfter(
  copies: readonly { source?: SourceRange }[],
): { topic: string; partition: number; offset: string }[] {
  return spans(copies).map(({ topic, partition, last }) => ({
    topic,
    partition,
    offset: (BigInt(last) + 1n).toString(),
  }));
}

/**
 * Where to seek when `copies` (the one that failed and those queued after it) are dropped: each
 * partition's first copy among them.
 */
export function rewindTo(
  copies: readonly { source?: SourceRange }[],
): { topic: string; partition: number; offset: string }[] {
  return spans(copies).map(({ topic, partition, first }) => ({ topic, partition, offset: first }));
}

/** About the bytes a copy takes in a record batch: key, value, headers and the record's own fields. */
export function recordBytes(m: OutgoingMessage): number {
  let bytes = 32 + Buffer.byteLength(m.key) + Buffer.byteLength(m.value as Buffer);
  for (const [name, value] of Object.entries(m.headers ?? {}))
    bytes += 8 + Buffer.byteLength(name) + Buffer.byteLength(value);
  return bytes;
}

/** Requests of at most `maxBytes` (a larger message goes alone), in order. */
export function cutByBytes<T extends { bytes: number }>(items: readonly T[], maxBytes: number): T[][] {
  const requests: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length > 0 && bytes + item.bytes > maxBytes) {
      requests.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.bytes;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}

export async function startRouter(deps: RouterDeps): Promise<Router> {
  const consumer = deps.kafka.consumer({
    groupId: deps.groupId,
    allowAutoTopicCreation: false,
    ...groupTiming(deps.sessionTimeoutMs),
  });
  let stopping = false;
  consumer.on(consumer.events.CRASH, (event) => {
    if (event.payload.restart || stopping) return;
    deps.logger.fatal({ err: event.payload.error }, 'router consumer crashed and will not restart');
    deps.onFatal(event.payload.error);
  });
  /** The partitions this member reads now (`topic/partition`): seeks and commits are for them only. */
  let assigned = new Set<string>();
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    assigned = new Set(
      Object.entries(event.payload.memberAssignment).flatMap(([topic, partitions]) =>
        partitions.map((partition) => `${topic}/${partition}`),
      ),
    );
  });
  const isAssigned = (at: { topic: string; partition: number }) =>
    assigned.has(`${at.topic}/${at.partition}`);

  let queue: QueuedCopy[] = [];
  let queuedBytes = 0;
  let drained: (() => void)[] = [];
  let copying = false;
  let failures = 0;
  const release = (bytes: number) => {
    queuedBytes -= bytes;
    if (queuedBytes > MAX_QUEUED_BYTES && queue.length > 0) return;
    for (const resolve of drained) resolve();
    drained = [];
  };

  // Copies and clock ticks alike are sent by the copy loop, in queue order, on this producer: a
  // tick sent beside the loop would leave a failed producer in place for the next copy.
  const { producer } = deps;
  await producer.connect();
  async function copy(group: QueuedCopy[]): Promise<void> {
    const messages = group.flatMap((c) => c.messages);
    // In order: a partition's copies stay in its order across the requests.
    for (const request of cutByBytes(messages, MAX_REQUEST_BYTES))
      await producer.send([{ topic: deps.sequenceTopic, messages: request.map((r) => r.message) }]);
    const events = group.reduce((sum, c) => sum + (c.source ? c.messages.length : 0), 0);
    if (events > 0) deps.onCopied?.(events);
  }
  async function commit(group: QueuedCopy[]): Promise<void> {
    // Only now are the source offsets done with. A commit refused (a rebalance under way) loses
    // nothing: the copies are on the sequence, and whoever reads the partition next repeats them
    // from the last commit, which the engine skips. A partition gone to another member is not
    // committed: its new reader's commits are its own.
    const offsets = offsetsAfter(group).filter(isAssigned);
    if (offsets.length === 0) return;
    try {
      await consumer.commitOffsets(offsets);
    } catch (error) {
      deps.logger.warn({ err: error }, 'could not commit the copied offsets; the next reader repeats them');
    }
  }
  /** Drops `failed` and the queue behind it, seeks their partitions back; the back-off (ms). */
  function rewind(failed: QueuedCopy[], error: unknown): number {
    // Synchronously with dropping the queue: a batch that reaches eachBatch after this is stale.
    const dropped = [...failed, ...queue];
    queue = [];
    // Only this member's partitions (a seek kept for another's would apply when it came back,
    // maybe days later). One the consumer cannot seek now (restarting after a crash, stopping)
    // is read again from its last commit, which is never past a copy missing.
    const seeks = rewindTo(dropped).filter(isAssigned);
    for (const at of seeks)
      try {
        consumer.seek(at);
      } catch (seekError) {
        deps.logger.warn(
          { err: seekError, ...at },
          'could not seek back; the partition resumes from its last commit',
        );
      }
    release(dropped.reduce((sum, c) => sum + c.bytes, 0));
    failures += 1;
    const backoffMs = Math.min(RETRY_MS.first * 2 ** (failures - 1), RETRY_MS.last);
    deps.logger.warn(
      { err: error, partitions: seeks.length, backoffMs },
      'could not copy onto the sequence; reading those partitions again from the first copy missing',
    );
    return backoffMs;
  }
  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const group = queue;
      queue = [];
      try {
        await copy(group);
      } catch (error) {
        const backoffMs = rewind(group, error);
        // The producer has replaced itself (a new producer id) for the next send.
        await new Promise((r) => setTimeout(r, backoffMs));
        if (stopping) return;
        continue;
      }
      failures = 0;
      await commit(group);
      release(group.reduce((sum, c) => sum + c.bytes, 0));
    }
  }
  function enqueue(item: QueuedCopy): void {
    queue.push(item);
    queuedBytes += item.bytes;
    kick();
  }
  function kick(): void {
    if (copying) return;
    copying = true;
    // setImmediate: every batch of the fetch reaches eachBatch in this turn and joins the group.
    setImmediate(() => {
      drain()
        .catch((error: unknown) =>
          deps.logger.error({ err: error }, 'the copy loop failed; it starts again with what is queued'),
        )
        .finally(() => {
          copying = false;
          if (queue.length > 0 && !stopping) kick();
        });
    });
  }

  await consumer.connect();
  for (const topic of deps.topics) await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    // Offsets committed by the copy loop, only after the copies are on the sequence topic.
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: CONCURRENT_BATCHES,
    eachBatch: async (payload) => {
      const { batch } = payload;
      // Stopping: nothing more is queued or resolved (what is not copied is read again).
      if (stopping || !payload.isRunning() || payload.isStale() || batch.messages.length === 0) return;
      const source = `${batch.topic}/${batch.partition}`;
      const messages = batch.messages.map((m) => {
        // Keyed by its source, without headers (a record without a kind is an event): each header
        // is an encoder and a buffer more per record, on the thread that encodes every copy.
        const message: OutgoingMessage = {
          key: `${source}/${m.offset}`,
          value: m.value ?? Buffer.from('null'),
          partition: 0,
        };
        return { message, bytes: recordBytes(message) };
      });
      enqueue({
        source: {
          topic: batch.topic,
          partition: batch.partition,
          first: (batch.messages[0] as KafkaMessage).offset,
          last: batch.lastOffset(),
        },
        messages,
        bytes: messages.reduce((sum, m) => sum + m.bytes, 0),
      });
      // The read position moves on; the commit waits for the copy.
      payload.resolveOffset(batch.lastOffset());
      // A full queue holds the fetch, with heartbeats (kafkajs sends none while eachBatch waits).
      while (queuedBytes > MAX_QUEUED_BYTES && !stopping) {
        await Promise.race([
          new Promise<void>((resolve) => drained.push(resolve)),
          new Promise((r) => setTimeout(r, HEARTBEAT_WHILE_FULL_MS)),
        ]);
        await payload.heartbeat();
      }
      await payload.heartbeat();
    },
  });
  const ticker =
    deps.tickMs > 0
      ? setInterval(() => {
          if (stopping) return;
          const at = Date.now();
          const message: OutgoingMessage = {
            key: 'tick',
            value: Buffer.from(JSON.stringify({ at })),
            headers: { [HEADER.kind]: 'tick', [HEADER.at]: String(at) },
            partition: 0,
          };
          enqueue({ messages: [{ message, bytes: recordBytes(message) }], bytes: 0 });
        }, deps.tickMs)
      : undefined;
  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= (async () => {
        stopping = true;
        if (ticker) clearInterval(ticker);
        // The copies under way finish and are committed (else the next reader repeats them).
        const deadline = Date.now() + 10_000;
        while ((copying || queue.length > 0) && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 20));
        await consumer.disconnect();
        await producer.disconnect();
      })();
      return stopped;
    },
  };
}
