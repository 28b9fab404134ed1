import { describe, expect, it } from 'vitest';
import type { Warning } from '@liandong/contracts';
import { decide, evolveAll, DEFAULT_DEADLINES, type LifecycleState } from '../domain/lifecycle.ts';
import { backoffMs, covers, notBefore, planNotifications } from './notification.plan.ts';
import { renderMessage, smsBody } from './notification.render.ts';
import { dingtalkSignedUrl, signWebhook, verifyWebhook, webhookHeaders } from './notification.signing.ts';

const at = '2026-12-02T06:00:00.000Z'; // 14:00 in Shanghai
const warning = (over: Partial<Warning> = {}): Warning => ({
  id: 'w1',
  ruleId: 'r',
  ruleVersion: 1,
  revision: 1,
  level: 'yellow',
  category: 'natural_disaster',
  status: 'active',
  exercise: false,
  departments: ['water', 'emergency'],
  evidence: ['e1'],
  raisedAt: at,
  updatedAt: at,
  firstEvidenceAt: at,
  lastEvidenceAt: at,
  title: { zh: '桂城街道：暴雨内涝风险', en: 'Guicheng: waterlogging' },
  summary: { zh: '水位超警戒。', en: 'Over warning level.' },
  area: { type: 'Point', coordinates: [113.152, 23.036] } as unknown as Warning['area'],
  centroid: { type: 'Point', coordinates: [113.152, 23.036] },
  thresholds: [],
  ...over,
});
let n = 0;
const ctx = (now = new Date(at)) => ({
  now,
  policy: DEFAULT_DEADLINES,
  newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
});
function run(state: LifecycleState | undefined, command: Parameters<typeof decide>[1], now?: Date) {
  const events = decide(state, command, ctx(now));
  return { events, state: evolveAll(state, events) as LifecycleState };
}

describe('planNotifications', () => {
  it('given a new warning, when it is received, then each routed unit is told once, with its deadline', () => {
    const { events, state } = run(undefined, { type: 'receive', warning: warning() });
    const planned = planNotifications(undefined, events, state);
    expect(planned.map((p) => [p.key, p.recipients, p.facts.type])).toEqual([
      ['raised:w1', ['unit:water'], 'warning.raised'],
      ['raised:w1', ['unit:emergency'], 'warning.raised'],
    ]);
    expect(planned[0]?.facts.acknowledge?.deadline).toBe('2026-12-02T06:30:00.000Z');
  });

  it('given a warning, when a revision raises the level, then every routed unit gets a level raise; a revision at the same level tells nobody', () => {
    const first = run(undefined, { type: 'receive', warning: warning() });
    const same = run(first.state, { type: 'receive', warning: warning({ revision: 2 }) });
    expect(planNotifications(first.state, same.events, same.state)).toEqual([]);
    const raised = run(same.state, { type: 'receive', warning: warning({ revision: 3, level: 'red' }) });
    const planned = planNotifications(same.state, raised.events, raised.state);
    expect(planned.map((p) => p.key)).toEqual(['level_raised:w1:3', 'level_raised:w1:3']);
    expect(planned[0]?.facts.warning.previousLevel).toBe('yellow');
  });

  it('given a missed deadline, when it escalates, then the supervisor and the operators are told; a resolution goes to everyone told', () => {
    const first = run(undefined, { type: 'receive', warning: warning({ departments: ['water'] }) });
    const late = run(first.state, { type: 'escalate' }, new Date(Date.parse(at) + 31 * 60_000));
    const planned = planNotifications(first.state, late.events, late.state);
    expect(planned.map((p) => [p.key, p.recipients])).toEqual([
      ['overdue:w1:water:1:1', ['operators', 'supervisor:water']],
    ]);
    const resolved = run(late.state, {
      type: 'resolve',
      disposition: 'confirmed',
      by: { username: 'op', role: 'operator' },
    });
    const told = planNotifications(late.state, resolved.events, resolved.state);
    expect(told.map((p) => [p.key, p.toldBefore, p.facts.resolution?.disposition])).toEqual([
      ['resolved:w1', true, 'confirmed'],
    ]);
  });
});

