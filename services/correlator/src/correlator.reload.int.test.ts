/**
 * Rules reload without a restart: a file added to the rule folder is read, written to the sequence
 * as a rules record and taken by the engine at that place; a file that fails validation is refused
 * with its file, rule and field while the running set stays; a restart goes on under the rules of
 * its snapshot; and every warning on warnings.v1 is the one a single engine gives for the sequence
 * as written (rules records included), each revision once.
 */
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS, type Warning } from '@liandong/contracts';
import { DEFAULT_RULES_DIR, loadRuleSet } from '@liandong/correlation-engine';
import { at, fireRuleYaml, near } from '@liandong/correlation-engine/testing';
import { testDatabase, testKafka, type TestDatabase, type TestKafka } from '@liandong/testkit';
import { decodeSequenced } from './adapters/engine.runner.ts';
import { SEQUENCE_TOPIC } from './adapters/sequence.topic.ts';
import type { Correlator } from './correlator.ts';
import { eventually, playEvents, startTestCorrelator, warningsOf } from './correlator.testing.ts';
import { CorrelatorState } from './domain/correlator.state.ts';

const FIRE_RULE = `rules:${fireRuleYaml('reload-test-fire')}`;
/** Fails validation: a level that does not exist. */
const BAD_RULE = FIRE_RULE.replace('reload-test-fire', 'reload-test-bad').replace(
  'base: blue',
  'base: purple',
);

interface RulesView {
  fingerprint: string | null;
  rules: { id: string; version: number; file: string }[];
  refused?: { trigger: string; issues: { file: string; rule?: string; field: string; message: string }[] };
}

describe('correlator: rules reload without a restart', () => {
  let kafka: TestKafka;
  let db: TestDatabase;
  let dir: string;
  let correlator: Correlator | undefined;
  const rules = async (c: Correlator) => (await c.app.inject('/v1/rules')).json<RulesView>();

  beforeAll(async () => {
    [kafka, db] = await Promise.all([testKafka(), testDatabase()]);
    dir = mkdtempSync(join(tmpdir(), 'correlator-rules-'));
    for (const name of readdirSync(DEFAULT_RULES_DIR))
      copyFileSync(join(DEFAULT_RULES_DIR, name), join(dir, name));
  });
  afterAll(async () => {
    await correlator?.close();
    await kafka?.close();
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes a new rule file live, refuses a bad one naming file, rule and field, and goes on under the reloaded set after a restart', async () => {
    const env = { CORRELATOR_RULES_DIR: dir };
    const first = await startTestCorrelator(kafka, db, env);
    correlator = first;
    const before = await rules(first);
    expect(before.rules.map((r) => r.id)).not.toContain('reload-test-fire');

    // A file added: the engine runs the new set without a restart.
    writeFileSync(join(dir, '90-reload-test.yaml'), FIRE_RULE);
    const reloaded = await eventually(
      () => rules(first),
      (view) => view.rules.some((r) => r.id === 'reload-test-fire'),
      'the new rule in GET /v1/rules',
      30_000,
    );
    expect(reloaded.fingerprint).not.toBe(before.fingerprint);
    expect(reloaded.rules.find((r) => r.id === 'reload-test-fire')?.file).toBe('90-reload-test.yaml');

    const fire1 = at(0, 'police.fire', near(0, 3000));
    await playEvents(kafka.kafka, (name) => kafka.topic(name), [fire1]);
    const raised = await eventually(
      async () => warningsOf(await kafka.readToEnd(kafka.topic(TOPICS.warnings))),
      (ws) => ws.some((w) => w.ruleId === 'reload-test-fire'),
      'a warning of the reloaded rule',
    );
    expect(raised.find((w) => w.ruleId === 'reload-test-fire')?.evidence).toEqual([fire1.id]);

    // A file that fails validation: refused with file, rule and field; the running set stays.
    writeFileSync(join(dir, '91-bad.yaml'), BAD_RULE);
    const refused = await eventually(
      () => rules(first),
      (view) => view.refused !== undefined,
      'the refusal in GET /v1/rules',
      30_000,
    );
    expect(refused.refused?.trigger).toBe('file');
    expect(refused.refused?.issues[0]?.file).toMatch(/91-bad\.yaml$/);
    expect(refused.refused?.issues[0]).toMatchObject({ rule: 'reload-test-bad', field: '/level/base' });
    expect(refused.fingerprint).toBe(reloaded.fingerprint);
    expect(refused.rules.map((r) => r.id)).toContain('reload-test-fire');
    expect(refused.rules.map((r) => r.id)).not.toContain('reload-test-bad');
    expect(await first.reload('signal')).toMatchObject({ outcome: 'refused' });

    // Fixed (removed): the next read is accepted again, and the set it finds already runs.
    rmSync(join(dir, '91-bad.yaml'));
    expect(await first.reload('signal')).toEqual({ outcome: 'unchanged', fingerprint: reloaded.fingerprint });
    expect((await rules(first)).refused).toBeUndefined();

    // A restart goes on under the reloaded set: the second report revises the same warning.
    await first.close();
    const second = await startTestCorrelator(kafka, db, env);
    correlator = second;
    expect((await rules(second)).rules.map((r) => r.id)).toContain('reload-test-fire');
    const fire2 = at(5, 'police.fire', near(100, 3000));
    await playEvents(kafka.kafka, (name) => kafka.topic(name), [fire2]);
    const revised = await eventually(
      async () => warningsOf(await kafka.readToEnd(kafka.topic(TOPICS.warnings))),
      (ws) => ws.some((w) => w.ruleId === 'reload-test-fire' && w.revision === 2),
      'the reloaded rule’s warning revised after the restart',
    );
    const fire = revised.filter((w) => w.ruleId === 'reload-test-fire');
    expect(fire.map((w) => [w.revision, w.level, w.evidence.length])).toEqual([
      [1, 'blue', 1],
      [2, 'yellow', 2],
    ]);

    // Everything produced is what one engine gives for the sequence as written, each once.
    await eventually(
      async () => second.engine()?.state()?.engine.stats().events ?? 0,
      (n) => n >= 2,
      'the engine to take both events',
    );
    const sequence = await kafka.readToEnd(kafka.topic(SEQUENCE_TOPIC));
    const reference = CorrelatorState.fresh(await loadRuleSet(dir), { allowedLatenessMinutes: 60 });
    const expected: Warning[] = [];
    const kinds: string[] = [];
    for (const message of sequence) {
      const input = decodeSequenced(message);
      if ('invalid' in input) throw new Error(input.invalid);
      kinds.push(input.kind);
      expected.push(...reference.step(input).warnings);
    }
    // Written by the first start, by the file added, and by the second start.
    expect(kinds.filter((k) => k === 'rules')).toHaveLength(3);
    const produced = warningsOf(await kafka.readToEnd(kafka.topic(TOPICS.warnings)));
    const key = (w: Warning) => `${w.id}#${w.revision}`;
    expect(new Set(produced.map(key)).size, 'a warning revision produced twice').toBe(produced.length);
    expect(new Map(produced.map((w) => [key(w), w]))).toEqual(new Map(expected.map((w) => [key(w), w])));
  }, 180_000);
});
