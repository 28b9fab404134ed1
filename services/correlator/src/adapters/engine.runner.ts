/**
 * The engine stage: takes the sequence topic in order, feeds each event (and clock tick) to the
 * engine, produces the warnings not produced before to the warnings topic (key: warning id), then
 * records them in PostgreSQL; when due, a snapshot with the input offset it covers is written in a
 * transaction of its own beside the next batches. After a crash: the snapshot is restored, the
 * unrecorded tail of the warnings topic read back, and the input replayed from the snapshot's
 * offset; the engine is deterministic, so the replay gives the same warnings, and those already
 * produced are not produced again.
 */
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { NormalizedEvent, validator, type Warning } from '@liandong/contracts';
import {
  ruleFilesFingerprint,
  type EngineOptions,
  type RuleChanges,
  type RuleSet,
} from '@liandong/correlation-engine';
import type { JsonProducer } from '@liandong/kafka';
import type { Logger } from '@liandong/logger';
import type { CorrelatorMetrics } from '../metrics.ts';
import {
  CorrelatorState,
  markProduced,
  rulesFingerprint,
  unproduced,
  type RuleFiles,
  type SequencedInput,
} from '../domain/correlator.state.ts';
import type { CheckpointRepository } from './checkpoint.repository.ts';
import { readOutputTail } from './output.tail.ts';
import { HEADER } from './sequence.topic.ts';

export interface EngineRunnerDeps {
  kafka: Kafka;
  producer: JsonProducer;
  repository: CheckpointRepository;
  groupId: string;
  sequenceTopic: string;
  warningsTopic: string;
  /** The rule set of the rule folder, with its text: what a state with no snapshot starts with. */
  rules: () => { ruleSet: RuleSet; files: RuleFiles };
  /** The engine now runs this rule set (after a restore, or a rules record of the sequence). */
  onRules?: (ruleSet: RuleSet, fingerprint: string | undefined, changes?: RuleChanges) => void;
  engineOptions: EngineOptions;
  snapshotMs: number;
  logger: Logger;
  metrics: CorrelatorMetrics;
  onFatal: (error: Error) => void;
  now?: () => number;
}

export interface EngineRunner {
  readonly consumer: Consumer;
  /** The state in hand (undefined before the partition is assigned and loaded). */
  state(): CorrelatorState | undefined;
  /** Writes a snapshot of the state in hand now. */
  checkpoint(): Promise<void>;
  stop(): Promise<void>;
}

const PARTITION = 0;
const isEvent = validator(NormalizedEvent);

