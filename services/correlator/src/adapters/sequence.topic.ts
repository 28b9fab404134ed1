/**
 * The correlator's own topic: every event of the six events topics copied into one partition, in
 * the one order the engine takes them (the events topics are keyed by event id, six partitions
 * each, so their interleaving differs from one read to the next; this log fixes it once). Ticks
 * of the wall clock are written into it too, so silences fire in the same place on a replay, and
 * so is each rule set the correlator is to run (a `rules` record, value `{ fingerprint, files }`),
 * so that a reload takes effect at the same place on a replay too.
 */
export const SEQUENCE_TOPIC = 'correlator.sequence.v1';

export const SEQUENCE_TOPIC_SPEC = {
  name: SEQUENCE_TOPIC,
  partitions: 1,
  config: { 'cleanup.policy': 'delete', 'retention.ms': String(14 * 24 * 3600 * 1000) },
} as const;

/**
 * The shards of the sequence (only when the rules are divided, CORRELATOR_SHARDS > 1): one
 * partition per shard of the rules (rule.shards.ts), each a copy of the whole sequence in its
 * order, written by one fan-out (shard.fanout.ts). The engine of partition p runs shard p's rules,
 * so the correlators of a consumer group divide the rules through the partitions Kafka assigns.
 */
export const SHARDS_TOPIC = 'correlator.shards.v1';

export const SHARDS_TOPIC_CONFIG = SEQUENCE_TOPIC_SPEC.config;

/**
 * The most bytes one record of the correlator's topics may take (the broker's default
 * `message.max.bytes`, 1,048,588, less a record batch's header): a copy's key is longer than the
 * event's, so the ingest services' limit (1,000,000) would refuse an event they took.
 */
export const SEQUENCE_MAX_MESSAGE_BYTES = 1_040_000;

/** Headers of a sequence record. */
export const HEADER = {
  /** `tick` or `rules`; an event's copy has none (`event` on copies written before 3 Dec 2026). */
  kind: 'liandong-kind',
  /**
   * `<topic>/<partition>/<offset>` of the copied event, on copies written before 3 Dec 2026; a copy
   * now carries it as its key and has no headers (sourceOfCopy).
   */
  source: 'liandong-source',
  /** Wall-clock ms of a tick. */
  at: 'liandong-at',
  /** On a shard's copy: the record's offset in the sequence. */
  log: 'liandong-log-offset',
} as const;

/** The same messages for every partition of a topic of `partitions`, partition by partition. */
export function toEveryPartition<T extends object>(
  messages: readonly T[],
  partitions: number,
): (T & { partition: number })[] {
  const out: (T & { partition: number })[] = [];
  for (let partition = 0; partition < partitions; partition++)
    for (const m of messages) out.push({ ...m, partition });
  return out;
}

/** A consumer group's session timeout, with heartbeats a tenth of it (kafkajs's defaults when absent). */
export function groupTiming(sessionTimeoutMs: number | undefined): {
  sessionTimeout?: number;
  heartbeatInterval?: number;
} {
  if (sessionTimeoutMs === undefined) return {};
  return {
    sessionTimeout: sessionTimeoutMs,
    heartbeatInterval: Math.max(100, Math.floor(sessionTimeoutMs / 10)),
  };
}

/**
 * The source partition (`<topic>/<partition>`) and offset an event's copy came from: its key (the router writes copies
 * without headers, which halves the records' encoding work) or, on a copy written before 3 Dec
 * 2026, its source header (its key then was the event's id).
 */
export function sourceOfCopy(message: {
  key: Buffer | null;
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}): { partition: string; offset: bigint } | undefined {
  const header = message.headers?.[HEADER.source];
  const source =
    header !== undefined ? String(Array.isArray(header) ? header[0] : header) : message.key?.toString('utf8');
  // `<topic>/<partition>` and a decimal offset: anything else is no source (never a wrong offset).
  const cut = source?.lastIndexOf('/') ?? -1;
  const offset = cut > 0 ? (source as string).slice(cut + 1) : '';
  return /^\d+$/.test(offset)
    ? { partition: (source as string).slice(0, cut), offset: BigInt(offset) }
    : undefined;
}
