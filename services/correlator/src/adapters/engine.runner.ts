/**
 * The engine stage: takes each partition of its input Kafka assigns it (the sequence's one, or the
 * shards of correlator.shards.v1) in order, feeds
 * each event (and clock tick) to the engine of that partition — which runs that partition's shard
 * of the rules — produces the warnings not produced before to the warnings topic (key: warning id),
 * then records them in PostgreSQL; when due, a snapshot of a partition's state with the input
 * offset it covers is written in a transaction of its own beside the next batches. After a crash
 * or a rebalance: the snapshot is restored, the unrecorded tail of the warnings topic read back,
 * and the input replayed from the snapshot's offset; the engine is deterministic, so the replay
 * gives the same warnings, and those already produced are not produced again.
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
import { groupTiming, HEADER, sourceOfCopy } from './sequence.topic.ts';

export interface EngineRunnerDeps {
  kafka: Kafka;
  producer: JsonProducer;
  repository: CheckpointRepository;
  groupId: string;
  sequenceTopic: string;
  /** The input topic's partitions: the number of shards the rules are divided into. */
  partitions: number;
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
  /** The group session timeout (ms; kafkajs's default when absent). */
  sessionTimeoutMs?: number;
  now?: () => number;
}

export interface EngineRunner {
  readonly consumer: Consumer;
  /** The state in hand of a partition (undefined before it is assigned and loaded). */
  state(partition?: number): CorrelatorState | undefined;
  /** The partitions whose state is in hand. */
  partitions(): number[];
  /** Writes a snapshot of every state in hand now. */
  checkpoint(): Promise<void>;
  stop(): Promise<void>;
}

const isEvent = validator(NormalizedEvent);