function headerOf(message: KafkaMessage, name: string): string | undefined {
  const value = message.headers?.[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? String(value[0]) : String(value);
}

/** A sequence record as the engine takes it; undefined when it is not one (logged, skipped). */
export function decodeSequenced(message: KafkaMessage): SequencedInput | { invalid: string } {
  const kind = headerOf(message, HEADER.kind);
  if (kind === 'tick') {
    const at = Number(headerOf(message, HEADER.at));
    return Number.isFinite(at) ? { kind: 'tick', at } : { invalid: 'a tick without a time' };
  }
  let value: unknown;
  try {
    value = JSON.parse(message.value?.toString('utf8') ?? '');
  } catch (error) {
    return { invalid: `not JSON: ${(error as Error).message}` };
  }
  if (kind === 'rules') return decodeRules(value);
  if (!isEvent.check(value)) {
    const first = isEvent.issues(value)[0];
    return { invalid: `not a normalized event: ${first?.pointer ?? ''} ${first?.message ?? ''}` };
  }
  const source = headerOf(message, HEADER.source);
  const cut = source?.lastIndexOf('/') ?? -1;
  return {
    kind: 'event',
    event: value,
    source:
      source && cut > 0
        ? { partition: source.slice(0, cut), offset: BigInt(source.slice(cut + 1)) }
        : undefined,
  };
}

/** A rules record: `{ fingerprint, files: [{ name, text }] }`, its fingerprint that of its files. */
function decodeRules(value: unknown): SequencedInput | { invalid: string } {
  const data = value as Partial<RuleFiles> | null;
  const files = data?.files;
  if (
    typeof data?.fingerprint !== 'string' ||
    !Array.isArray(files) ||
    !files.every((f) => typeof f?.name === 'string' && typeof f?.text === 'string')
  )
    return { invalid: 'a rules record that is not { fingerprint, files: [{ name, text }] }' };
  if (ruleFilesFingerprint(files) !== data.fingerprint)
    return { invalid: `a rules record whose files do not have its fingerprint ${data.fingerprint}` };
  return { kind: 'rules', rules: { fingerprint: data.fingerprint, files } };
}

/**
 * At most one snapshot each `snapshotMs`, and never more often than 20 times its serialization
 * time: a snapshot is serialized on the event loop, holding the batches (and their warnings) for
 * as long, and a state of many warnings takes hundreds of milliseconds — so snapshots take at most
 * 5 % of the engine's time, whatever its size. 0 keeps its meaning: after every batch.
 */
export function snapshotInterval(snapshotMs: number, lastSerializeMs: number): number {
  return snapshotMs === 0 ? 0 : Math.max(snapshotMs, 20 * lastSerializeMs);
}

export async function startEngineRunner(deps: EngineRunnerDeps): Promise<EngineRunner> {
  const { logger, metrics, repository } = deps;
  const now = deps.now ?? Date.now;
  const key = {
    groupId: deps.groupId,
    topic: deps.sequenceTopic,
    partition: PARTITION,
    scope: deps.warningsTopic,
  };
  let state: CorrelatorState | undefined;
  let rules = '';
  let nextOffset = 0n;
  let needsLoad = true;
  let lastSnapshotAt = 0;
  /** How long the last snapshot took to serialize (on the event loop, holding the batches). */
  let lastSerializeMs = 0;
  const snapshotDue = () => now() - lastSnapshotAt >= snapshotInterval(deps.snapshotMs, lastSerializeMs);
  let produced = new Map<string, number>();
  /** The input offset the last snapshot covers. */
  let snapshotOffset = -1n;
  /** The snapshot being written beside the batches, if any (one at a time, in order); never fails. */
  let writing: Promise<void> | undefined;
  /** Batches and snapshots one at a time. */
  let lock: Promise<unknown> = Promise.resolve();
  const exclusively = <T>(work: () => Promise<T>): Promise<T> => {
    const run = lock.then(work, work);
    lock = run.catch(() => undefined);
    return run;
  };
  let lastStats: Record<string, { considered: number; raised: number; revisions: number }> = {};

  const consumer = deps.kafka.consumer({ groupId: deps.groupId, allowAutoTopicCreation: false });
  let stopping = false;
  consumer.on(consumer.events.CRASH, (event) => {
    if (event.payload.restart || stopping) return;
    logger.fatal({ err: event.payload.error }, 'engine consumer crashed and will not restart');
    deps.onFatal(event.payload.error);
  });
  // A (re)assignment: whoever held the partition before may have gone on past our state.
  consumer.on(consumer.events.GROUP_JOIN, () => {
    needsLoad = true;
  });

  /** Restores the checkpoint (or starts fresh) and learns what the warnings topic already has. */
  async function load(): Promise<void> {
    await writing;
    const folder = deps.rules();
    const checkpoint = await repository.load(key.groupId, key.topic, key.partition);
    state = undefined;
    // A snapshot goes on under the rules it was taken with (its own text); an older one, written
    // before it carried them, only under the same rules as the folder's.
    if (checkpoint) {
      try {
        state = CorrelatorState.restore(folder.ruleSet, checkpoint.snapshot, deps.engineOptions);
        nextOffset = BigInt(checkpoint.nextOffset);
      } catch (error) {
        logger.warn({ err: error }, 'the snapshot cannot be restored; replaying the sequence from its start');
      }
    }
    if (!state) {
      state = CorrelatorState.fresh(folder.ruleSet, deps.engineOptions, folder.files);
      nextOffset = 0n;
    }
    rules = rulesFingerprint(state.engine.ruleSet);
    deps.onRules?.(state.engine.ruleSet, state.rulesFingerprint);
    const known = await repository.loadProduced(key.scope);
    const tail = await readOutputTail(deps.kafka, key.scope, known.offsets);
    produced = known.produced;
    for (const [id, revision] of tail.produced)
      if (revision > (produced.get(id) ?? 0)) produced.set(id, revision);
    await repository.record(key, { produced: tail.produced, outputOffsets: tail.ends });
    lastStats = structuredClone(state.engine.stats().rules);
    lastSnapshotAt = now();
    snapshotOffset = nextOffset;
    metrics.position.set(Number(nextOffset));
    metrics.restores.inc({ from: checkpoint && state.engine.stats().events > 0 ? 'snapshot' : 'start' });
    logger.info(
      { nextOffset: nextOffset.toString(), events: state.engine.stats().events, tailRead: tail.read },
      'engine state loaded',
    );
  }

  function countRules(current: typeof lastStats) {
    for (const [rule, s] of Object.entries(current)) {
      const before = lastStats[rule] ?? { considered: 0, raised: 0, revisions: 0 };
      if (s.considered > before.considered)
        metrics.considered.inc({ rule }, s.considered - before.considered);
      if (s.raised > before.raised) metrics.warnings.inc({ rule, kind: 'raised' }, s.raised - before.raised);
      const revised = s.revisions - s.raised - (before.revisions - before.raised);
      if (revised > 0) metrics.warnings.inc({ rule, kind: 'revised' }, revised);
    }
    lastStats = structuredClone(current);
  }

  async function produce(warnings: Warning[]): Promise<Map<number, string>> {
    const offsets = new Map<number, string>();
    if (warnings.length === 0) return offsets;
    const results = await deps.producer.send([
      { topic: deps.warningsTopic, messages: warnings.map((w) => ({ key: w.id, value: w })) },
    ]);
    // The first offset of this batch per partition: everything before it is recorded.
    for (const r of results) if (r.baseOffset !== '-1') offsets.set(r.partition, r.baseOffset);
    return offsets;
  }

  /**
   * Takes a snapshot of the state in hand — every input before `nextOffset` taken, and every
   * warning of them produced and recorded — and writes it. Writing takes 50-200 ms on a busy
   * machine; the batches do not wait for it (see step).
   */
  function snapshot(): Promise<void> {
    const current = state;
    // After a failed batch the state may have gone on past what was produced: never snapshot it.
    if (!current || needsLoad) return Promise.resolve();
    const started = now();
    const covers = nextOffset;
    const text = current.snapshot();
    lastSerializeMs = now() - started;
    metrics.snapshotSerializeSeconds.observe(lastSerializeMs / 1000);
    const checkpoint = {
      nextOffset: covers.toString(),
      rules,
      snapshot: text,
      events: current.engine.stats().events,
    };
    const previous = writing;
    const write = (async () => {
      await previous;
      await repository.record(key, { produced: new Map(), outputOffsets: new Map(), checkpoint });
      lastSnapshotAt = now();
      snapshotOffset = covers;
      metrics.snapshotSeconds.observe((now() - started) / 1000);
    })();
    // `writing` only orders the writes and never fails: the caller of `write` hears of a failure.
    const tracked: Promise<void> = write
      .catch(() => undefined)
      .then(() => {
        if (writing === tracked) writing = undefined;
      });
    writing = tracked;
    return write;
  }

  /**
   * A snapshot of the state between two batches, written beside the batches that follow; resolves
   * once written. Only taking it holds the batches: a write that waits (a locked row, a slow
   * database) must not keep the next batches and their warnings waiting with it.
   */
  async function snapshotBeside(): Promise<void> {
    const { written } = await exclusively(async () => ({ written: snapshot() }));
    await written;
  }

  await consumer.connect();
  await consumer.subscribe({ topic: deps.sequenceTopic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async (payload) => {
      const { batch } = payload;
      if (!payload.isRunning() || payload.isStale()) return;
      if (needsLoad) {
        needsLoad = false;
        await load();
        await payload.heartbeat();
        // Offsets are ours (PostgreSQL), not the group's: go to the snapshot's.
        consumer.seek({ topic: batch.topic, partition: batch.partition, offset: nextOffset.toString() });
        return;
      }
      const current = state;
      if (!current) return;
      try {
        await exclusively(() => step(current, batch.messages));
      } catch (error) {
        // The engine has gone on past what is recorded: start again from the snapshot.
        needsLoad = true;
        throw error;
      }
      payload.resolveOffset(batch.lastOffset());
      await payload.heartbeat();
    },
  });

  /** A rules record taken: said, counted, and told to the HTTP side when the set changed. */
  function applied(
    current: CorrelatorState,
    fingerprint: string,
    offset: string,
    result: ReturnType<CorrelatorState['step']>,
  ): void {
    if (result.refused !== undefined) {
      logger.error(
        { offset, fingerprint, reason: result.refused },
        'rules record refused; the running set stays',
      );
      return;
    }
    if (!result.changes) return;
    rules = rulesFingerprint(current.engine.ruleSet);
    // A rule that started afresh counts from 0 again (a kept or changed rule's counts go on).
    for (const id of [...result.changes.replaced, ...result.changes.added, ...result.changes.removed])
      delete lastStats[id];
    logger.info({ offset, fingerprint, ...result.changes }, 'rule set reloaded');
    deps.onRules?.(current.engine.ruleSet, fingerprint, result.changes);
  }

  async function step(current: CorrelatorState, messages: KafkaMessage[]): Promise<void> {
    const out: Warning[] = [];
    for (const message of messages) {
      const offset = BigInt(message.offset);
      if (offset < nextOffset) continue;
      const input = decodeSequenced(message);
      if ('invalid' in input) {
        metrics.events.inc({ outcome: 'invalid' });
        logger.error({ offset: message.offset, reason: input.invalid }, 'sequence record skipped');
      } else {
        const result = current.step(input);
        metrics.events.inc({ outcome: result.outcome });
        if (input.kind === 'rules') applied(current, input.rules.fingerprint, message.offset, result);
        for (const w of result.warnings) out.push(w);
      }
      nextOffset = offset + 1n;
    }
    const fresh = unproduced(out, produced);
    const outputOffsets = await produce(fresh);
    await repository.record(key, { produced: markProduced(fresh, produced), outputOffsets });
    countRules(current.engine.stats().rules);
    // Taken, and their warnings produced and recorded.
    metrics.position.set(Number(nextOffset));
    // Not awaited: written in the same transaction as the batch, it held up the next batch — and
    // the warnings it would raise — for the whole write. One at a time; when one is still being
    // written, a later batch takes the next.
    if (!writing && snapshotDue())
      snapshot().catch((error: unknown) => logger.warn({ err: error }, 'could not write a snapshot'));
  }

  // A quiet input still gets its snapshot: a restart then replays nothing.
  const idle = setInterval(
    () => {
      if (!state || needsLoad || writing || snapshotOffset === nextOffset || !snapshotDue()) return;
      snapshotBeside().catch((error: unknown) => logger.warn({ err: error }, 'could not write a snapshot'));
    },
    Math.max(250, deps.snapshotMs),
  );

  return {
    consumer,
    state: () => state,
    checkpoint: snapshotBeside,
    async stop() {
      stopping = true;
      clearInterval(idle);
      await consumer.disconnect();
    },
  };
}
