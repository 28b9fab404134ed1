/**
 * The report charts, drawn as plain SVG and HTML: a few bar charts do not need a chart library
 * (Chart.js 4.6, tree-shaken to its bar chart, is 55 KB gzip — a quarter of the whole console —
 * and draws on a canvas, where the figures are neither text nor patterns). Every bar carries its
 * numbers as text and in data attributes; levels are told apart by pattern and words as well as
 * colour.
 */
import { useLayoutEffect, useRef, useState, type ReactNode, type RefObject } from 'react';
import { LEVELS, type Level } from '@liandong/contracts';
import { useI18n } from '../i18n/index.ts';
import { LevelBadge } from './common.tsx';

/** The national four colours (text never sits on them here) and a pattern per level. */
export const LEVEL_FILL: Record<Level, string> = {
  blue: '#1565c0',
  yellow: '#e0b400',
  orange: '#e65100',
  red: '#b71c1c',
};

function LevelPatterns({ id }: { id: string }) {
  return (
    <defs>
      {LEVELS.map((level) => (
        <pattern
          key={level}
          id={`${id}-${level}`}
          width="8"
          height="8"
          patternUnits="userSpaceOnUse"
          patternTransform={level === 'yellow' ? 'rotate(45)' : undefined}
        >
          <rect width="8" height="8" fill={LEVEL_FILL[level]} />
          {level === 'blue' ? <circle cx="4" cy="4" r="1.4" fill="#fff" fillOpacity="0.7" /> : null}
          {level === 'yellow' ? <rect width="2" height="8" fill="#000" fillOpacity="0.25" /> : null}
          {level === 'orange' ? <rect width="8" height="2" fill="#fff" fillOpacity="0.45" /> : null}
        </pattern>
      ))}
    </defs>
  );
}

/** A round axis maximum and its ticks (1, 2, 5 × 10ⁿ steps). */
export function niceTicks(max: number, count = 4): number[] {
  if (max <= 0) return [0, 1];
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const step1 = Math.max(1, step);
  const ticks: number[] = [];
  for (let v = 0; v <= max + step1 - 1e-9; v += step1) ticks.push(v);
  return ticks;
}

/** Horizontal grid lines with their values on the left. */
function YGrid({ ticks, y, width }: { ticks: number[]; y: (v: number) => number; width: number }) {
  return (
    <>
      {ticks.map((v) => (
        <g key={v}>
          <line x1={PAD.left} x2={width - PAD.right} y1={y(v)} y2={y(v)} className="grid" />
          <text x={PAD.left - 6} y={y(v) + 4} textAnchor="end" className="tick">
            {v}
          </text>
        </g>
      ))}
    </>
  );
}

const PAD = { left: 44, right: 12, top: 22, bottom: 34 };

/** The chart's width in CSS pixels, so that its text keeps its size whatever the screen. */
function useWidth(): [RefObject<HTMLElement | null>, number] {
  const ref = useRef<HTMLElement>(null);
  const [width, setWidth] = useState(900);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setWidth(Math.max(360, Math.round(el.clientWidth)));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

export interface Bar {
  key: string;
  /** Under the bar (thinned out when bars are many). */
  label: string;
  /** The whole label, for the tooltip. */
  title: string;
  /** By series, stacked from the first series up. */
  values: Record<string, number>;
  /** Drawn darker (e.g. the busiest hours). */
  strong?: boolean;
}

/**
 * Stacked bars, the total above each; every bar carries its figures in data attributes
 * (`data-total`, `data-<series>`) and its tooltip.
 */
function StackedBars({
  bars,
  series,
  fill,
  label,
  height,
  labelWidth,
  testId,
  defs,
  children,
}: {
  bars: Bar[];
  series: readonly string[];
  fill: (series: string) => string;
  label: string;
  height: number;
  /** The room one axis label needs, in pixels. */
  labelWidth: number;
  testId: string | undefined;
  defs?: ReactNode;
  children?: ReactNode;
}) {
  const { t } = useI18n();
  const [ref, width] = useWidth();
  const total = (b: Bar) => series.reduce((sum, k) => sum + (b.values[k] ?? 0), 0);
  const ticks = niceTicks(Math.max(0, ...bars.map(total)));
  const top = ticks[ticks.length - 1] ?? 1;
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, bars.length);
  const barW = Math.max(2, Math.min(48, slot * 0.7));
  const every = Math.ceil(bars.length / Math.max(4, Math.floor(plotW / labelWidth)));
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  return (
    <figure className="chart" data-testid={testId} ref={ref}>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label} className="chart-svg">
        {defs}
        <YGrid ticks={ticks} y={y} width={width} />
        {bars.map((bar, i) => {
          const x = PAD.left + i * slot + (slot - barW) / 2;
          const sum = total(bar);
          let base = 0;
          return (
            <g
              key={bar.key}
              className={bar.strong ? 'bar strong' : 'bar'}
              data-key={bar.key}
              data-total={sum}
              {...Object.fromEntries(series.map((k) => [`data-${k}`, bar.values[k] ?? 0]))}
            >
              <title>
                {t('report.barTitle', { label: bar.title, count: sum }) +
                  (series.length > 1
                    ? series
                        .filter((k) => (bar.values[k] ?? 0) > 0)
                        .map((k) => ` · ${t(`level.${k}`)} ${bar.values[k]}`)
                        .join('')
                    : '')}
              </title>
              {series.map((k) => {
                const v = bar.values[k] ?? 0;
                if (v === 0) return null;
                const rect = (
                  <rect
                    key={k}
                    x={x}
                    width={barW}
                    y={y(base + v)}
                    height={y(base) - y(base + v)}
                    fill={fill(k)}
                    stroke="#000"
                    strokeWidth="0.6"
                  />
                );
                base += v;
                return rect;
              })}
              {sum > 0 ? (
                <text x={x + barW / 2} y={y(sum) - 4} textAnchor="middle" className="value">
                  {sum}
                </text>
              ) : null}
              {i % every === 0 ? (
                <text x={x + barW / 2} y={height - PAD.bottom + 16} textAnchor="middle" className="tick">
                  {bar.label}
                </text>
              ) : null}
            </g>
          );
        })}
        <line x1={PAD.left} x2={width - PAD.right} y1={y(0)} y2={y(0)} className="axis" />
      </svg>
      {children}
    </figure>
  );
}

