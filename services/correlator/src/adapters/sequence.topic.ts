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

/** Headers of a sequence record. */
export const HEADER = {
  /** `event`, `tick` or `rules`. */
  kind: 'liandong-kind',
  /** `<topic>/<partition>/<offset>` of the copied event. */
  source: 'liandong-source',
  /** Wall-clock ms of a tick. */
  at: 'liandong-at',
} as const;
