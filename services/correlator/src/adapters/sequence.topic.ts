/**
 * The correlator's own topic: every event of the six events topics copied into each of its
 * partitions, in the one order the engine takes them (the events topics are keyed by event id, six partitions
 * each, so their interleaving differs from one read to the next; this log fixes it once). Ticks
 * of the wall clock are written into it too, so silences fire in the same place on a replay, and
 * so is each rule set the correlator is to run (a `rules` record, value `{ fingerprint, files }`),
 * so that a reload takes effect at the same place on a replay too.
 *
 * Each partition is a shard of the rules (rule.shards.ts): every record goes to every partition,
 * and the engine of a partition runs its shard's rules, so the correlators of a consumer group
 * divide the rules between them through the partitions Kafka assigns. One partition: one engine
 * with every rule.
 */
export const SEQUENCE_TOPIC = 'correlator.sequence.v1';

export const SEQUENCE_TOPIC_CONFIG = {
  'cleanup.policy': 'delete',
  'retention.ms': String(14 * 24 * 3600 * 1000),
} as const;

/** The same messages for every partition of a topic of `partitions`, partition by partition. */
export function toEveryPartition<T extends object>(messages: readonly T[], partitions: number): (T & { partition: number })[] {
  const out: (T & { partition: number })[] = [];
  for (let partition = 0; partition < partitions; partition++)
    for (const m of messages) out.push({ ...m, partition });
  return out;
}

/** Headers of a sequence record. */
export const HEADER = {
  /** `event`, `tick` or `rules`. */
  kind: 'liandong-kind',
  /** `<topic>/<partition>/<offset>` of the copied event. */
  source: 'liandong-source',
  /** Wall-clock ms of a tick. */
  at: 'liandong-at',
} as const;
