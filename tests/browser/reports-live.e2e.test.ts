/// <reference lib="dom" />
/**
 * After-action reports (复盘) and the live link, in a real Chromium against a real hub (broker,
 * database); one hub and browser for both, the hub restarted last.
 *
 * Reports. The test plays a small week through the hub's inputs and API: warnings on warnings.v1
 * as the correlator raises them (one revised to red and re-routed), evidence events on the events
 * topics, acknowledgements by the liaisons (one on time, one late, one never — missed and
 * escalated), resolutions by the operator, an exercise apart. An analyst opens the period report
 * (default: the last 7 Beijing days) and every figure on screen is compared with the hub's JSON
 * for the same period, then the warning's report from its detail screen, compared with that
 * report's JSON. Exports are fetched through the links and found in the audit log; a liaison gets
 * no menu entry and no report.
 *
 * The live link, cut for real (no mocked socket): the browser goes offline (Chromium's network
 * emulation; the socket closes on the browser's offline event and cannot reconnect) and the
 * console says so; warnings raised meanwhile reach the hub; back online, the console resumes from
 * its last sequence and the hub replays exactly those pushes. Then the hub itself stops (its app
 * closed: sockets, HTTP, consumers) and a new one starts on the same port: the banner shows while
 * it is away, and the warning raised while no hub ran reaches the console once.
 *
 * Screenshots go to .data/screenshots/ (named in the output).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  LEVELS,
  type AuditPage,
  type PeriodReport,
  type WarningDetail,
  type WarningPage,
  type WarningReport,
} from '@liandong/contracts';
import type { JsonProducer } from '@liandong/kafka';
import type { TestKafka } from '@liandong/testkit';
import {
  apiSession,
  event,
  go,
  newPage,
  screenshot,
  sendEvents,
  sendWarning,
  signIn,
  startConsoleHub,
  startConsoleRig,
  warning,
  type ApiSession,
  type ConsoleHub,
  type ConsoleRig,
} from './browser.ts';

const DAY = 86_400_000;
const BEIJING = 8 * 3600_000;
/** A red deadline short enough to miss in the test (the others keep their defaults). */
const RED_DEADLINE_S = 3;
const HUB_ENV = { ACK_DEADLINE_RED_SECONDS: String(RED_DEADLINE_S) };

/** Beijing midnight starting the day `days` days from today (the test's own reckoning). */
const beijingMidnight = (days: number) =>
  new Date(Math.floor((Date.now() + BEIJING) / DAY) * DAY - BEIJING + days * DAY);
