import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { itAcceptsEveryCapFixture, push, readEvents, useIngestHarness } from '@liandong/ingest-kit/testing';
import { healthDefinition } from './definition.ts';

const contractFixtures = new URL('../../../contracts/test/fixtures/HealthRecord/', import.meta.url);
const read = (kind: string) =>
  readdirSync(new URL(`${kind}/`, contractFixtures)).map(
    (f) => JSON.parse(readFileSync(new URL(`${kind}/${f}`, contractFixtures), 'utf8')) as unknown,
  );

describe('ingest-health against the real broker and database', () => {
  const harness = useIngestHarness(healthDefinition);

  it('takes case reports and 120 dispatches, refuses the invalid ones by record and field', async () => {
    const h = harness();
    const valid = read('valid');
    const invalid = read('invalid');
    const response = await push(h, [...valid, ...invalid]);
    expect(response.statusCode).toBe(400);
    const body = response.json<{ accepted: number; rejected: number; errors: { index: number }[] }>();
    expect(body.accepted).toBe(valid.length);
    expect(body.rejected).toBe(invalid.length);
    expect(Math.min(...body.errors.map((e) => e.index))).toBe(valid.length);
    const events = await readEvents(h, valid.length);
    const poisoning = events.find((e) => e.type === 'health.food_poisoning');
    expect(poisoning?.place).toMatchObject({ name: '桂城某酒楼' });
    expect(JSON.stringify({ ...poisoning, raw: null })).not.toContain('440605199001011234');
  });

  itAcceptsEveryCapFixture(healthDefinition);
});
