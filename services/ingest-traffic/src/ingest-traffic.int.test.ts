import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { itAcceptsEveryCapFixture, push, readEvents, useIngestHarness } from '@liandong/ingest-kit/testing';
import { trafficDefinition } from './definition.ts';

const fixtures = new URL('../../../contracts/test/fixtures/TrafficRecord/valid/', import.meta.url);

describe('ingest-traffic against the real broker and database', () => {
  const harness = useIngestHarness(trafficDefinition);

  it('takes accidents and flooded roads; a hazardous-goods accident is at least Severe', async () => {
    const h = harness();
    const records = readdirSync(fixtures).map(
      (f) => JSON.parse(readFileSync(new URL(f, fixtures), 'utf8')) as unknown,
    );
    expect((await push(h, records)).statusCode).toBe(202);
    const events = await readEvents(h, records.length);
    const hazmat = events.find((e) => e.type === 'traffic.hazardous_goods_accident');
    expect(hazmat).toMatchObject({ severity: 'Severe', attributes: { hazardousGoods: true } });
  });

  itAcceptsEveryCapFixture(trafficDefinition);
});
