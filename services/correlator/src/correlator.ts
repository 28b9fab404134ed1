/**
 * The correlator's composition root, shared by main.ts and the tests: configuration → rules,
 * PostgreSQL and Kafka → the router (six events topics → sequence topic) and the engine stage
 * (sequence topic → warnings.v1) → HTTP app.
 */
import { watch, type FSWatcher } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import { brokerList } from '@liandong/config';
import { DEPARTMENT_CODES, eventsTopic, namespacedTopic, TOPICS } from '@liandong/contracts';
import {
  DEFAULT_RULES_DIR,
  parseRuleSet,
  readRuleFiles,
  ruleFilesFingerprint,
  RuleSetError,
  type RuleSet,
  type RuleSetIssue,
} from '@liandong/correlation-engine';
import { createPool, pingDatabase } from '@liandong/db';
import {
  createEventProducer,
  createKafka,
  createKafkaProbe,
  ensureTopics,
  type Kafka,
} from '@liandong/kafka';
import type { Logger } from '@liandong/logger';
import { createCheckpointRepository } from './adapters/checkpoint.repository.ts';
import { startEngineRunner, type EngineRunner } from './adapters/engine.runner.ts';
import { startRouterThread } from './adapters/router.thread.ts';
import type { Router } from './adapters/sequence.router.ts';
import { startFanout, type Fanout } from './adapters/shard.fanout.ts';
import {
  HEADER,
  SEQUENCE_MAX_MESSAGE_BYTES,
  SEQUENCE_TOPIC,
  SEQUENCE_TOPIC_SPEC,
  SHARDS_TOPIC,
  SHARDS_TOPIC_CONFIG,
} from './adapters/sequence.topic.ts';
import { buildCorrelatorApp } from './app.ts';
import type { CorrelatorConfig } from './correlator.config.ts';
import type { RuleFiles } from './domain/correlator.state.ts';
import { createCorrelatorMetrics } from './metrics.ts';

/** A read of the rule folder that was refused: the running set stays. */
export interface RulesRefusal {
  at: string;
  trigger: ReloadTrigger;
  issues: RuleSetIssue[];
}

/** What made the correlator read its rule folder. */
export type ReloadTrigger = 'start' | 'file' | 'signal';

export type ReloadOutcome =
  | { outcome: 'published' | 'unchanged'; fingerprint: string }
  | { outcome: 'refused'; issues: RuleSetIssue[] };

/**
 * Reads and checks a rule folder. The set a rules record carries names its files by their own
 * names (not the folder's path): the same folder gives the same record wherever it is read from.
 */
async function readRules(dir: string): Promise<{ ruleSet: RuleSet; files: RuleFiles }> {
  const read = await readRuleFiles(dir);
  parseRuleSet(read); // refused here, with the files named as the user knows them
  const files = read.map((f) => ({ name: basename(f.name), text: f.text }));
  return { ruleSet: parseRuleSet(files), files: { fingerprint: ruleFilesFingerprint(files), files } };
}

/**
 * Creates the shards topic with one partition per shard, or checks that the one there has as
 * many: the rules' division follows the partitions, and every state and snapshot with it, so the
 * count cannot change under a running site.
 */
async function ensureShardsTopic(kafka: Kafka, name: string, shards: number): Promise<void> {
  await ensureTopics(kafka, [{ name, partitions: shards, config: SHARDS_TOPIC_CONFIG }]);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [name] });
    const partitions = topics[0]?.partitions.length ?? 0;
    if (partitions !== shards)
      throw new Error(
        `CORRELATOR_SHARDS is ${shards} but the shards topic ${name} has ${partitions} partition${partitions === 1 ? '' : 's'}: ` +
          'the shards are its partitions and cannot change under a running site. ' +
          `Set CORRELATOR_SHARDS=${partitions}, or start the new division on a new group and topic (CORRELATOR_GROUP, KAFKA_TOPIC_PREFIX).`,
      );
  } finally {
    await admin.disconnect();
  }
}

export interface CorrelatorOptions {
  logger: Logger;
  /** Called when a consumer crashed for good; defaults to exiting the process. */
  onFatal?: (error: Error) => void;
}

