import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { departmentEntry } from '@liandong/contracts';
import { createSender } from './sender.ts';

/** A stand-in ingest endpoint on a free port answering each POST with the given status. */
async function answering(status: number, reply: object): Promise<{ server: Server; posts: () => number }> {
  let posts = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      posts += 1;
      res.writeHead(status, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, posts: () => posts };
}

describe('the simulator sender against answers of the ingest services', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  });

  const send = async (status: number, reply: object) => {
    const endpoint = await answering(status, reply);
    servers.push(endpoint.server);
    const port = (endpoint.server.address() as AddressInfo).port;
    const logs: string[] = [];
    const sender = createSender({
      host: '127.0.0.1',
      portOffset: port - (departmentEntry('police').ingestPort ?? 0),
      keys: { police: 'k' },
      log: (level, message) => logs.push(`${level} ${message}`),
      maxAttempts: 4,
      sleep: async () => undefined,
    });
    await sender.send([
      { department: 'police', sourceId: 'P-1', contentType: 'application/json', body: { recordId: 'P-1' } },
    ]);
    return { posts: endpoint.posts(), stats: sender.stats().police, logs };
  };

  it('given a 409 for a changed resend, when sent, then it is counted as refused and not sent again', async () => {
    const { posts, stats, logs } = await send(409, { accepted: 0, duplicates: 0, rejected: 0, conflicts: 1 });
    expect(posts).toBe(1);
    expect(stats).toMatchObject({ sent: 1, refused: 1, failed: 0 });
    expect(logs.some((l) => l.startsWith('error'))).toBe(true);
  });

  it('given a 404 (a wrong port or path), when sent, then it fails at once instead of retrying', async () => {
    const { posts, stats } = await send(404, { detail: 'not here' });
    expect(posts).toBe(1);
    expect(stats).toMatchObject({ failed: 1 });
  });

  it('given a 503, when sent, then it is retried up to the attempts allowed', async () => {
    const { posts, stats } = await send(503, { detail: 'Kafka away' });
    expect(posts).toBe(4);
    expect(stats).toMatchObject({ failed: 1 });
  });
});
