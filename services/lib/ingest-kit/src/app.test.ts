/**
 * The kit's HTTP contract, on fakes at the adapter seams (no broker, no database): what a
 * department system sees for each kind of request.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '@liandong/errors';
import { buildFakeIngestService, TEST_KEY } from './fakes.ts';

type Built = Awaited<ReturnType<typeof buildFakeIngestService>>;
const built: Built[] = [];
async function service(overrides: Parameters<typeof buildFakeIngestService>[0] = {}): Promise<Built> {
  const s = await buildFakeIngestService(overrides);
  built.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(built.splice(0).map((s) => s.close()));
});

function push(
  s: Built,
  payload: string,
  {
    key = TEST_KEY,
    type = 'application/json',
    headers = {},
  }: { key?: string; type?: string; headers?: Record<string, string> } = {},
) {
  return s.app.inject({
    method: 'POST',
    url: '/v1/events',
    headers: { 'content-type': type, ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
    payload,
  });
}

describe('POST /v1/events: authentication', () => {
  it('given no key, then 401 with WWW-Authenticate', async () => {
    const s = await service();
    const response = await push(s, '{"id":"a"}', { key: '' });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toContain('Bearer');
  });

  it("given another department's key, then 403 naming both departments, audited", async () => {
    const s = await service();
    const response = await push(s, '{"id":"a"}', { key: 'other' });
    expect(response.statusCode).toBe(403);
    expect(response.json<{ detail: string }>().detail).toMatch(/water.*police/);
    expect(s.audited).toHaveLength(1);
  });

  it('given a flood of unknown keys from one address, then one audit entry at once and one with the count when the window closes', async () => {
    const s = await service();
    for (let i = 0; i < 20; i += 1)
      expect((await push(s, '{"id":"a"}', { key: `random-${i}` })).statusCode).toBe(401);
    expect(s.audited).toHaveLength(1);
    await s.close();
    expect(s.audited).toHaveLength(2);
    expect(s.audited[1]?.detail).toMatchObject({ reason: 'unknown or revoked key', repeated: 19 });
  });

  it('given requests with bad keys, then the limit per address counts them before any key is looked up', async () => {
    const s = await service({ rateLimitPerMinute: 5 });
    const statuses = [];
    for (let i = 0; i < 8; i += 1)
      statuses.push((await push(s, '{"id":"a"}', { key: `bad-${i}` })).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    expect(s.keys.calls).toHaveLength(5);
    const limited = await push(s, '{"id":"a"}');
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('given X-Forwarded-For from a peer that is not a configured proxy, then the peer address is audited', async () => {
    const s = await service();
    await push(s, '{"id":"a"}', { key: 'bad', headers: { 'x-forwarded-for': '6.6.6.6' } });
    expect(s.audited[0]?.ip).toBe('127.0.0.1');

    const behindProxy = await service({ trustedProxies: ['127.0.0.1'] });
    await push(behindProxy, '{"id":"a"}', { key: 'bad', headers: { 'x-forwarded-for': '6.6.6.6' } });
    expect(behindProxy.audited[0]?.ip).toBe('6.6.6.6');
  });

  it('given the database down and a bad key, then 503 with Retry-After, not 500', async () => {
    const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const s = await service({
      audit: () => Promise.reject(down),
    });
    const response = await push(s, '{"id":"a"}', { key: 'bad' });
    expect(response.statusCode).toBe(503);
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('POST /v1/events: bodies', () => {
  it('given an unsupported media type, then 415', async () => {
    const s = await service();
    expect((await push(s, 'a,b', { type: 'text/csv' })).statusCode).toBe(415);
  });

  it('given a body over 5 MB, then 413 naming the limit', async () => {
    const s = await service();
    const response = await push(s, JSON.stringify({ id: 'a', text: 'x'.repeat(5 * 1024 * 1024) }));
    expect(response.statusCode).toBe(413);
    expect(response.json<{ detail: string }>().detail).toContain('5 MB');
  });

  it('given JSON nested 5,000 and 100,000 deep, then 400 naming the depth, not 500', async () => {
    const s = await service();
    for (const depth of [5000, 100_000]) {
      const response = await push(s, `[{"id":"a","text":${'['.repeat(depth)}${']'.repeat(depth)}}]`);
      expect(response.statusCode).toBe(400);
      expect(response.json<{ detail: string }>().detail).toContain('deeper than 64 levels');
    }
  });

  it('given invalid UTF-8, then 400 naming the byte offset, nothing claimed (never read with U+FFFD)', async () => {
    const s = await service();
    const body = Buffer.concat([
      Buffer.from('[{"id":"u-1"},{"id":"u-2","text":"界'),
      Buffer.from([0xff]),
      Buffer.from('"}]'),
    ]);
    const response = await s.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_KEY}` },
      payload: body,
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = response.json<{ detail: string; errors: { code: string; message: string }[] }>();
    expect(problem.detail).toBe(
      'the body is not valid UTF-8 at byte offset 37 (bytes from there: FF 22 7D 5D): send it encoded in UTF-8',
    );
    expect(problem.errors[0]?.code).toBe('invalid_utf8');
    expect(s.records.claimed.size).toBe(0);
  });

  it('given a UTF-8 byte order mark before the JSON, then it is skipped and the record accepted', async () => {
    const s = await service();
    const response = await s.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_KEY}` },
      payload: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"id":"bom-1"}')]),
    });
    expect(response.statusCode).toBe(202);
    expect([...s.records.claimed.keys()]).toEqual(['police/bom-1']);
  });

  it('given a NUL in one source id and unpaired surrogates in two others, then those are refused alone and the rest accepted', async () => {
    const s = await service();
    const response = await push(
      s,
      '[{"id":"ok-1"},{"id":"R-\\u0000"},{"id":"S-\\ud800"},{"id":"S-\\ud801"}]',
    );
    expect(response.statusCode).toBe(400);
    const body = response.json<{ results: { status: string; errors?: { code: string }[] }[] }>();
    expect(body.results.map((r) => r.status)).toEqual(['accepted', 'rejected', 'rejected', 'rejected']);
    expect(body.results[1]?.errors?.[0]?.code).toBe('invalid_source_id');
    expect([...s.records.claimed.keys()]).toEqual(['police/ok-1']);
  });
});

describe('POST /v1/events: commits', () => {
  it('given Kafka away, then 503 with Retry-After and nothing claimed; the retry is accepted', async () => {
    const s = await service();
    s.producer.failNext(new AppError('dependency_unavailable', 'Kafka away', { retryAfterSeconds: 5 }));
    const failed = await push(s, '{"id":"k-1"}');
    expect(failed.statusCode).toBe(503);
    expect(failed.headers['retry-after']).toBe('5');
    expect(s.records.claimed.size).toBe(0);
    expect((await push(s, '{"id":"k-1"}')).json<{ accepted: number }>().accepted).toBe(1);
  });

  it('given Kafka refusing the records for good, then a 4xx without Retry-After', async () => {
    const s = await service();
    s.producer.failNext(new AppError('payload_too_large', 'Kafka refused the records as too large'));
    const refused = await push(s, '{"id":"k-2"}');
    expect(refused.statusCode).toBe(413);
    expect(refused.headers['retry-after']).toBeUndefined();
  });

  it('given more requests waiting than the commit queue holds, then 503 with Retry-After for the excess', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const s = await service({ maxCommitsInFlight: 1, maxQueuedRequests: 2 });
    const send = s.producer.send.bind(s.producer);
    s.producer.send = async (batches) => {
      await gate;
      return send(batches);
    };
    const replies = Promise.all(Array.from({ length: 5 }, (_, i) => push(s, `{"id":"q-${i}"}`)));
    await new Promise((r) => setTimeout(r, 100));
    release();
    const statuses = (await replies).map((r) => r.statusCode).sort();
    expect(statuses).toEqual([202, 202, 202, 503, 503]);
  });

  it('given a commit that does not start in time, then 503 with Retry-After, and nothing claimed', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const s = await service({ maxCommitsInFlight: 1, commitTimeoutMs: 50 });
    const send = s.producer.send.bind(s.producer);
    s.producer.send = async (batches) => {
      await gate;
      return send(batches);
    };
    const first = Promise.resolve(push(s, '{"id":"t-1"}')); // inject starts when awaited
    await new Promise((r) => setTimeout(r, 20));
    const second = await push(s, '{"id":"t-2"}');
    expect(second.statusCode).toBe(503);
    expect(second.headers['retry-after']).toBe('1');
    release();
    expect((await first).statusCode).toBe(202);
    expect([...s.records.claimed.keys()]).toEqual(['police/t-1']);
  });
});
