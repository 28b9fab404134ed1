import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  itAcceptsEveryCapFixture,
  push,
  readEvents,
  readFixture,
  useIngestHarness,
} from '@liandong/ingest-kit/testing';
import { marketDefinition } from './definition.ts';

const contractFixtures = new URL('../../../contracts/test/fixtures/MarketRecord/valid/', import.meta.url);

describe('ingest-market against the real broker and database', () => {
  const harness = useIngestHarness(marketDefinition);

  it('takes 12315 and special-equipment records and Open311 requests in one batch; personal data stays in raw', async () => {
    const h = harness();
    const records = readdirSync(contractFixtures).map(
      (f) => JSON.parse(readFileSync(new URL(f, contractFixtures), 'utf8')) as unknown,
    );
    const response = await push(h, [
      ...records,
      {
        service_request_id: 'm-1',
        status: 'open',
        service_code: '104',
        requested_datetime: '2026-06-01T08:00:00+08:00',
        address: '桂城某小区',
      },
    ]);
    expect(response.statusCode).toBe(202);
    const xml = await push(h, readFixture('open311/cfa-get-service-requests.xml'), 'application/xml');
    expect(xml.statusCode).toBe(202);
    const events = await readEvents(h, records.length + 3);
    expect(events.map((e) => e.type).sort()).toContain('market.elevator_entrapment');
    const complaint = events.find((e) => e.type === 'market.food_complaint');
    expect(complaint?.place).toMatchObject({ name: '桂城某酒楼', kind: 'venue' });
    const { raw, ...rest } = complaint ?? { raw: { body: '' } };
    expect(JSON.stringify(rest)).not.toContain('13900000000');
    expect(raw.body).toContain('13900000000');
  });

  itAcceptsEveryCapFixture(marketDefinition);
});