function headerOf(message: KafkaMessage, name: string): string | undefined {
  const value = message.headers?.[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? String(value[0]) : String(value);
}

/** A sequence record as the engine takes it; undefined when it is not one (logged, skipped). */
export function decodeSequenced(message: KafkaMessage): SequencedInput | { invalid: string } {
  const log = headerOf(message, HEADER.log);
  const input = decodeInput(message);
  if (log === undefined || 'invalid' in input) return input;
  return /^\d+$/.test(log)
    ? { ...input, log: BigInt(log) }
    : { invalid: `a log offset that is not one: ${log}` };
}

function decodeInput(message: KafkaMessage): SequencedInput | { invalid: string } {
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
  return { kind: 'event', event: value, source: sourceOfCopy(message) };
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
  type Stats = Record<string, { considered: number; raised: number; revisions: number }>;
  /** One partition of the sequence in hand: its state and how far it is taken and snapshotted. */
  interface Run {
    readonly partition: number;
    readonly key: { groupId: string; topic: string; partition: number; scope: string };
    state: CorrelatorState | undefined;
    rules: string;
    nextOffset: bigint;
    needsLoad: boolean;
    lastSnapshotAt: number;
    /** How long the last snapshot took to serialize (on the event loop, holding the batches). */
    lastSerializeMs: number;
    /** The input offset the last snapshot covers. */
    snapshotOffset: bigint;
    /** The snapshot being written beside the batches, if any (one at a time, in order); never fails. */
    writing: Promise<void> | undefined;
    lastStats: Stats;
  }
  const runs = new Map<number, Run>();
  const runOf = (partition: number): Run => {
    let run = runs.get(partition);
    if (!run) {
      run = {
        partition,
        key: { groupId: deps.groupId, topic: deps.sequenceTopic, partition, scope: deps.warningsTopic },
        state: undefined,
        rules: '',
        nextOffset: 0n,
        needsLoad: true,
        lastSnapshotAt: 0,
        lastSerializeMs: 0,
        snapshotOffset: -1n,
        writing: undefined,
        lastStats: {},
      };
      runs.set(partition, run);
    }
    return run;
  };
  const snapshotDue = (run: Run) =>
    now() - run.lastSnapshotAt >= snapshotInterval(deps.snapshotMs, run.lastSerializeMs);
  /** Highest revision produced per warning id (every partition's: their rules, so their ids, differ). */
  const produced = new Map<string, number>();
  /** Batches and snapshots one at a time. */
  let lock: Promise<unknown> = Promise.resolve();
  const exclusively = <T>(work: () => Promise<T>): Promise<T> => {
    const run = lock.then(work, work);
    lock = run.catch(() => undefined);
    return run;
  };

  const consumer = deps.kafka.consumer({
    groupId: deps.groupId,
    allowAutoTopicCreation: false,
    ...groupTiming(deps.sessionTimeoutMs),
  });
  let stopping = false;
  consumer.on(consumer.events.CRASH, (event) => {
    if (event.payload.restart || stopping) return;
    logger.fatal({ err: event.payload.error }, 'engine consumer crashed and will not restart');
    deps.onFatal(event.payload.error);
  });
  // A (re)assignment: whoever held a partition before may have gone on past our state of it; a
  // partition given to another correlator is dropped.
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    const assigned = new Set(event.payload.memberAssignment[deps.sequenceTopic] ?? []);
    for (const [partition, run] of runs) {
      run.needsLoad = true;
      if (!assigned.has(partition)) {
        runs.delete(partition);
        metrics.position.remove({ partition: String(partition) });
      }
    }
    logger.info({ partitions: [...assigned].sort((a, b) => a - b) }, 'sequence partitions assigned');
  });

  /** Restores a partition's checkpoint (or starts it fresh) and learns what the warnings topic already has. */
  async function load(run: Run): Promise<void> {
    await run.writing;
    const folder = deps.rules();
    const shard = { index: run.partition, count: deps.partitions };
    const checkpoint = await repository.load(run.key.groupId, run.key.topic, run.key.partition);
    let state: CorrelatorState | undefined;
    // A snapshot goes on under the rules it was taken with (its own text); an older one, written
    // before it carried them, only under the same rules as the folder's.
    if (checkpoint) {
      try {
        state = CorrelatorState.restore(folder.ruleSet, checkpoint.snapshot, deps.engineOptions, shard);
        run.nextOffset = BigInt(checkpoint.nextOffset);
      } catch (error) {
        logger.warn(
          { err: error, partition: run.partition },
          'the snapshot cannot be restored; replaying the sequence from its start',
        );
      }
    }
    if (!state) {
      state = CorrelatorState.fresh(folder.ruleSet, deps.engineOptions, folder.files, shard);
      run.nextOffset = 0n;
    }
    run.state = state;
    run.rules = rulesFingerprint(state.engine.ruleSet);
    deps.onRules?.(state.ruleSet, state.rulesFingerprint);
    const known = await repository.loadProduced(run.key.scope);
    const tail = await readOutputTail(deps.kafka, run.key.scope, known.offsets);
    // Only ever raised: every entry is a warning revision Kafka has.
    for (const source of [known.produced, tail.produced])
      for (const [id, revision] of source) if (revision > (produced.get(id) ?? 0)) produced.set(id, revision);
    await repository.record(run.key, { produced: tail.produced, outputOffsets: tail.ends });
    run.lastStats = structuredClone(state.engine.stats().rules);
    run.lastSnapshotAt = now();
    run.snapshotOffset = run.nextOffset;
    metrics.position.set({ partition: String(run.partition) }, Number(run.nextOffset));
    metrics.restores.inc({ from: checkpoint && state.engine.stats().events > 0 ? 'snapshot' : 'start' });
    logger.info(
      {
        partition: run.partition,
        rules: state.engine.ruleSet.rules.length,
        nextOffset: run.nextOffset.toString(),
        events: state.engine.stats().events,
        tailRead: tail.read,
      },
      'engine state loaded',
    );
  }

  function countRules(run: Run, current: Stats) {
    const lastStats = run.lastStats;
    for (const [rule, s] of Object.entries(current)) {
      const before = lastStats[rule] ?? { considered: 0, raised: 0, revisions: 0 };
      if (s.considered > before.considered)
        metrics.considered.inc({ rule }, s.considered - before.considered);
      if (s.raised > before.raised) metrics.warnings.inc({ rule, kind: 'raised' }, s.raised - before.raised);
      const revised = s.revisions - s.raised - (before.revisions - before.raised);
      if (revised > 0) metrics.warnings.inc({ rule, kind: 'revised' }, revised);
    }
    run.lastStats = structuredClone(current);
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
   * Takes a snapshot of a partition's state in hand — every input before `nextOffset` taken, and
   * every warning of them produced and recorded — and writes it. Writing takes 50-200 ms on a busy
   * machine; the batches do not wait for it (see step).
   */
  function snapshot(run: Run): Promise<void> {
    const current = run.state;
    // After a failed batch the state may have gone on past what was produced: never snapshot it.
    if (!current || run.needsLoad) return Promise.resolve();
    const started = now();
    const covers = run.nextOffset;
    const text = current.snapshot();
    run.lastSerializeMs = now() - started;
    metrics.snapshotSerializeSeconds.observe(run.lastSerializeMs / 1000);
    const checkpoint = {
      nextOffset: covers.toString(),
      rules: run.rules,
      snapshot: text,
      events: current.engine.stats().events,
    };
    const previous = run.writing;
    const write = (async () => {
      await previous;
      await repository.record(run.key, { produced: new Map(), outputOffsets: new Map(), checkpoint });
      run.lastSnapshotAt = now();
      run.snapshotOffset = covers;
      metrics.snapshotSeconds.observe((now() - started) / 1000);
    })();
    // `writing` only orders the writes and never fails: the caller of `write` hears of a failure.
    const tracked: Promise<void> = write
      .catch(() => undefined)
      .then(() => {
        if (run.writing === tracked) run.writing = undefined;
      });
    run.writing = tracked;
    return write;
  }

  /**
   * A snapshot of a partition's state between two batches, written beside the batches that follow;
   * resolves once written. Only taking it holds the batches: a write that waits (a locked row, a
   * slow database) must not keep the next batches and their warnings waiting with it.
   */
  async function snapshotBeside(run: Run): Promise<void> {
    const { written } = await exclusively(async () => ({ written: snapshot(run) }));
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
      const run = runOf(batch.partition);
      if (run.needsLoad) {
        run.needsLoad = false;
        await load(run);
        await payload.heartbeat();
        // Offsets are ours (PostgreSQL), not the group's: go to the snapshot's.
        consumer.seek({ topic: batch.topic, partition: batch.partition, offset: run.nextOffset.toString() });
        return;
      }
      const current = run.state;
      if (!current) return;
      try {
        await exclusively(() => step(run, current, batch.messages));
      } catch (error) {
        // The engine has gone on past what is recorded: start again from the snapshot.
        run.needsLoad = true;
        throw error;
      }
      payload.resolveOffset(batch.lastOffset());
      await payload.heartbeat();
    },
  });

  /** A rules record taken: said, counted, and told to the HTTP side when the set changed. */
  function applied(
    run: Run,
    current: CorrelatorState,
    fingerprint: string,
    offset: string,
    result: ReturnType<CorrelatorState['step']>,
  ): void {
    if (result.refused !== undefined) {
      logger.error(
        { partition: run.partition, offset, fingerprint, reason: result.refused },
        'rules record refused; the running set stays',
      );
      return;
    }
    if (!result.changes) return;
    run.rules = rulesFingerprint(current.engine.ruleSet);
    // A rule that started afresh counts from 0 again (a kept or changed rule's counts go on).
    for (const id of [...result.changes.replaced, ...result.changes.added, ...result.changes.removed])
      delete run.lastStats[id];
    logger.info({ partition: run.partition, offset, fingerprint, ...result.changes }, 'rule set reloaded');
    deps.onRules?.(current.ruleSet, fingerprint, result.changes);
  }

  async function step(run: Run, current: CorrelatorState, messages: KafkaMessage[]): Promise<void> {
    const out: Warning[] = [];
    for (const message of messages) {
      const offset = BigInt(message.offset);
      if (offset < run.nextOffset) continue;
      const input = decodeSequenced(message);
      if ('invalid' in input) {
        metrics.events.inc({ outcome: 'invalid' });
        logger.error(
          { partition: run.partition, offset: message.offset, reason: input.invalid },
          'sequence record skipped',
        );
      } else {
        const result = current.step(input);
        metrics.events.inc({ outcome: result.outcome });
        if (result.gap) {
          metrics.gaps.inc(Number(result.gap.missing));
          logger.error(
            {
              partition: run.partition,
              offset: message.offset,
              source: result.gap.partition,
              after: String(result.gap.after),
              missing: String(result.gap.missing),
            },
            'records of an events partition were never copied onto the sequence',
          );
        }
        if (input.kind === 'rules') applied(run, current, input.rules.fingerprint, message.offset, result);
        for (const w of result.warnings) out.push(w);
      }
      run.nextOffset = offset + 1n;
    }
    const fresh = unproduced(out, produced);
    const outputOffsets = await produce(fresh);
    await repository.record(run.key, { produced: markProduced(fresh, produced), outputOffsets });
    countRules(run, current.engine.stats().rules);
    // Taken, and their warnings produced and recorded.
    metrics.position.set({ partition: String(run.partition) }, Number(run.nextOffset));
    // Not awaited: written in the same transaction as the batch, it held up the next batch — and
    // the warnings it would raise — for the whole write. One at a time; when one is still being
    // written, a later batch takes the next.
    if (!run.writing && snapshotDue(run))
      snapshot(run).catch((error: unknown) => logger.warn({ err: error }, 'could not write a snapshot'));
  }

  // A quiet input still gets its snapshot: a restart then replays nothing.
  const idle = setInterval(
    () => {
      for (const run of runs.values()) {
        if (
          !run.state ||
          run.needsLoad ||
          run.writing ||
          run.snapshotOffset === run.nextOffset ||
          !snapshotDue(run)
        )
          continue;
        snapshotBeside(run).catch((error: unknown) =>
          logger.warn({ err: error }, 'could not write a snapshot'),
        );
      }
    },
    Math.max(250, deps.snapshotMs),
  );

  return {
    consumer,
    state: (partition = 0) => runs.get(partition)?.state,
    partitions: () => [...runs.keys()].filter((p) => runs.get(p)?.state).sort((a, b) => a - b),
    async checkpoint() {
      await Promise.all([...runs.values()].map((run) => snapshotBeside(run)));
    },
    async stop() {
      stopping = true;
      clearInterval(idle);
      await consumer.disconnect();
    },
  };
}
