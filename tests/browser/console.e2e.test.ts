/// <reference lib="dom" />
/**
 * The duty console in a real Chromium against a real hub (broker, database): an operator and a
 * liaison sign in; a warning produced on warnings.v1 arrives live in both (banner, title count);
 * the liaison acknowledges by keyboard with a note and the operator's matrix changes; the
 * operator acknowledges on a unit's behalf and resolves; events show on the map, a script in an
 * event shows as text; the map works with no tiles at all; feed health shows the silent feed;
 * English by the switch. Screenshots of each screen go to .data/screenshots/ (named in the
 * output). Figures printed: time to 10,000 events on the map, frames while panning, bundle size.
 */
import { cpus, loadavg } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { JsonProducer } from '@liandong/kafka';
import type { TestKafka } from '@liandong/testkit';
import {
  bundleSize,
  event,
  manyEvents,
  newPage,
  screenshot,
  sendEvents,
  sendWarning,
  signIn,
  startConsoleRig,
  warning,
  type ConsoleHub,
  type ConsoleRig,
} from './browser.ts';

const EVENTS = Number(process.env['CONSOLE_MAP_EVENTS'] ?? 10_000);

describe('duty console in Chromium', () => {
  let rig: ConsoleRig;
  let hub: ConsoleHub;
  let kafka: TestKafka;
  let kafkaOut: JsonProducer;
  let operator: Page;
  let liaison: Page;
  let dist: string;

  beforeAll(async () => {
    rig = await startConsoleRig();
    ({ hub, kafka, kafkaOut, dist } = rig);
  });

  afterAll(async () => {
    await rig?.close();
  });

  it('serves the console at / with the SPA fallback, the API first', async () => {
    const index = await fetch(`${hub.url}/`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<div id="root">');
    const deep = await fetch(`${hub.url}/warnings/some-id`);
    expect(deep.status).toBe(200);
    expect(deep.headers.get('content-type')).toContain('text/html');
    const api = await fetch(`${hub.url}/api/v1/nothing-here`);
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toContain('application/problem+json');
    const size = bundleSize(dist);
    console.log(
      `[figure] console bundle: ${size.files} files, ${(size.raw / 1024).toFixed(0)} KiB raw, ${(size.gzip / 1024).toFixed(0)} KiB gzip`,
    );
  });

  it('an operator and a liaison sign in; a red warning arrives live in both; title and banner announce it', async () => {
    operator = await newPage(rig.browser);
    await operator.goto(`${hub.url}/`);
    await operator.waitForSelector('input[name=username]');
    await screenshot(operator, 'login');
    await signIn(operator, hub.url, 'operator');
    await operator.waitForSelector('[data-testid=connection].conn-connected');
    await operator.waitForSelector('.empty');
    // The browser runs in Europe/Berlin; the console shows Beijing time all the same.
    const beijing = new Intl.DateTimeFormat('zh-CN', {
      timeZone: 'Asia/Shanghai',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    });
    const clock = (await operator.textContent('[data-testid=clock]')) ?? '';
    expect(clock).toContain('北京时间');
    const shown = /(\d\d):(\d\d)/.exec(clock)?.[0];
    expect([beijing.format(new Date()), beijing.format(new Date(Date.now() - 60_000))]).toContain(shown);
    await screenshot(operator, 'queue-empty-operator');

    liaison = await newPage(rig.browser, { width: 1366, height: 768 });
    await signIn(liaison, hub.url, 'liaison-water');
    await liaison.waitForSelector('[data-testid=connection].conn-connected');

    await sendWarning(kafkaOut, kafka, warning({ id: 'bt-red-1' }));
    await sendWarning(
      kafkaOut,
      kafka,
      warning({
        id: 'bt-police-1',
        level: 'orange',
        exercise: true,
        departments: ['police', 'emergency'],
        title: { zh: '大沥镇：人员聚集持续增加', en: 'Dali: crowd keeps growing' },
        summary: {
          zh: '大沥镇某商场门前聚集人数超基线4倍。',
          en: 'Crowd in front of a Dali mall over 4× its baseline.',
        },
        thresholds: [{ name: 'ratio', value: 4.2, threshold: 3 }],
      }),
    );
    await sendWarning(
      kafkaOut,
      kafka,
      warning({
        id: 'bt-yellow-1',
        level: 'yellow',
        departments: ['water', 'emergency'],
        title: { zh: '九江镇：西江水位接近警戒', en: 'Jiujiang: Xijiang near its warning level' },
        thresholds: [{ name: 'water_level', value: 5.8, threshold: 5.5, unit: 'm' }],
      }),
    );

    await operator.waitForSelector('tr[data-warning="bt-red-1"]');
    await operator.waitForSelector('tr[data-warning="bt-police-1"]');
    await operator.waitForSelector('[data-testid=banner]');
    expect(await operator.textContent('[data-testid=banner]')).toContain('红色');
    await operator.waitForFunction(() => document.title.startsWith('(3)'));
    // Sorted by level: red, orange, yellow.
    const order = await operator.$$eval('tr[data-warning]', (rows) =>
      rows.map((r) => r.getAttribute('data-warning')),
    );
    expect(order).toEqual(['bt-red-1', 'bt-police-1', 'bt-yellow-1']);
    await screenshot(operator, 'queue-live-banner-operator');

    // The liaison sees its own unit's warnings only.
    await liaison.waitForSelector('tr[data-warning="bt-red-1"]');
    await liaison.waitForSelector('tr[data-warning="bt-yellow-1"]');
    expect(await liaison.$('tr[data-warning="bt-police-1"]')).toBeNull();
    await liaison.waitForFunction(() => document.title.startsWith('(2)'));
    await screenshot(liaison, 'queue-liaison-water');
  });

  it('the liaison acknowledges by keyboard with a note; the operator’s matrix changes live', async () => {
    await operator.click('[data-testid=banner] button');
    await operator.waitForSelector('[data-testid=matrix] tr[data-unit=water][data-state=pending]');
    await screenshot(operator, 'warning-detail-pending');

    await liaison.focus('tr[data-warning="bt-red-1"]');
    await liaison.keyboard.press('a');
    await liaison.keyboard.type('已派员赶赴千灯湖现场，泵车出动');
    await liaison.keyboard.press('Enter');
    await liaison.waitForSelector('tr[data-warning="bt-red-1"] .chip-acknowledged');

    await operator.waitForSelector('[data-testid=matrix] tr[data-unit=water][data-state=acknowledged]', {
      timeout: 15_000,
    });
    expect(await operator.textContent('[data-testid=matrix] tr[data-unit=water]')).toContain(
      '已派员赶赴千灯湖现场',
    );
    await operator.waitForSelector('[data-testid=trail] li');
    await screenshot(operator, 'warning-detail-acknowledged');
  });

  it('the operator acknowledges for the emergency office and resolves; the liaison sees it leave the queue', async () => {
    await operator.fill('[data-testid=ack-emergency] input', '值班室代签');
    await operator.click('[data-testid=ack-emergency] button[type=submit]');
    await operator.waitForSelector('[data-testid=matrix] tr[data-unit=emergency][data-state=acknowledged]');
    await operator.selectOption('[data-testid=resolve] select', 'confirmed');
    await operator.fill('[data-testid=resolve] input', '积水已排除，道路恢复通行');
    await operator.click('[data-testid=resolve] button[type=submit]');
    await operator.waitForSelector('[data-testid=resolution]');
    await screenshot(operator, 'warning-detail-resolved');
    await liaison.waitForSelector('tr[data-warning="bt-red-1"]', { state: 'detached', timeout: 15_000 });
    await liaison.waitForFunction(() => document.title.startsWith('(1)'));
  });

  it(`${EVENTS} events render on the map within the target; panning stays smooth; a script in an event shows as text`, async () => {
    const xss = event(
      'urban',
      'street_vendor',
      { lon: 113.031, lat: 22.842 },
      {
        texts: [
          {
            language: 'zh-CN',
            description: '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">占道经营',
          },
        ],
        title: { zh: '<b>占道经营</b>', en: '<b>Street vendor</b>' },
      },
    );
    await sendEvents(kafkaOut, kafka, [...manyEvents(EVENTS), xss]);
    const map = await newPage(rig.browser);
    await signIn(map, hub.url, 'operator');
    // Wait until the hub has them all (the map reads the hub's projection).
    const deadline = Date.now() + 180_000;
    for (;;) {
      const count = await map.evaluate(async () => {
        const from = new Date(Date.now() - 24 * 3600_000).toISOString();
        const page = (await (await fetch(`/api/v1/events/points?from=${from}&limit=20000`)).json()) as {
          items: unknown[];
        };
        return page.items.length;
      });
      if (count >= EVENTS + 1) break;
      if (Date.now() > deadline) throw new Error(`the hub has ${count} of ${EVENTS + 1} events after 180 s`);
      await new Promise((r) => setTimeout(r, 2000));
    }

    const timings: number[] = [];
    for (let run = 0; run < 3; run++) {
      await map.goto(`${hub.url}/map`);
      const handle = await map.waitForFunction(
        (n) => {
          const mark = performance
            .getEntriesByName('liandong:events-rendered')
            .find((e) => ((e as PerformanceMark).detail as { count: number }).count >= n);
          const detail = (mark as PerformanceMark | undefined)?.detail as
            { drawMs: number; fetchStart: number; fetchEnd: number } | undefined;
          return mark && detail
            ? {
                at: mark.startTime,
                draw: detail.drawMs,
                fetchStart: detail.fetchStart,
                fetchEnd: detail.fetchEnd,
              }
            : false;
        },
        EVENTS,
        { timeout: 30_000 },
      );
      const { at, draw, fetchStart, fetchEnd } = (await handle.jsonValue()) as {
        at: number;
        draw: number;
        fetchStart: number;
        fetchEnd: number;
      };
      timings.push(at);
      const requests = await map.evaluate(() =>
        performance
          .getEntriesByType('resource')
          .filter((e) => e.name.includes('/api/v1/events/points'))
          .map((e) => {
            const r = e as PerformanceResourceTiming;
            return {
              wait: r.responseStart - r.requestStart,
              body: r.responseEnd - r.responseStart,
              bytes: r.encodedBodySize,
            };
          }),
      );
      const waits = requests.map((r) => r.wait).sort((a, b) => a - b);
      console.log(
        `[figure] map load ${run + 1}: ${requests.length} event requests, server wait median ${(waits[Math.floor(waits.length / 2)] ?? 0).toFixed(0)} ms, ${(requests.reduce((a, r) => a + r.bytes, 0) / 1e6).toFixed(1)} MB`,
      );
      console.log(
        `[figure] map load ${run + 1}: ${EVENTS + 1} events on the map ${at.toFixed(0)} ms after navigation (fetch ${fetchStart.toFixed(0)}–${fetchEnd.toFixed(0)} ms, index + draw ${draw.toFixed(0)} ms)`,
      );
    }
    const median = [...timings].sort((a, b) => a - b)[1] ?? 0;
    // The target holds on a machine with room to spare; on one shared by many jobs (a load far
    // above its cores) the figure is printed with the load and not asserted.
    const load = loadavg()[0] ?? 0;
    const busy = load > cpus().length * 1.5;
    console.log(
      `[figure] map: median ${median.toFixed(0)} ms to ${EVENTS} events rendered (target 2000 ms; load average ${load.toFixed(1)} on ${cpus().length} cores${busy ? ', too busy to assert' : ''})`,
    );
    if (!busy) expect(median).toBeLessThan(2000);
    // Overlapping clusters: the larger count is drawn over the smaller, never under it.
    const clusters = await map.$$eval('.leaflet-marker-icon.ev-cluster', (icons) =>
      icons.map((icon) => ({
        count: Number(icon.textContent),
        z: Number((icon as HTMLElement).style.zIndex),
      })),
    );
    expect(clusters.length).toBeGreaterThan(1);
    const byCount = [...clusters].sort((a, b) => a.count - b.count);
    for (let i = 1; i < byCount.length; i++)
      if ((byCount[i]?.count ?? 0) > (byCount[i - 1]?.count ?? 0))
        expect(
          byCount[i]?.z,
          `cluster of ${byCount[i]?.count} over ${byCount[i - 1]?.count}`,
        ).toBeGreaterThan(byCount[i - 1]?.z ?? 0);
    await screenshot(map, 'map-10k-events');

    // Panning: long tasks and frame times while the map is dragged about.
    await map.evaluate(() => {
      const w = window as unknown as { __frames: number[]; __long: number[] };
      w.__frames = [];
      w.__long = [];
      new PerformanceObserver((list) => list.getEntries().forEach((e) => w.__long.push(e.duration))).observe({
        type: 'longtask',
      });
      let last = performance.now();
      const tick = (now: number) => {
        w.__frames.push(now - last);
        last = now;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    const box = await map.locator('[data-testid=event-map]').boundingBox();
    if (!box) throw new Error('no map');
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    for (let i = 0; i < 8; i++) {
      await map.mouse.move(cx, cy);
      await map.mouse.down();
      const dx = (i % 2 === 0 ? 1 : -1) * 300;
      for (let s = 1; s <= 15; s++) await map.mouse.move(cx + (dx * s) / 15, cy + (dx * s) / 30);
      await map.mouse.up();
    }
    await map.waitForTimeout(500);
    const { frames, long } = await map.evaluate(() => {
      const w = window as unknown as { __frames: number[]; __long: number[] };
      return { frames: w.__frames.slice(1), long: w.__long };
    });
    const sorted = [...frames].sort((a, b) => a - b);
    const pct = (p: number) =>
      sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
    console.log(
      `[figure] panning: ${frames.length} frames, median ${pct(50).toFixed(1)} ms, p95 ${pct(95).toFixed(1)} ms, max ${pct(100).toFixed(1)} ms; long tasks ${long.length} (total ${long.reduce((a, b) => a + b, 0).toFixed(0)} ms, longest ${Math.max(0, ...long).toFixed(0)} ms)`,
    );

    // The script-bearing event, alone under its type filter: its record shows the text, nothing runs.
    await map.selectOption('.filters select >> nth=0', 'urban.street_vendor');
    await map.waitForFunction(() => document.querySelectorAll('.ev-point, .ev-cluster').length >= 1);
    await map.click('.ev-point, .ev-cluster');
    const listed = await map.$('.cluster-list button');
    if (listed) await listed.click();
    await map.waitForSelector('[data-testid=event-record]');
    expect(await map.textContent('[data-testid=event-description]')).toContain(
      '<script>window.__xss = 1</script>',
    );
    expect(await map.textContent('[data-testid=event-record] h2')).toContain('<b>占道经营</b>');
    expect(await map.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await screenshot(map, 'map-event-record-script-as-text');
    await map.context().close();
  });

  it('with no tiles at all the map shows Nanhai from the bundled outline and towns', async () => {
    await operator.goto(`${hub.url}/map`);
    await operator.waitForSelector('[data-testid=offline-notice]');
    await operator.waitForSelector('.town-tooltip');
    const towns = await operator.$$eval('.town-tooltip', (els) => els.map((e) => e.textContent));
    expect(towns).toEqual(
      expect.arrayContaining(['桂城街道', '九江镇', '西樵镇', '丹灶镇', '狮山镇', '大沥镇', '里水镇']),
    );
    expect(
      await operator.$$eval('.leaflet-overlay-pane path, .leaflet-overlay-pane canvas', (els) => els.length),
    ).toBeGreaterThan(0);
    await screenshot(operator, 'map-offline-nanhai');
  });

  it('feed health: the silent feed stands out', async () => {
    await operator.goto(`${hub.url}/feeds`);
    await operator.waitForSelector('[data-testid=feeds] tbody tr');
    expect(await operator.getAttribute('[data-testid=feeds] tr.feed-silent', 'data-silent')).toBe('true');
    expect(await operator.textContent('[data-testid=feeds] tr.feed-silent')).toContain('市场监管');
    await screenshot(operator, 'feed-health');
  });

  it('English by the switch', async () => {
    await operator.goto(`${hub.url}/queue`);
    await operator.click('button[aria-label="切换语言"]');
    await operator.waitForSelector('text=Warning queue');
    await operator.click('label.inline input[type=checkbox]');
    await operator.waitForSelector('tr[data-warning="bt-red-1"]');
    await screenshot(operator, 'queue-english');
    await operator.goto(`${hub.url}/warnings/bt-red-1`);
    await operator.waitForSelector('[data-testid=resolution]');
    expect(await operator.textContent('[data-testid=resolution]')).toContain('Confirmed');
    await screenshot(operator, 'warning-detail-english');
    await operator.click('button[aria-label="Switch language"]');
  });
});