export async function createCorrelator(config: CorrelatorConfig, options: CorrelatorOptions) {
  const { logger } = options;
  const onFatal = options.onFatal ?? (() => process.exit(1));
  const rulesDir = config.CORRELATOR_RULES_DIR ?? DEFAULT_RULES_DIR;
  const shards = config.CORRELATOR_SHARDS;
  // The folder's rules when this process started (a fresh state starts with them) ...
  const folder = await readRules(rulesDir);
  // ... and the rules the engine runs (a snapshot's, or those of the sequence's rules records).
  let ruleSet: RuleSet = folder.ruleSet;
  let running: { fingerprint: string | undefined; since: string } = {
    fingerprint: folder.files.fingerprint,
    since: new Date().toISOString(),
  };
  let refused: RulesRefusal | undefined;
  /** The last set this process wrote to the sequence (the engine may not have taken it yet). */
  let written: string | undefined;
  const pool = createPool({
    url: config.DATABASE_URL,
    schema: config.DATABASE_SCHEMA,
    applicationName: 'liandong-correlator',
    max: 4,
  });
  const kafka = createKafka({
    brokers: brokerList(config.KAFKA_BROKERS),
    clientId: config.KAFKA_CLIENT_ID ?? 'liandong-correlator',
    logger,
  });
  // Warnings, rules records and shard copies: a failed send replaces the producer (a new producer
  // id), so that a record sent after it is never dropped as a duplicate while its send resolves.
  const producer = createEventProducer(kafka, { logger, maxMessageBytes: SEQUENCE_MAX_MESSAGE_BYTES });
  const probe = createKafkaProbe(kafka);
  const metrics = createCorrelatorMetrics();
  const repository = createCheckpointRepository(pool);
  const topic = (name: string) => namespacedTopic(name, config.KAFKA_TOPIC_PREFIX);
  const group = (name: string) => `${config.KAFKA_TOPIC_PREFIX}${config.CORRELATOR_GROUP}-${name}`;
  const app = await buildCorrelatorApp({
    logger,
    metrics,
    ruleSet: () => ruleSet,
    shards: () => ({ count: shards, here: engine?.partitions() ?? [] }),
    rulesState: () => ({ ...running, refused }),
    checks: [
      { name: 'database', check: () => pingDatabase(pool) },
      { name: 'kafka', check: () => probe.check() },
    ],
  });
  let router: Router | undefined;
  let fanout: Fanout | undefined;
  let engine: EngineRunner | undefined;
  let watcher: FSWatcher | undefined;
  let debounce: NodeJS.Timeout | undefined;
  /** Folder reads one at a time, in order. */
  let reading: Promise<unknown> = Promise.resolve();

  /**
   * Reads the rule folder; a valid set is written to the sequence topic as a rules record, which
   * the engine takes at that place in its input (live and on every replay); a set that fails
   * validation is refused with its file, rule and field, and the running set stays.
   */
  function reload(trigger: ReloadTrigger): Promise<ReloadOutcome> {
    const run = reading.then(async (): Promise<ReloadOutcome> => {
      let next: Awaited<ReturnType<typeof readRules>>;
      try {
        next = await readRules(rulesDir);
      } catch (error) {
        if (!(error instanceof RuleSetError)) throw error;
        refused = { at: new Date().toISOString(), trigger, issues: [...error.issues] };
        metrics.reloads.inc({ outcome: 'refused' });
        logger.error({ trigger, dir: rulesDir }, `${error.message}\nthe running rule set stays`);
        return { outcome: 'refused', issues: refused.issues };
      }
      refused = undefined;
      const { fingerprint } = next.files;
      // On start the record is written whatever runs: it fixes the set in the sequence from here on.
      if (trigger !== 'start' && fingerprint === (written ?? running.fingerprint)) {
        metrics.reloads.inc({ outcome: 'unchanged' });
        return { outcome: 'unchanged', fingerprint };
      }
      try {
        await producer.send([
          {
            topic: topic(SEQUENCE_TOPIC),
            messages: [{ key: 'rules', value: next.files, headers: { [HEADER.kind]: 'rules' } }],
          },
        ]);
      } catch (error) {
        logger.error({ err: error, trigger, fingerprint }, 'could not write the rule set to the sequence');
        throw error;
      }
      written = fingerprint;
      metrics.reloads.inc({ outcome: 'published' });
      logger.info(
        { trigger, fingerprint, rules: next.ruleSet.rules.length },
        'rule set written to the sequence',
      );
      return { outcome: 'published', fingerprint };
    });
    reading = run.catch(() => undefined);
    return run;
  }

  return {
    app,
    pool,
    metrics,
    ruleSet: () => ruleSet,
    engine: () => engine,
    port(): number {
      return (app.server.address() as AddressInfo).port;
    },
    async start(): Promise<void> {
      await ensureTopics(kafka, [{ ...SEQUENCE_TOPIC_SPEC, name: topic(SEQUENCE_TOPIC) }]);
      if (shards > 1) await ensureShardsTopic(kafka, topic(SHARDS_TOPIC), shards);
      await producer.connect();
      // The readiness probe's admin connection is made now, not on the first /readyz (whose
      // 2 s budget a busy machine's first connect can exceed).
      await probe.check();
      await app.listen({ host: config.HOST, port: config.PORT });
      // The folder's set goes into the sequence first, before the stages start (the router's start
      // waits for its group, up to a session timeout after a crash): a process killed again and
      // again while starting still gets a changed set in. The engine takes it when it reaches it.
      await reload('start');
      engine = await startEngineRunner({
        kafka,
        producer,
        repository,
        groupId: group('engine'),
        // One shard: the engine takes the sequence itself; more: its partitions of the shards topic.
        sequenceTopic: topic(shards > 1 ? SHARDS_TOPIC : SEQUENCE_TOPIC),
        partitions: shards,
        warningsTopic: topic(TOPICS.warnings),
        rules: () => folder,
        onRules: (next, fingerprint) => {
          ruleSet = next;
          running = { fingerprint, since: new Date().toISOString() };
          metrics.reloads.inc({ outcome: 'applied' });
        },
        engineOptions: { allowedLatenessMinutes: config.CORRELATOR_LATENESS_MINUTES },
        snapshotMs: config.CORRELATOR_SNAPSHOT_MS,
        logger: logger.child({ stage: 'engine' }),
        metrics,
        onFatal,
        sessionTimeoutMs: config.CORRELATOR_SESSION_TIMEOUT_MS,
      });
      router = await startRouterThread({
        brokers: brokerList(config.KAFKA_BROKERS),
        clientId: `${config.KAFKA_CLIENT_ID ?? 'liandong-correlator'}-router`,
        logLevel: config.LOG_LEVEL,
        logger: logger.child({ stage: 'router' }),
        groupId: group('router'),
        topics: DEPARTMENT_CODES.map((d) => topic(eventsTopic(d))),
        sequenceTopic: topic(SEQUENCE_TOPIC),
        tickMs: config.CORRELATOR_TICK_MS,
        onCopied: (n) => metrics.copied.inc(n),
        onFatal,
        sessionTimeoutMs: config.CORRELATOR_SESSION_TIMEOUT_MS,
      });
      if (shards > 1)
        fanout = await startFanout({
          kafka,
          producer,
          groupId: group('fanout'),
          sequenceTopic: topic(SEQUENCE_TOPIC),
          shardsTopic: topic(SHARDS_TOPIC),
          partitions: shards,
          logger: logger.child({ stage: 'fanout' }),
          onFatal,
          sessionTimeoutMs: config.CORRELATOR_SESSION_TIMEOUT_MS,
        });
      // A change in the folder (an editor writes a file in several steps: read once it settles).
      watcher = watch(rulesDir, () => {
        clearTimeout(debounce);
        debounce = setTimeout(() => {
          reload('file').catch((error: unknown) =>
            logger.error({ err: error }, 'could not reload the rules'),
          );
        }, 300);
      });
      watcher.on('error', (error) =>
        logger.warn({ err: error, dir: rulesDir }, 'rule folder no longer watched'),
      );
    },
    reload,
    async close(): Promise<void> {
      watcher?.close();
      clearTimeout(debounce);
      await reading;
      await router?.stop().catch(() => undefined);
      await fanout?.stop().catch(() => undefined);
      await engine?.stop().catch(() => undefined);
      await engine?.checkpoint().catch((error: unknown) => logger.warn({ err: error }, 'no final snapshot'));
      await app.close();
      await Promise.allSettled([producer.disconnect(), probe.close()]);
      await pool.end();
    },
  };
}

export type Correlator = Awaited<ReturnType<typeof createCorrelator>>;
