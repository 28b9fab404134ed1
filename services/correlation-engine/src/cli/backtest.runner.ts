/**
 * Back-test: a rule set over a file of normalized events (one JSON object a line, as they stand
 * on the `events.<dept>.v1` topics). Gives the warnings the rules would raise (the last revision
 * of each), what every rule did, the bad lines and the late events.
 */
import { LEVELS, NormalizedEvent, levelRank, validator, type Level, type Warning } from '@liandong/contracts';
import { createEngine, type EngineStats } from '../domain/correlation.engine.ts';
import type { Decision } from '../domain/episode.model.ts';
import type { RuleSet } from '../domain/rule-set.model.ts';

export interface BadLine {
  readonly line: number;
  readonly message: string;
}

export interface RuleSummary {
  readonly ruleId: string;
  readonly version: number;
  readonly family: string;
  readonly considered: number;
  readonly warnings: number;
  readonly revisions: number;
  readonly cancelled: number;
  readonly highest: Level | null;
}

export interface BacktestResult {
  /** The last revision of every warning, by time raised then id. */
  readonly warnings: Warning[];
  readonly lines: number;
  readonly events: number;
  readonly badLines: BadLine[];
  readonly stats: EngineStats;
  readonly rules: RuleSummary[];
  /** Decisions of the rules for the events asked about, by event id. */
  readonly explanations: Map<string, Decision[]>;
}

export interface BacktestOptions {
  readonly ruleSet: RuleSet;
  readonly allowedLatenessMinutes?: number;
  /** Event ids to explain. */
  readonly explain?: readonly string[];
  /** Called after each line with its length in bytes (for a progress bar). */
  readonly onLine?: (bytes: number) => void;
}

const eventCheck = validator(NormalizedEvent);

export async function runBacktest(
  lines: AsyncIterable<string> | Iterable<string>,
  options: BacktestOptions,
): Promise<BacktestResult> {
  const engine = createEngine(options.ruleSet, {
    ...(options.allowedLatenessMinutes !== undefined
      ? { allowedLatenessMinutes: options.allowedLatenessMinutes }
      : {}),
  });
  const explain = new Set(options.explain ?? []);
  const explanations = new Map<string, Decision[]>();
  const last = new Map<string, Warning>();
  const badLines: BadLine[] = [];
  let lineNumber = 0;
  let events = 0;
  for await (const line of lines) {
    lineNumber++;
    options.onLine?.(Buffer.byteLength(line) + 1);
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      badLines.push({ line: lineNumber, message: `not JSON: ${(error as Error).message}` });
      continue;
    }
    if (!eventCheck.check(value)) {
      const issues = eventCheck.issues(value, 3).map((i) => `${i.pointer || '/'} ${i.message}`);
      badLines.push({ line: lineNumber, message: `not a NormalizedEvent: ${issues.join('; ')}` });
      continue;
    }
    events++;
    const asked = explain.has(value.id);
    const output = engine.correlate(value, { explain: asked });
    if (asked) explanations.set(value.id, [...output.decisions]);
    for (const warning of output.warnings) last.set(warning.id, warning);
  }
  const warnings = [...last.values()].sort((a, b) =>
    a.raisedAt < b.raisedAt ? -1 : a.raisedAt > b.raisedAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
  );
  const stats = engine.stats();
  const rules = options.ruleSet.rules.map((rule): RuleSummary => {
    const own = warnings.filter((w) => w.ruleId === rule.id);
    let highest: Level | null = null;
    for (const w of own) if (highest === null || levelRank(w.level) > levelRank(highest)) highest = w.level;
    const s = stats.rules[rule.id];
    return {
      ruleId: rule.id,
      version: rule.version,
      family: rule.family,
      considered: s?.considered ?? 0,
      warnings: own.length,
      revisions: s?.revisions ?? 0,
      cancelled: own.filter((w) => w.status === 'cancelled').length,
      highest,
    };
  });
  return { warnings, lines: lineNumber, events, badLines, stats, rules, explanations };
}

const LEVEL_ZH: Record<Level, string> = { blue: '蓝', yellow: '黄', orange: '橙', red: '红' };

/** The per-rule summary as a text table. */
export function formatSummary(result: BacktestResult): string {
  const rows = [
    ['rule 规则', 'v', 'family', 'considered', 'warnings', 'revisions', 'cancelled', 'highest'],
    ...result.rules.map((r) => [
      r.ruleId,
      String(r.version),
      r.family,
      String(r.considered),
      String(r.warnings),
      String(r.revisions),
      String(r.cancelled),
      r.highest ? `${r.highest} ${LEVEL_ZH[r.highest]}` : '-',
    ]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  const lines = rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  '));
  const late = Object.entries(result.stats.late)
    .map(([dept, n]) => `${dept} ${n}`)
    .join(', ');
  const total = result.warnings.length;
  const byLevel = LEVELS.map((l) => `${l} ${result.warnings.filter((w) => w.level === l).length}`).join(', ');
  return [
    ...lines,
    '',
    `lines ${result.lines}, events ${result.events}, bad lines ${result.badLines.length}, late events ${late || '0'}`,
    `warnings ${total} (${byLevel})`,
  ].join('\n');
}

export function formatDecisions(eventId: string, decisions: readonly Decision[] | undefined): string {
  if (!decisions) return `${eventId}: not found in the input`;
  const lines = decisions.map((d) => {
    const joined = d.warningId ? ` → ${d.warningId}` : '';
    return `  ${d.ruleId}@${d.ruleVersion} [${d.outcome}]${joined}\n      ${d.reason.zh}\n      ${d.reason.en}`;
  });
  return [`${eventId}:`, ...lines].join('\n');
}
