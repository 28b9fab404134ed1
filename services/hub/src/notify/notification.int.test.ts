/**
 * Notifications against the real broker and database and local receivers only (an HTTP receiver
 * that checks signatures, an SMTP server from npm): a warning and its escalation reach every
 * configured channel once, a resolution reaches everyone told; a forged signature is caught by the
 * receiver's check; a receiver down for a minute (NOTIFY_DOWN_MS shortens it; the mechanism is
 * the same) gets the message after it returns, and shows as dead meanwhile; a refusing receiver
 * is given up at once; two hubs on one database deliver each message once.
 */
import type { AddressInfo, Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import {
  TOPICS,
  type ChannelHealthList,
  type CreatedChannel,
  type NotificationDeliveryList,
  type NotificationMessage,
  type SmsGatewayRequest,
  type Warning,
} from '@liandong/contracts';
import { createJsonProducer, createKafka, type JsonProducer } from '@liandong/kafka';
import { testDatabase, testKafka, testLogger, type TestDatabase, type TestKafka } from '@liandong/testkit';
import { login, seedUsers, startTestHub, testWarning, type Client, type TestHub } from '../hub.testing.ts';
import { startReceiver, type Receiver } from './notification.receiver.ts';
import { generateSecret, webhookHeaders } from './notification.signing.ts';

const DOWN_MS = Number(process.env['NOTIFY_DOWN_MS'] ?? 60_000);
const SECRET = generateSecret();
const DING_SECRET = 'SEC0123456789abcdef0123456789abcdef';

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('notifications: outbox, channels, retries, signatures, two hubs', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let hub: TestHub;
  let producer: JsonProducer;
  let receiver: Receiver;
  let smtp: SMTPServer;
  let smtpPort: number;
  const mails: ParsedMail[] = [];
  let admin: Client;

  beforeAll(async () => {
    [db, kafka] = await Promise.all([testDatabase(), testKafka()]);
    await seedUsers(db.pool);
    receiver = await startReceiver({ secret: SECRET, dingtalkSecret: DING_SECRET });
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, callback) {
        simpleParser(stream)
          .then((mail) => {
            mails.push(mail);
            callback();
          })
          .catch((error: unknown) => callback(error as Error));
      },
    });
    await new Promise<void>((resolve) => {
      smtp.listen(0, '127.0.0.1', () => resolve());
    });
    smtpPort = ((smtp as unknown as { server: Server }).server.address() as AddressInfo).port;
    hub = await startTestHub({
      db,
      kafka,
      env: {
        ACK_DEADLINE_YELLOW_SECONDS: '2',
        ACK_DEADLINE_ORANGE_SECONDS: '600',
        ESCALATION_STEPS: '1',
        NOTIFY_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        NOTIFY_RETRY_BASE_MS: '300',
        NOTIFY_RETRY_MAX_MS: '3000',
        NOTIFY_LIFETIME_SECONDS: '600',
        NOTIFY_POLL_MS: '200',
        NOTIFY_DEAD_AFTER_FAILURES: '3',
        NOTIFY_CONSOLE_URL: 'http://console.test',
      },
    });
    producer = createJsonProducer(
      createKafka({ brokers: kafka.brokers, clientId: 't', logger: testLogger() }),
    );
    await producer.connect();
    admin = await login(hub.url, 'admin');
  }, 60_000);
  afterAll(async () => {
    await producer?.disconnect();
    await hub?.close();
    await receiver?.close();
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
    await kafka?.close();
    await db?.close();
  });

  async function channel(body: unknown): Promise<CreatedChannel> {
    const response = await admin.request('POST', '/api/v1/notification-channels', body);
    expect(response.status, await response.clone().text()).toBe(201);
    return (await response.json()) as CreatedChannel;
  }
  async function produce(...warnings: Warning[]) {
    await producer.send([
      { topic: kafka.topic(TOPICS.warnings), messages: warnings.map((w) => ({ key: w.id, value: w })) },
    ]);
  }
  const webhooks = (warningId: string, path = '/hook') =>
    receiver.received.filter(
      (r) => r.path === path && (r.json as NotificationMessage | undefined)?.warning?.id === warningId,
    );

  it('validates channels and refuses a non-admin (403), a bad body (400 naming the field)', async () => {
    const operator = await login(hub.url, 'operator');
    expect((await operator.request('POST', '/api/v1/notification-channels', {})).status).toBe(403);
    const bad = await admin.request('POST', '/api/v1/notification-channels', {
      recipient: 'unit:water',
      levels: ['purple'],
      target: { kind: 'webhook', url: 'ftp://x' },
    });
    expect(bad.status).toBe(400);
    const problem = (await bad.json()) as { errors: { pointer: string }[] };
    expect(problem.errors.map((e) => e.pointer).join(' ')).toMatch(/levels|target/);
    const quiet = await admin.request('POST', '/api/v1/notification-channels', {
      recipient: 'unit:water',
      levels: ['red'],
      quietHours: { start: '22:00', end: '22:00' },
      target: { kind: 'webhook', url: 'http://127.0.0.1:1/x' },
    });
    expect(quiet.status).toBe(400);
  });

  it('a warning and its escalation reach every configured channel once, each kind in its format; the resolution reaches everyone told', async () => {
    const hook = await channel({
      recipient: 'unit:water',
      levels: ['yellow', 'orange', 'red'],
      label: '水务值班群 webhook',
      target: { kind: 'webhook', url: `${receiver.url}/hook`, secret: SECRET },
    });
    await channel({
      recipient: 'unit:water',
      levels: ['yellow'],
      target: {
        kind: 'wecom',
        url: `${receiver.url}/wecom/cgi-bin/webhook/send?key=k1`,
        mentionedMobiles: ['13800000000'],
      },
    });
    await channel({
      recipient: 'unit:water',
      levels: ['yellow'],
      language: 'en',
      target: { kind: 'sms', url: `${receiver.url}/sms`, secret: SECRET, phoneNumbers: ['+8613800000000'] },
    });
    await channel({
      recipient: 'supervisor:water',
      levels: ['yellow'],
      target: {
        kind: 'dingtalk',
        url: `${receiver.url}/dingtalk/robot/send?access_token=t1`,
        secret: DING_SECRET,
        atMobiles: ['13900000000'],
      },
    });
    await channel({
      recipient: 'operators',
      levels: ['yellow'],
      target: { kind: 'email', to: ['duty@nanhai.example'] },
    });
    // Not for this warning: another unit, another level.
    await channel({
      recipient: 'unit:police',
      levels: ['yellow'],
      target: { kind: 'webhook', url: `${receiver.url}/police`, secret: SECRET },
    });
    await channel({
      recipient: 'unit:water',
      levels: ['red'],
      target: { kind: 'webhook', url: `${receiver.url}/red-only`, secret: SECRET },
    });
    expect(hook.channel.secretSet).toBe(true);
    expect(JSON.stringify(hook.channel)).not.toContain(SECRET);

    await produce(testWarning({ id: 'notify-all', level: 'yellow', departments: ['water'], exercise: true }));
    // Raised → the water unit's three channels; the deadline (2 s) passes → supervisor and operators.
    await until('five deliveries', () => {
      const n =
        receiver.received.filter((r) => r.path !== '/police' && r.path !== '/red-only').length + mails.length;
      return n >= 5 ? n : undefined;
    });
    await sleep(1500);
    const raised = webhooks('notify-all');
    expect(raised).toHaveLength(1);
    const m = raised[0]?.json as NotificationMessage;
    expect(raised[0]?.verdict).toEqual({ ok: true });
    expect(m.schema).toBe('liandong.notification.v1');
    expect(m.type).toBe('warning.raised');
    expect(m.recipient).toBe('unit:water');
    expect(m.text.title.startsWith('【演练】')).toBe(true);
    expect(m.text.body).toContain('黄色（Ⅲ级）');
    expect(m.text.body).toContain('桂城街道');
    expect(m.text.body).toMatch(/确认时限：(剩余|已超时)/);
    expect(m.link).toBe('http://console.test/warnings/notify-all');
    expect(raised[0]?.headers['webhook-id']).toBe(m.id);

    const wecom = receiver.received.filter((r) => r.path.startsWith('/wecom'));
    expect(wecom).toHaveLength(1);
    const wecomBody = wecom[0]?.json as { msgtype: string; markdown: { content: string } };
    expect(wecomBody.msgtype).toBe('markdown');
    expect(wecomBody.markdown.content).toContain('【演练】');
    expect(wecomBody.markdown.content).toContain('<@13800000000>');

    const sms = receiver.received.filter((r) => r.path === '/sms');
    expect(sms).toHaveLength(1);
    expect(sms[0]?.verdict).toEqual({ ok: true });
    const smsBody = sms[0]?.json as SmsGatewayRequest;
    expect(smsBody.text.startsWith('[Liandong] EXERCISE')).toBe(true);
    expect(smsBody.phoneNumbers).toEqual(['+8613800000000']);

    const ding = receiver.received.filter((r) => r.path.startsWith('/dingtalk'));
    expect(ding).toHaveLength(1);
    expect(ding[0]?.verdict).toEqual({ ok: true });
    expect(ding[0]?.query.get('access_token')).toBe('t1');
    const dingBody = ding[0]?.json as {
      msgtype: string;
      markdown: { title: string; text: string };
      at: { atMobiles: string[] };
    };
    expect(dingBody.markdown.title).toMatch(/^【演练】超时未确认：水务/);
    expect(dingBody.at.atMobiles).toEqual(['13900000000']);

    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toMatch(/^【演练】超时未确认：水务未确认黄色（Ⅲ级）预警/);
    expect(mails[0]?.text).toContain('第1次升级');
    expect(mails[0]?.html).toContain('<h2');
    expect(receiver.received.filter((r) => r.path === '/police' || r.path === '/red-only')).toHaveLength(0);

    // The operator resolves: every channel told before gets the resolution, once.
    const operator = await login(hub.url, 'operator');
    expect(
      (await operator.request('POST', '/api/v1/warnings/notify-all/resolve', { disposition: 'false_alarm' }))
        .status,
    ).toBe(200);
    await until('resolution everywhere', () =>
      receiver.received.length + mails.length >= 10 ? true : undefined,
    );
    await sleep(1500);
    expect(webhooks('notify-all').map((r) => (r.json as NotificationMessage).type)).toEqual([
      'warning.raised',
      'warning.resolved',
    ]);
    expect(receiver.received.filter((r) => r.path.startsWith('/wecom'))).toHaveLength(2);
    expect(receiver.received.filter((r) => r.path.startsWith('/dingtalk'))).toHaveLength(2);
    expect(receiver.received.filter((r) => r.path === '/sms')).toHaveLength(2);
    expect(mails).toHaveLength(2);
    expect(mails[1]?.subject).toBe('【演练】预警已处置（误报）：桂城街道：暴雨内涝风险');
    const ids = receiver.received.map((r) => r.headers['webhook-id']).filter(Boolean);
    expect(new Set(ids).size).toBe(ids.length);

    // The record: the delivery timeline of the warning, and the audit log.
    const record = (await (
      await operator.request('GET', '/api/v1/warnings/notify-all/notifications')
    ).json()) as NotificationDeliveryList;
    expect(record.deliveries).toHaveLength(10);
    expect(
      record.deliveries.every(
        (d) => d.state === 'delivered' && d.attempts.length === 1 && d.attempts[0]?.outcome === 'delivered',
      ),
    ).toBe(true);
    const { rows } = await db.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_log WHERE action = 'notification.delivered' AND target = 'notify-all'",
    );
    expect(rows[0]?.n).toBe(10);
    const verify = (await (await admin.request('GET', '/api/v1/audit/verify')).json()) as { ok: boolean };
    expect(verify.ok).toBe(true);
    // A liaison of another unit may not read it.
    expect(
      (
        await (
          await login(hub.url, 'liaison-police')
        ).request('GET', '/api/v1/warnings/notify-all/notifications')
      ).status,
    ).toBe(403);
  }, 90_000);

  it('a forged signature is caught by the receiver’s check', async () => {
    const body = JSON.stringify({ schema: 'liandong.notification.v1', id: 'x' });
    const now = new Date();
    const genuine = webhookHeaders(SECRET, '6f1f4c1e-0000-4000-8000-000000000001', now, body);
    const post = (headers: Record<string, string>, b: string) =>
      fetch(`${receiver.url}/hook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: b,
      });
    expect((await post(genuine, body)).status).toBe(200);
    expect((await post(genuine, body.replace('"x"', '"y"'))).status).toBe(401); // body changed
    expect((await post(webhookHeaders(generateSecret(), 'forged', now, body), body)).status).toBe(401); // wrong key
    const old = webhookHeaders(SECRET, 'replayed', new Date(now.getTime() - 3600_000), body);
    expect((await post(old, body)).status).toBe(401); // replayed an hour later
    const verdicts = receiver.received.slice(-4).map((r) => r.verdict);
    expect(verdicts.map((v) => v?.ok)).toEqual([true, false, false, false]);
    expect(verdicts.slice(1).map((v) => (v && !v.ok ? v.reason : ''))).toEqual([
      'signature does not match',
      'signature does not match',
      'webhook-timestamp more than 300 s away',
    ]);
  });

  it(
    'a receiver down for a minute gets the message after it returns; meanwhile the channel shows dead; a refusing one is given up',
    async () => {
      const flaky = await startReceiver({ secret: SECRET });
      const port = flaky.port;
      await flaky.down();
      const refusing = await startReceiver({ secret: SECRET, status: 400 });
      const down = await channel({
        recipient: 'unit:traffic',
        levels: ['orange'],
        label: 'down',
        target: { kind: 'webhook', url: `http://127.0.0.1:${port}/hook`, secret: SECRET },
      });
      const refused = await channel({
        recipient: 'unit:traffic',
        levels: ['orange'],
        label: 'refuses',
        target: { kind: 'webhook', url: `${refusing.url}/hook`, secret: SECRET },
      });
      try {
        await produce(
          testWarning({ id: 'notify-down', level: 'orange', departments: ['traffic'], exercise: false }),
        );
        const operator = await login(hub.url, 'operator');
        const health = async () =>
          (
            (await (
              await operator.request('GET', '/api/v1/feeds/health/channels')
            ).json()) as ChannelHealthList
          ).channels;
        const dead = await until('the down channel dead', async () => {
          const c = (await health()).find((h) => h.id === down.channel.id);
          return c?.state === 'dead' ? c : undefined;
        });
        expect(dead.failuresSinceDelivery).toBeGreaterThanOrEqual(3);
        expect(dead.pending).toBe(1);
        expect(dead.lastError).toMatch(/ECONNREFUSED/);
        const givenUp = (await health()).find((h) => h.id === refused.channel.id);
        expect(givenUp?.state).toBe('dead');
        expect(givenUp?.givenUp).toBe(1);
        expect(refusing.received).toHaveLength(1);

        await sleep(Math.max(0, DOWN_MS - 5_000));
        await flaky.up();
        const got = await until(
          'delivery after the receiver returned',
          () => (flaky.received.length > 0 ? flaky.received : undefined),
          15_000,
        );
        await sleep(3000);
        expect(got).toHaveLength(1);
        expect(got[0]?.verdict).toEqual({ ok: true });
        const message = got[0]?.json as NotificationMessage;
        expect(message.text.title).toBe('橙色（Ⅱ级）预警：桂城街道：暴雨内涝风险');
        expect(message.attempt).toBeGreaterThan(3);
        expect((await health()).find((h) => h.id === down.channel.id)?.state).toBe('ok');

        const record = (await (
          await operator.request('GET', '/api/v1/warnings/notify-down/notifications')
        ).json()) as NotificationDeliveryList;
        const viaDown = record.deliveries.find((d) => d.channelId === down.channel.id);
        expect(viaDown?.state).toBe('delivered');
        expect(viaDown?.attempts.at(-1)?.outcome).toBe('delivered');
        expect(viaDown?.attempts.slice(0, -1).every((a) => a.outcome === 'retry')).toBe(true);
        const viaRefused = record.deliveries.find((d) => d.channelId === refused.channel.id);
        expect(viaRefused?.state).toBe('failed');
        expect(viaRefused?.attempts.map((a) => a.outcome)).toEqual(['failed']);
        const { rows } = await db.pool.query<{ action: string; n: number }>(
          `SELECT action, count(*)::int AS n FROM audit_log WHERE target = 'notify-down' AND action LIKE 'notification.%' GROUP BY action ORDER BY action`,
        );
        const counts = Object.fromEntries(rows.map((r) => [r.action, r.n]));
        expect(counts['notification.delivered']).toBe(1);
        expect(counts['notification.failed']).toBe(1);
        expect(counts['notification.attempt_failed']).toBe((viaDown?.attempts.length ?? 0) - 1);
      } finally {
        await flaky.close();
        await refusing.close();
        for (const c of [down, refused])
          await admin.request('DELETE', `/api/v1/notification-channels/${c.channel.id}`);
      }
    },
    DOWN_MS + 90_000,
  );

  it('two hubs on one database and broker deliver each message once', async () => {
    const second = await startTestHub({ db, kafka, env: { NOTIFY_POLL_MS: '200', NOTIFY_CONCURRENCY: '8' } });
    const sink = await startReceiver({ secret: SECRET });
    try {
      await channel({
        recipient: 'unit:*',
        levels: ['blue'],
        target: { kind: 'webhook', url: `${sink.url}/hook`, secret: SECRET },
      });
      const warnings = Array.from({ length: 40 }, (_, i) =>
        testWarning({ id: `notify-twice-${i}`, level: 'blue', departments: ['health', 'market'] }),
      );
      await produce(...warnings);
      await until('80 deliveries', () => (sink.received.length >= 80 ? true : undefined), 60_000);
      await sleep(3000);
      expect(sink.received).toHaveLength(80);
      const keys = sink.received.map((r) => {
        const m = r.json as NotificationMessage;
        return `${m.messageKey}|${m.recipient}`;
      });
      expect(new Set(keys).size).toBe(80);
      expect(sink.received.every((r) => r.verdict?.ok)).toBe(true);
    } finally {
      await second.close();
      await sink.close();
    }
  }, 120_000);
});