/** Warnings stacked by level, red on top, with the legend (pattern, shape and words per level). */
export function LevelBarChart({
  id,
  bars,
  label,
  testId,
}: {
  id: string;
  bars: (Omit<Bar, 'values'> & { byLevel: Record<Level, number> })[];
  label: string;
  testId?: string;
}) {
  return (
    <StackedBars
      bars={bars.map(({ byLevel, ...b }) => ({ ...b, values: byLevel }))}
      series={LEVELS}
      fill={(level) => `url(#${id}-${level})`}
      label={label}
      height={260}
      labelWidth={56}
      testId={testId}
      defs={<LevelPatterns id={id} />}
    >
      <figcaption className="legend">
        {[...LEVELS].reverse().map((level) => (
          <span key={level} className="legend-item">
            <svg width="18" height="14" aria-hidden="true">
              <rect width="18" height="14" fill={`url(#${id}-${level})`} stroke="#000" />
            </svg>
            <LevelBadge level={level} />
          </span>
        ))}
      </figcaption>
    </StackedBars>
  );
}

/** One series of bars (e.g. warnings per hour of the day); the highlighted ones darker. */
export function CountBarChart({
  bars,
  label,
  highlight = [],
  testId,
}: {
  bars: { key: string; label: string; title?: string; value: number }[];
  label: string;
  highlight?: readonly string[];
  testId?: string;
}) {
  return (
    <StackedBars
      bars={bars.map((b) => ({
        key: b.key,
        label: b.label,
        title: b.title ?? b.label,
        values: { count: b.value },
        strong: highlight.includes(b.key),
      }))}
      series={['count']}
      fill={() => '#546e7a'}
      label={label}
      height={200}
      labelWidth={28}
      testId={testId}
    />
  );
}

export interface ComplianceParts {
  onTime: number;
  late: number;
  missed: number;
  open: number;
}

/** One unit's deadlines in a line: on time, late, missed, still open — widths by count, numbers in words. */
export function ComplianceBar({ parts }: { parts: ComplianceParts }) {
  const { t } = useI18n();
  const total = parts.onTime + parts.late + parts.missed + parts.open;
  if (total === 0) return <span className="muted">—</span>;
  const keys = ['onTime', 'late', 'missed', 'open'] as const;
  return (
    <span
      className="compliance-bar"
      role="img"
      aria-label={keys.map((k) => `${t(`report.ack.${k}`)} ${parts[k]}`).join('，')}
    >
      {keys.map((k) =>
        parts[k] > 0 ? (
          <span
            key={k}
            className={`part part-${k}`}
            style={{ flexGrow: parts[k] }}
            title={`${t(`report.ack.${k}`)} ${parts[k]}`}
          >
            {k === 'missed' ? '！' : k === 'onTime' ? '√' : ''}
            {parts[k]}
          </span>
        ) : null,
      )}
    </span>
  );
}

/**
 * Time taken against the deadline: the bar is the time taken (or, still unacknowledged, the time
 * so far), the mark is the deadline; past the mark the bar turns orange (late) or red (missed).
 */
export function DeadlineBar({
  seconds,
  deadlineSeconds,
  outcome,
}: {
  seconds: number;
  deadlineSeconds: number;
  outcome: 'onTime' | 'late' | 'missed' | 'open';
}) {
  const scale = Math.max(deadlineSeconds * 1.25, seconds) || 1;
  const pct = (v: number) => `${Math.min(100, (v / scale) * 100).toFixed(1)}%`;
  return (
    <span className={`deadline-bar outcome-${outcome}`} aria-hidden="true">
      <span className="taken" style={{ width: pct(seconds) }} />
      <span className="mark" style={{ left: pct(deadlineSeconds) }} />
    </span>
  );
}
