/**
 * Crash safety against the real broker: correlator processes killed with SIGKILL at random moments
 * while a recorded stream plays end with exactly the warnings and revisions of a correlator never
 * killed over the same input order — none lost, none doubled, none different. Half-way, a rule
 * file changes (the flood rules' first rule gets version 2): the reload is a record of the input
 * like the events, so the kills around it change nothing either.
 * CORRELATOR_KILLS sets the number of kills (default 20, as issue 10 asks).
 */
import type { ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS, type Warning } from '@liandong/contracts';
import {
  DEFAULT_RULES_DIR,
  loadRuleSet,
  readRuleFiles,
  ruleFilesFingerprint,
} from '@liandong/correlation-engine';
import { testDatabase, testKafka, type TestDatabase, type TestKafka } from '@liandong/testkit';
import { decodeSequenced } from './adapters/engine.runner.ts';
import { SEQUENCE_TOPIC } from './adapters/sequence.topic.ts';
import { CorrelatorState } from './domain/correlator.state.ts';
import {
  eventually,
  exited,
  playEvents,
  scenarioEvents,
  spawnCorrelator as spawnTestCorrelator,
  warningsOf,
} from './correlator.testing.ts';

const KILLS = Number(process.env['CORRELATOR_KILLS'] ?? 20);

describe(`correlator killed with SIGKILL ${KILLS} times while a stream plays`, () => {
  let kafka: TestKafka;
  let db: TestDatabase;
  const children: ChildProcess[] = [];
  const rulesDir = mkdtempSync(join(tmpdir(), 'kill-test-rules-'));
  cpSync(DEFAULT_RULES_DIR, rulesDir, { recursive: true });

  beforeAll(async () => {
    [kafka, db] = await Promise.all([testKafka(), testDatabase()]);
  });
  afterAll(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await kafka?.close();
    await db?.close();
  });

  function spawnCorrelator(): ChildProcess {
    const child = spawnTestCorrelator(kafka, db, {
      CORRELATOR_RULES_DIR: rulesDir,
      // Snapshots lag the input: every restart replays a stretch and must not produce it twice.
      CORRELATOR_SNAPSHOT_MS: '1500',
    });
    children.push(child);
    return child;
  }

  it('ends with exactly the warnings and revisions of a run never killed', async () => {
    const events = scenarioEvents('rainstorm');
    let playing = true;
    const play = playEvents(kafka.kafka, (name) => kafka.topic(name), events, {
      chunk: 20,
      pauseMs: 700,
    }).finally(() => {
      playing = false;
    });
    let kills = 0;
    let current = spawnCorrelator();
    while (kills < KILLS) {
      // A random moment: during start-up, restore, replay or steady work.
      await new Promise((r) => setTimeout(r, 1500 + Math.random() * 5000));
      current.kill('SIGKILL');
      await exited(current);
      kills++;
      // Half-way, while it is down: the next start writes the changed set into the sequence.
      if (kills === Math.ceil(KILLS / 2)) {
        const flood = join(rulesDir, 'flood.yaml');
        writeFileSync(flood, readFileSync(flood, 'utf8').replace('version: 1', 'version: 2'));
      }
      current = spawnCorrelator();
    }
    await play;
    expect(playing).toBe(false);

    // The last one has written the changed set (it starts by writing the folder's set).
    const changed = ruleFilesFingerprint(await readRuleFiles(rulesDir));
    await eventually(
      async () => (await kafka.readToEnd(kafka.topic(SEQUENCE_TOPIC), 60_000)).map(decodeSequenced),
      (inputs) =>
        inputs.some((i) => !('invalid' in i) && i.kind === 'rules' && i.rules.fingerprint === changed),
      'the changed rule set on the sequence',
      120_000,
    );

    // The last one catches up: its checkpoint covers the whole sequence, which holds every event.
    const admin = kafka.kafka.admin();
    await admin.connect();
    const ids = new Set(events.map((e) => e.id));
    await eventually(
      async () => {
        const [end] = await admin.fetchTopicOffsets(kafka.topic(SEQUENCE_TOPIC));
        const { rows } = await db.pool.query<{ next_offset: string }>(
          'SELECT next_offset FROM correlator_checkpoints',
        );
        return { end: end?.high, at: rows[0]?.next_offset };
      },
      ({ end, at }) => end !== undefined && at === end && Number(end) >= events.length,
      'the last correlator to catch up',
      120_000,
    );
    await admin.disconnect();
    current.kill('SIGTERM');
    await exited(current);

    const sequence = await kafka.readToEnd(kafka.topic(SEQUENCE_TOPIC), 60_000);
    const produced = warningsOf(await kafka.readToEnd(kafka.topic(TOPICS.warnings), 60_000));

    // The run never killed: one state, the same input order, from the start to the end.
    const reference = CorrelatorState.fresh(await loadRuleSet(), { allowedLatenessMinutes: 60 });
    const expected: Warning[] = [];
    const taken = new Set<string>();
    const fingerprints = new Set<string>();
    for (const message of sequence) {
      const input = decodeSequenced(message);
      if ('invalid' in input) throw new Error(input.invalid);
      if (input.kind === 'rules') fingerprints.add(input.rules.fingerprint);
      const result = reference.step(input);
      if (input.kind === 'event' && result.outcome !== 'repeat') {
        expect(taken.has(input.event.id), `event ${input.event.id} taken twice`).toBe(false);
        taken.add(input.event.id);
      }
      expected.push(...result.warnings);
    }
    expect(taken).toEqual(ids);
    // The set of the start and the changed one (written again by later starts: no change then).
    expect(fingerprints.size, 'rule sets in the sequence').toBe(2);
    const key = (w: Warning) => `${w.id}#${w.revision}`;
    expect(new Set(produced.map(key)).size, 'a warning revision produced twice').toBe(produced.length);
    const byKey = (list: Warning[]) => new Map(list.map((w) => [key(w), w]));
    expect(byKey(produced)).toEqual(byKey(expected));
    expect(expected.length).toBeGreaterThan(3);
    console.info(
      `kill test: ${kills} kills, ${sequence.length} sequence records for ${events.length} events, ${produced.length} warning revisions of ${new Set(produced.map((w) => w.id)).size} warnings`,
    );
  }, 600_000);
});
