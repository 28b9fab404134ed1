import { describe, expect, it } from 'vitest';
import {
  itAcceptsEveryCapFixture,
  push,
  readEvents,
  readFixture,
  useIngestHarness,
} from '@liandong/ingest-kit/testing';
import { waterDefinition } from './definition.ts';

describe('ingest-water against the real broker and database', () => {
  const harness = useIngestHarness(waterDefinition);

  it('takes the SensorThings fixtures for the Datastream the push names; without one, says how to name it', async () => {
    const h = harness();
    const unnamed = await push(h, readFixture('sensorthings/ogc-sta-repo-observation-released.json'));
    expect(unnamed.statusCode).toBe(400);
    expect(unnamed.json<{ detail: string; errors: { message: string }[] }>().errors[0]?.message).toMatch(
      /X-Datastream-Id/,
    );
    for (const name of [
      'ogc-sta-repo-observation-released.json',
      'ogc-18-088-observation-example-via-bblocks.json',
    ]) {
      const response = await push(h, readFixture(`sensorthings/${name}`), 'application/json', {
        'x-datastream-id': '19',
      });
      expect(response.statusCode, response.body).toBe(202);
    }
    const events = await readEvents(h, 2);
    expect(events.map((e) => e.type)).toEqual(['water.river_level', 'water.river_level']);
    // 12.4 m and 70.4 m at the Foshan waterway gauge (warning 2.6, guaranteed 3.3): over the guaranteed level.
    expect(events.every((e) => e.severity === 'Extreme')).toBe(true);
    expect(events[0]?.place).toMatchObject({ id: 'guicheng-foshan-waterway', kind: 'station' });
  });

  it('takes a SensorThings collection page whose observations name their Datastream', async () => {
    const h = harness();
    const page = {
      value: [
        {
          '@iot.id': 'p1',
          phenomenonTime: '2026-06-01T10:00:00+08:00',
          result: 2.7,
          Datastream: { '@iot.id': 19 },
        },
        {
          '@iot.id': 'p2',
          phenomenonTime: '2026-06-01T10:00:00+08:00',
          result: 35,
          'Datastream@iot.navigationLink': 'https://sta.example/v1.1/Datastreams(21)',
        },
      ],
    };
    const response = await push(h, page);
    expect(response.statusCode).toBe(202);
    expect(response.json<{ accepted: number }>().accepted).toBe(2);
  });

  itAcceptsEveryCapFixture(waterDefinition);
});
