import { describe, expect, it } from 'vitest';
import { eventIdFor } from '@liandong/ingest-kit';
import {
  itAcceptsEveryCapFixture,
  push,
  readEvents,
  readFixture,
  useIngestHarness,
} from '@liandong/ingest-kit/testing';
import { urbanDefinition } from './definition.ts';

describe('ingest-urban against the real broker and database', () => {
  const harness = useIngestHarness(urbanDefinition);

  it('takes the Open311 fixtures: the spec JSON leniently, XML lists and single requests; refuses a POST response', async () => {
    const h = harness();
    const spec = await push(h, readFixture('open311/spec-get-service-requests-example.json.txt'));
    expect(spec.statusCode).toBe(202);
    expect(spec.json<{ accepted: number }>().accepted).toBe(2);
    const events = await readEvents(h, 2);
    // service_code 006 is read as the string "006" and mapped by the 12345 code table.
    expect(events.find((e) => e.id === eventIdFor('urban', '638344'))).toMatchObject({
      type: 'urban.road_damage',
      kind: 'request',
      attributes: { serviceCode: '006', status: 'closed' },
    });

    // The XML fixtures describe the same two requests (ids 638344 and 638349): duplicates, never second events.
    const list = await push(h, readFixture('open311/cfa-get-service-requests.xml'), 'application/xml');
    expect(list.statusCode).toBe(202);
    expect(list.json<{ accepted: number; duplicates: number }>()).toMatchObject({
      accepted: 0,
      duplicates: 2,
    });
    const single = await push(h, readFixture('open311/cfa-get-service-request-single.xml'), 'text/xml');
    expect(single.statusCode).toBe(202);
    expect(single.json<{ results: { status: string; sameContent: boolean }[] }>().results[0]).toMatchObject({
      status: 'duplicate',
      sameContent: false,
    });

    const post = await push(
      h,
      readFixture('open311/cfa-post-service-request-response.xml'),
      'application/xml',
    );
    expect(post.statusCode).toBe(400);
    expect(post.json<{ errors: { code: string }[] }>().errors[0]?.code).toBe('not_a_service_request');
  });

  it('takes each later state of a request once, as an Update of its first state', async () => {
    const h = harness();
    const opened = {
      service_request_id: 'SR-rev-1',
      status: 'open',
      service_code: '001',
      requested_datetime: '2026-06-01T10:00:00+08:00',
      updated_datetime: '2026-06-01T10:00:00+08:00',
      lat: 23.03,
      long: 113.15,
    };
    const closed = { ...opened, status: 'closed', updated_datetime: '2026-06-01T11:30:00+08:00' };
    const first = await push(h, opened);
    expect(first.json<{ accepted: number }>().accepted).toBe(1);
    // The closed state and, in the same batch, a resend of it: one Update, one duplicate.
    const later = await push(h, [closed, closed]);
    expect(later.statusCode).toBe(202);
    expect(later.json<{ accepted: number; duplicates: number }>()).toMatchObject({
      accepted: 1,
      duplicates: 1,
    });
    const resent = await push(h, closed);
    expect(resent.json<{ results: { status: string; sameContent: boolean }[] }>().results[0]).toMatchObject({
      status: 'duplicate',
      sameContent: true,
    });
    // The topic is the test file's: the first test's two events are on it too.
    const events = (await readEvents(h, 4))
      .filter((e) => e.attributes['serviceRequestId'] === 'SR-rev-1')
      .sort((a, b) => a.msgType.localeCompare(b.msgType));
    expect(events.map((e) => [e.msgType, e.attributes['status'], e.references])).toEqual([
      ['Alert', 'open', []],
      ['Update', 'closed', [eventIdFor('urban', 'SR-rev-1')]],
    ]);
  });

  it('marks drills sent with the liandong_status extension', async () => {
    const h = harness();
    const response = await push(h, {
      service_request_id: 'drill-1',
      status: 'open',
      service_code: '001',
      requested_datetime: '2026-06-01T10:00:00+08:00',
      lat: 23.03,
      long: 113.15,
      liandong_status: 'Exercise',
    });
    expect(response.statusCode).toBe(202);
    const bad = await push(h, {
      service_request_id: 'drill-2',
      status: 'open',
      service_code: '001',
      requested_datetime: '2026-06-01T10:00:00+08:00',
      address: '桂城',
      liandong_status: 'Drill',
    });
    expect(bad.statusCode).toBe(400);
  });

  itAcceptsEveryCapFixture(urbanDefinition);
});