describe('quiet hours, recipients, back-off', () => {
  const quiet = { start: '22:00', end: '07:00' };
  it('holds non-red messages until the end of quiet hours (Shanghai time), never red ones', () => {
    const night = new Date('2026-12-02T15:30:00Z'); // 23:30 in Shanghai
    expect(notBefore(night, 'orange', quiet).toISOString()).toBe('2026-12-02T23:00:00.000Z'); // 07:00
    expect(notBefore(night, 'red', quiet)).toEqual(night);
    expect(notBefore(new Date(at), 'orange', quiet)).toEqual(new Date(at)); // 14:00: not quiet
    expect(notBefore(new Date('2026-12-02T20:00:00Z'), 'blue', quiet).toISOString()).toBe(
      '2026-12-02T23:00:00.000Z',
    ); // 04:00
  });
  it('matches exact recipients and patterns', () => {
    expect(covers('unit:*', 'unit:water')).toBe(true);
    expect(covers('unit:*', 'supervisor:water')).toBe(false);
    expect(covers('*', 'operators')).toBe(true);
    expect(covers('unit:water', 'unit:waterworks')).toBe(false);
  });
  it('backs off exponentially up to the maximum', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 10].map((k) => backoffMs(k, 1000, 5000, mid))).toEqual([
      1000, 2000, 4000, 5000, 5000,
    ]);
  });
});

describe('rendering and signatures', () => {
  it('an exercise says 演练 first, gives level, place, time left and the link; English where chosen', () => {
    const { events, state } = run(undefined, { type: 'receive', warning: warning({ exercise: true }) });
    const facts = planNotifications(undefined, events, state)[0]!.facts;
    const base = {
      id: 'd1',
      messageKey: 'raised:w1',
      recipient: 'unit:water',
      createdAt: at,
      attempt: 1,
      consoleUrl: 'http://c/',
    };
    const zh = renderMessage(facts, { ...base, language: 'zh', now: new Date(Date.parse(at) + 90_000) });
    expect(zh.text.title).toBe('【演练】黄色（Ⅲ级）预警：桂城街道：暴雨内涝风险');
    expect(zh.text.body).toContain('地点：南海区桂城街道附近');
    expect(zh.text.body).toContain('确认时限：剩余28分30秒（12-02 14:30 前，北京时间）');
    expect(zh.link).toBe('http://c/warnings/w1');
    const en = renderMessage(facts, { ...base, language: 'en', now: new Date(at) });
    expect(en.text.title).toBe('EXERCISE — Yellow (III) warning: Guicheng: waterlogging');
    expect(smsBody(en, ['+8613800000000']).text.startsWith('[Liandong] EXERCISE')).toBe(true);
  });
  it('signs the Standard Webhooks way and the check refuses any change', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    // The example of the Standard Webhooks specification.
    expect(signWebhook(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
    const now = new Date();
    const headers = webhookHeaders(secret, 'id1', now, 'body');
    expect(verifyWebhook(secret, headers, 'body', now)).toEqual({ ok: true });
    expect(verifyWebhook(secret, headers, 'body!', now).ok).toBe(false);
    expect(verifyWebhook('whsec_AAAA', headers, 'body', now).ok).toBe(false);
  });
  it('signs DingTalk robot URLs with timestamp and sign', () => {
    const url = new URL(
      dingtalkSignedUrl(
        'https://oapi.dingtalk.com/robot/send?access_token=t',
        'SECabc',
        new Date(1_700_000_000_000),
      ),
    );
    expect(url.searchParams.get('access_token')).toBe('t');
    expect(url.searchParams.get('timestamp')).toBe('1700000000000');
    expect(url.searchParams.get('sign')).toMatch(/^[A-Za-z0-9+/]+=*$/);
  });
});