const beijingDate = (iso: string) => new Date(Date.parse(iso) + BEIJING).toISOString().slice(0, 10);
const digits = (s: string | null) => Number((s ?? '').replace(/[^\d]/g, ''));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('after-action reports and the live link in Chromium', () => {
  let rig: ConsoleRig;
  let hub: ConsoleHub;
  let kafka: TestKafka;
  let kafkaOut: JsonProducer;
  let operatorApi: ApiSession;
  let analystApi: ApiSession;
  /** The duty operator's console: it opens a warning's report, then loses and regains its link. */
  let operator: Page;

  beforeAll(async () => {
    rig = await startConsoleRig(HUB_ENV);
    ({ hub, kafka, kafkaOut } = rig);
    operatorApi = await apiSession(hub.url, 'operator');
    analystApi = await apiSession(hub.url, 'analyst');
  });

  afterAll(async () => {
    await rig?.close();
  });

  async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const value = await read().catch(() => undefined);
      if (value !== undefined && ok(value)) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(150);
    }
  }

  describe('after-action reports', () => {
    let analyst: Page;
    const detail = (id: string) => operatorApi.get<WarningDetail>(`/api/v1/warnings/${id}`);

    it('a week plays through the hub: revisions, acknowledgements on time, late and missed, resolutions, an exercise', async () => {
      const now = Date.now();
      const ago = (ms: number) => new Date(now - ms).toISOString();
      const place = { lon: 113.152, lat: 23.036 };
      const earlyMorning = new Date(beijingMidnight(-4).getTime() + (2 * 60 + 17) * 60_000).toISOString();
      const evidence = [
        event('water', 'waterlogging_depth', place, { occurredAt: ago(5 * 60_000) }),
        event('traffic', 'flooded_road', { lon: 113.155, lat: 23.038 }, { occurredAt: ago(4 * 60_000) }),
        event('police', 'people_trapped', { lon: 113.149, lat: 23.033 }, { occurredAt: ago(2 * 60_000) }),
      ];
      await sendEvents(kafkaOut, kafka, evidence);

      // The rainstorm: orange, then revised to red with a third piece of evidence and traffic routed.
      const rev1 = warning({
        id: 'rp-rain',
        level: 'orange',
        departments: ['water', 'emergency'],
        evidence: evidence.slice(0, 2).map((e) => e.id),
        firstEvidenceAt: ago(5 * 60_000),
        lastEvidenceAt: ago(4 * 60_000),
        raisedAt: ago(60_000),
        updatedAt: ago(60_000),
      });
      await sendWarning(kafkaOut, kafka, rev1);
      await sendWarning(kafkaOut, kafka, {
        ...rev1,
        revision: 2,
        level: 'red',
        departments: ['water', 'emergency', 'traffic'],
        evidence: evidence.map((e) => e.id),
        lastEvidenceAt: ago(2 * 60_000),
        updatedAt: ago(30_000),
      });
      // Earlier in the week: a yellow two days ago, an orange false alarm four days ago at night, an exercise.
      await sendWarning(
        kafkaOut,
        kafka,
        warning({
          id: 'rp-river',
          level: 'yellow',
          departments: ['police', 'governance'],
          title: { zh: '九江镇：西江水位接近警戒', en: 'Jiujiang: Xijiang near its warning level' },
          raisedAt: ago(2 * DAY),
          updatedAt: ago(2 * DAY),
          firstEvidenceAt: ago(2 * DAY + 90_000),
        }),
      );
      await sendWarning(
        kafkaOut,
        kafka,
        warning({
          id: 'rp-crowd',
          level: 'orange',
          category: 'social_security',
          ruleId: 'surge-crowd',
          departments: ['urban', 'emergency'],
          title: { zh: '大沥镇：人员聚集', en: 'Dali: crowd gathering' },
          centroid: { type: 'Point', coordinates: [113.118, 23.108] },
          // 02:17 Beijing time: the evening before in UTC (and in the browser's Berlin), so a
          // day counted in any zone but Beijing's lands on the wrong bar.
          raisedAt: earlyMorning,
          updatedAt: earlyMorning,
          firstEvidenceAt: new Date(Date.parse(earlyMorning) - 30_000).toISOString(),
        }),
      );
      await sendWarning(
        kafkaOut,
        kafka,
        warning({
          id: 'rp-drill',
          level: 'blue',
          exercise: true,
          category: 'public_health',
          ruleId: 'surge-gastro',
          departments: ['health', 'emergency'],
          title: { zh: '演练：桂城街道胃肠道症状病例增多', en: 'Drill: more gastro cases in Guicheng' },
          raisedAt: ago(DAY),
          updatedAt: ago(DAY),
          firstEvidenceAt: ago(DAY + 600_000),
        }),
      );

      const water = await apiSession(hub.url, 'liaison-water');
      const traffic = await apiSession(hub.url, 'liaison-traffic');
      const police = await apiSession(hub.url, 'liaison-police');
      const red = await until(
        'revision 2 of rp-rain',
        () => detail('rp-rain'),
        (d) => d.warning.revision === 2 && d.evidenceEvents.length === 3,
      );
      await water.post('/api/v1/warnings/rp-rain/acknowledge', { note: '泵车已出动' });
      await until(
        'the other warnings',
        () => operatorApi.get<{ items: unknown[] }>('/api/v1/warnings?limit=50'),
        (page) => page.items.length === 4,
      );
      await police.post('/api/v1/warnings/rp-river/acknowledge', { note: '已安排巡查堤段' });
      await operatorApi.post('/api/v1/warnings/rp-crowd/resolve', {
        disposition: 'false_alarm',
        note: '商场促销排队，非聚集',
      });
      // Traffic acknowledges after its red deadline (late); the emergency office never does (missed).
      const trafficDeadline = Date.parse(
        red.warning.acknowledgements.find((a) => a.department === 'traffic')?.deadline ?? '',
      );
      expect(trafficDeadline).toBeGreaterThan(0);
      await sleep(Math.max(0, trafficDeadline - Date.now() + 600));
      await traffic.post('/api/v1/warnings/rp-rain/acknowledge', { note: '已封闭下穿隧道' });
      await until(
        'the emergency office’s escalation',
        () => detail('rp-rain'),
        (d) => d.escalations.some((e) => e.department === 'emergency'),
      );
      await operatorApi.post('/api/v1/warnings/rp-rain/resolve', {
        disposition: 'confirmed',
        note: '积水已排除，道路恢复通行',
      });
    });

    it('the period report (last 7 Beijing days by default) shows the hub’s figures', async () => {
      analyst = await newPage(rig.browser);
      await signIn(analyst, hub.url, 'analyst');
      await analyst.click('nav a[href="/reports"]');
      await analyst.waitForSelector('[data-testid=kpis]');

      // The default period, reckoned here on its own: today and the six days before, Beijing time.
      const from = beijingMidnight(-6).toISOString();
      const to = beijingMidnight(1).toISOString();
      expect(await analyst.textContent('[data-testid=period-line]')).toContain(
        beijingDate(from).replaceAll('-', '/'),
      );
      expect(await analyst.getAttribute('[data-preset=last7]', 'aria-pressed')).toBe('true');
      const report = await analystApi.get<PeriodReport>(
        `/api/v1/reports/period?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
      );
      // The JSON holds the week the test played (so the screen below is compared with something).
      expect(report.real.warnings).toBe(3);
      expect(report.exercise.warnings).toBe(1);
      const real = report.real;
      const unit = (code: string) => real.compliance.find((c) => c.department === code);
      expect(unit('emergency')?.missed).toBeGreaterThanOrEqual(1);
      expect(unit('traffic')?.late).toBe(1);

      const kpi = (name: string) => analyst.textContent(`[data-testid=kpis] [data-kpi="${name}"] .kpi-value`);
      expect(digits(await kpi('warnings'))).toBe(real.warnings);
      for (const level of LEVELS) expect(digits(await kpi(`level-${level}`))).toBe(real.byLevel[level] ?? 0);
      const sum = (k: 'missed' | 'late') => real.compliance.reduce((n, c) => n + c[k], 0);
      expect(digits(await kpi('missed'))).toBe(sum('missed'));
      expect(digits(await kpi('late'))).toBe(sum('late'));
      expect(digits(await kpi('escalations'))).toBe(real.escalations);

      // Each unit's deadlines: armed, on time, late, missed, open.
      const rows = await analyst.$$eval('[data-testid=compliance] tbody tr', (trs) =>
        trs.map((tr) => ({
          unit: tr.getAttribute('data-unit'),
          ...Object.fromEntries(
            ['armed', 'onTime', 'late', 'missed', 'open'].map((f) => [
              f,
              Number((tr.querySelector(`[data-field=${f}]`)?.textContent ?? '').replace(/[^\d]/g, '')),
            ]),
          ),
        })),
      );
      expect(rows).toEqual(
        real.compliance.map((c) => ({
          unit: c.department,
          armed: c.armed,
          onTime: c.onTime,
          late: c.late,
          missed: c.missed,
          open: c.open,
        })),
      );

      // Bars by Beijing day and level, counted here from the report's own warning list.
      const expected = new Map<string, Record<string, number>>();
      for (const w of report.warnings.filter((x) => !x.exercise)) {
        const day = beijingDate(w.raisedAt);
        const counts = expected.get(day) ?? { total: 0 };
        counts[w.level] = (counts[w.level] ?? 0) + 1;
        counts['total'] = (counts['total'] ?? 0) + 1;
        expected.set(day, counts);
      }
      const bars = await analyst.$$eval('[data-testid=chart-by-day] g.bar', (gs) =>
        gs.map((g) => ({
          day: g.getAttribute('data-key') ?? '',
          total: Number(g.getAttribute('data-total')),
          red: Number(g.getAttribute('data-red')),
          orange: Number(g.getAttribute('data-orange')),
          yellow: Number(g.getAttribute('data-yellow')),
          blue: Number(g.getAttribute('data-blue')),
        })),
      );
      expect(bars).toHaveLength(7);
      expect(bars[0]?.day).toBe(beijingDate(from));
      for (const bar of bars) {
        const want = expected.get(bar.day) ?? {};
        expect(bar, bar.day).toEqual({
          day: bar.day,
          total: want['total'] ?? 0,
          red: want['red'] ?? 0,
          orange: want['orange'] ?? 0,
          yellow: want['yellow'] ?? 0,
          blue: want['blue'] ?? 0,
        });
      }
      const hours = await analyst.$$eval('[data-testid=chart-by-hour] g.bar', (gs) =>
        gs.map((g) => Number(g.getAttribute('data-total'))),
      );
      expect(hours).toEqual(real.byHour);
      const listed = await analyst.$$eval('[data-testid=report-warnings] tbody tr', (trs) =>
        trs.map((tr) => tr.getAttribute('data-warning')),
      );
      expect(listed).toEqual(report.warnings.filter((w) => !w.exercise).map((w) => w.id));

      // No figure spills out of its box.
      const spilled = await analyst.$$eval('.kpi', (els) =>
        els.filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.getAttribute('data-kpi')),
      );
      expect(spilled).toEqual([]);
      await screenshot(analyst, 'reports-period-zh', true);

      // Exercises apart.
      await analyst.click('[data-testid=tab-exercise]');
      await analyst.waitForSelector('[data-testid=figures-exercise]');
      expect(digits(await kpi('warnings'))).toBe(report.exercise.warnings);
      expect(digits(await kpi('level-blue'))).toBe(report.exercise.byLevel['blue'] ?? 0);
    });

    it('the exports download from the links, and the hub records views and exports', async () => {
      const links = await analyst.$$eval('[data-testid=exports] a', (as) =>
        as.map((a) => ({ format: a.getAttribute('data-format'), href: (a as HTMLAnchorElement).href })),
      );
      expect(links.map((l) => l.format)).toEqual(['csv', 'pdf', 'json', 'html']);
      const get = async (format: string) => {
        const href = links.find((l) => l.format === format)?.href ?? '';
        expect(href).toContain(`from=${encodeURIComponent(beijingMidnight(-6).toISOString())}`);
        return analyst.context().request.get(href);
      };
      const csv = await get('csv');
      expect(csv.status()).toBe(200);
      expect(csv.headers()['content-type']).toContain('text/csv');
      expect((await csv.text()).replace(/^\uFEFF/, '')).toMatch(/^scope,section,key,measure,value/);
      // The PDF is the print layout through the hub's Chromium (hub.reports.int.test.ts prints it;
      // 5–10 s here): only its link is checked.
      expect(links.find((l) => l.format === 'pdf')?.href).toContain('format=pdf');
      const json = await get('json');
      expect(((await json.json()) as PeriodReport).real.warnings).toBe(3);
      const audit = await analystApi.get<AuditPage>('/api/v1/audit?action=report.exported&limit=50');
      const formats = audit.items.map((e) => (e.detail as { format?: string }).format);
      expect(formats).toContain('csv');
      const viewed = await analystApi.get<AuditPage>('/api/v1/audit?action=report.viewed&limit=50');
      expect(viewed.items.map((e) => e.actor)).toContain('analyst');
    });

    it('the warning’s report opens from its detail: acknowledgements against deadlines, timeline, evidence', async () => {
      // The duty operator opens it from the warning's detail screen (and keeps the console open
      // for the connection tests below).
      await analyst.context().close();
      operator = await newPage(rig.browser);
      const page = operator;
      await signIn(page, hub.url, 'operator');
      await go(page, '/warnings/rp-rain');
      await page.click('[data-testid=open-report]');
      await page.waitForSelector('[data-testid=report-acks] tbody tr');
      await page.waitForSelector('[data-testid=report-timeline] li[data-kind=revised]');
      expect(new URL(page.url()).pathname).toBe('/warnings/rp-rain/report');
      const report = await analystApi.get<WarningReport>('/api/v1/reports/warnings/rp-rain');

      const acks = await page.$$eval('[data-testid=report-acks] tbody tr', (trs) =>
        trs.map((tr) => ({
          unit: tr.getAttribute('data-unit'),
          outcome: tr.getAttribute('data-outcome'),
          taken: tr.querySelector('[data-field=taken]')?.getAttribute('data-seconds') ?? '',
          deadline: Number(tr.querySelector('[data-field=deadline]')?.getAttribute('data-seconds')),
          takenText: tr.querySelector('[data-field=taken]')?.textContent ?? '',
        })),
      );
      expect(acks.map(({ takenText: _, ...a }) => a)).toEqual(
        report.acknowledgements.map((a) => ({
          unit: a.department,
          outcome:
            a.secondsToAcknowledge !== null
              ? a.onTime
                ? 'onTime'
                : 'late'
              : a.onTime === false
                ? 'missed'
                : 'open',
          taken: a.secondsToAcknowledge === null ? '' : String(a.secondsToAcknowledge),
          deadline: a.deadlineSeconds,
        })),
      );
      // The scenario: water on time (or late on a crawling machine), traffic late, emergency missed.
      expect(acks.find((a) => a.unit === 'traffic')?.outcome).toBe('late');
      expect(acks.find((a) => a.unit === 'emergency')?.outcome).toBe('missed');
      expect(acks.find((a) => a.unit === 'traffic')?.takenText).toMatch(/\d+秒/);

      const timeline = await page.$$eval('[data-testid=report-timeline] li', (lis) =>
        lis.map((li) => ({ kind: li.getAttribute('data-kind'), text: li.textContent ?? '' })),
      );
      expect(timeline.map((e) => e.kind)).toEqual(report.timeline.map((e) => e.kind));
      // In Chinese, from the revisions and activity (the hub's own line is English).
      expect(timeline.find((e) => e.kind === 'revised')?.text).toContain('级别 橙色 II级 → 红色 I级');
      expect(timeline.find((e) => e.kind === 'resolved')?.text).toContain('属实');
      expect(timeline.filter((e) => e.kind === 'acknowledged').map((e) => e.text)).toEqual(
        expect.arrayContaining([expect.stringContaining('超时签收')]),
      );
      const evidenceIds = await page.$$eval('[data-testid=report-evidence] tbody tr', (trs) =>
        trs.map((tr) => tr.getAttribute('data-event')),
      );
      expect(evidenceIds).toEqual(report.evidence.map((e) => e.id));
      const kpi = (name: string) => page.textContent(`[data-kpi="${name}"] .kpi-value`);
      expect(digits(await kpi('escalations'))).toBe(report.escalations);
      expect(digits(await kpi('evidence'))).toBe(report.evidenceCount);
      expect(await kpi('disposition')).toBe('属实');
      await screenshot(page, 'reports-warning-zh', true);

      await page.click('button[aria-label="切换语言"]');
      await page.waitForSelector('text=Time to acknowledge per unit against its deadline');
      expect(await page.textContent('[data-testid=report-timeline]')).toContain('level Orange II → Red I');
      await screenshot(page, 'reports-warning-en', true);
      await page.click('button[aria-label="Switch language"]');
    });

    it('a liaison has no report menu and no report', async () => {
      const liaison = await newPage(rig.browser);
      await signIn(liaison, hub.url, 'liaison-water');
      expect(await liaison.$('nav a[href="/reports"]')).toBeNull();
      await go(liaison, '/reports');
      await liaison.waitForSelector('[data-testid=no-access]');
      await go(liaison, '/warnings/rp-rain');
      await liaison.waitForSelector('[data-testid=matrix]');
      expect(await liaison.$('[data-testid=open-report]')).toBeNull();
      const status = await liaison.evaluate(
        async () => (await fetch('/api/v1/reports/warnings/rp-rain')).status,
      );
      expect(status).toBe(403);
      await liaison.context().close();
    });
  });

  describe('connection lost and regained', () => {
    /** Waits until the hub lists every one of these warnings (read over HTTP, beside the browser). */
    const hubHas = (ids: string[]) =>
      until(
        `the hub to have ${ids.join(', ')}`,
        () => operatorApi.get<WarningPage>('/api/v1/warnings?limit=100'),
        (list) => ids.every((id) => list.items.some((w) => w.id === id)),
      );
    /** This part's warnings in the queue (the reports' week is there too). */
    const rows = () =>
      operator.$$eval('tr[data-warning^="rc-"]', (trs) => trs.map((tr) => tr.getAttribute('data-warning')));

    it('offline: the banner shows; back online, the hub replays the warnings raised meanwhile', async () => {
      await go(operator, '/queue');
      await operator.waitForSelector('[data-testid=connection].conn-connected');
      await sendWarning(kafkaOut, kafka, warning({ id: 'rc-before', level: 'yellow' }));
      await operator.waitForSelector('tr[data-warning="rc-before"]');

      await operator.context().setOffline(true);
      await operator.waitForSelector('[data-testid=offline-banner]');
      expect(await operator.textContent('[data-testid=offline-banner]')).toContain('本机网络已断开');
      expect(await operator.getAttribute('[data-testid=connection]', 'class')).not.toContain(
        'conn-connected',
      );

      await sendWarning(
        kafkaOut,
        kafka,
        warning({
          id: 'rc-away-orange',
          level: 'orange',
          title: { zh: '里水镇：河涌水位超警戒', en: 'Lishui: creek over its warning level' },
        }),
      );
      await sendWarning(
        kafkaOut,
        kafka,
        warning({
          id: 'rc-away-yellow',
          level: 'yellow',
          departments: ['police', 'emergency'],
          title: { zh: '大沥镇：人员聚集持续增加', en: 'Dali: crowd keeps growing' },
        }),
      );
      await hubHas(['rc-away-orange', 'rc-away-yellow']);
      // The hub pushes within milliseconds; a second later the offline console still has neither.
      await sleep(1000);
      expect(await rows()).toEqual(['rc-before']);
      await screenshot(operator, 'reconnect-offline-banner');

      await operator.context().setOffline(false);
      await operator.waitForSelector('[data-testid=resumed-banner]', { timeout: 15_000 });
      // Exactly what it missed was replayed: the two warnings' pushes.
      expect(await operator.getAttribute('[data-testid=resumed-banner]', 'data-replayed')).toBe('2');
      expect(await operator.textContent('[data-testid=resumed-banner]')).toContain(
        '已补回断线期间的 2 条推送',
      );
      expect(await operator.$('[data-testid=offline-banner]')).toBeNull();
      await operator.waitForSelector('tr[data-warning="rc-away-yellow"]');
      expect((await rows()).sort()).toEqual(['rc-away-orange', 'rc-away-yellow', 'rc-before']);
      // The orange one raised while away is announced like any new orange warning.
      expect(await operator.textContent('[data-testid=banner]')).toContain('里水镇');
      await operator.waitForSelector('[data-testid=connection].conn-connected');
      await screenshot(operator, 'reconnect-caught-up');

      // And live again: a new warning arrives by push, no reload.
      await sendWarning(kafkaOut, kafka, warning({ id: 'rc-after', level: 'blue' }));
      await operator.waitForSelector('tr[data-warning="rc-after"]');
    });

    it('the hub stops and comes back: the banner shows meanwhile; the warning raised while no hub ran arrives once', async () => {
      await operator.click('[data-testid=resumed-banner] button');
      const port = Number(new URL(hub.url).port);
      await hub.close();
      await operator.waitForSelector('[data-testid=offline-banner]');
      expect(await operator.textContent('[data-testid=offline-banner]')).not.toContain('本机网络已断开');
      await sendWarning(
        kafkaOut,
        kafka,
        warning({
          id: 'rc-hub-down',
          level: 'orange',
          title: { zh: '丹灶镇：危化品运输车辆事故', en: 'Danzao: hazardous goods vehicle accident' },
        }),
      );
      await screenshot(operator, 'reconnect-hub-down');

      hub = rig.hub = await startConsoleHub(rig.db, kafka, rig.dist, { env: HUB_ENV, port });
      await operator.waitForSelector('tr[data-warning="rc-hub-down"]', { timeout: 30_000 });
      await operator.waitForSelector('[data-testid=connection].conn-connected');
      expect(await operator.$('[data-testid=offline-banner]')).toBeNull();
      const listed = await rows();
      expect(listed.sort()).toEqual([
        'rc-after',
        'rc-away-orange',
        'rc-away-yellow',
        'rc-before',
        'rc-hub-down',
      ]);
      await screenshot(operator, 'reconnect-hub-back');
    });
  });
});
