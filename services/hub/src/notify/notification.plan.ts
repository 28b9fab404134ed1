/**
 * What to tell whom, decided from a lifecycle command's facts. Pure: the store calls it inside
 * the command's transaction and writes one outbox row per (message, recipient channel).
 *
 * - a new warning, and a unit newly routed: `warning.raised` to that unit;
 * - new evidence that raises the level: `warning.level_raised` to every routed unit (re-armed);
 * - a missed deadline: `warning.overdue` to whoever the escalation step names (the duty
 *   operators, the unit's supervisor, then the duty leader);
 * - a resolution or a cancellation: to every channel that was told about the warning.
 */
import {
  levelRank,
  type Disposition,
  type Level,
  type NotificationType,
  type QuietHours,
  type UnitCode,
  type Warning,
} from '@liandong/contracts';
import type { LifecycleEvent, LifecycleState } from '../domain/lifecycle.ts';

/** What a message rests on; rendered into each channel's format when it is sent. */
export interface MessageFacts {
  type: NotificationType;
  warning: Pick<
    Warning,
    'id' | 'revision' | 'level' | 'status' | 'title' | 'summary' | 'departments' | 'raisedAt' | 'exercise'
  > & { previousLevel: Level | null; centroid: [number, number] };
  acknowledge: { unit: UnitCode; deadline: string } | null;
  escalation: { unit: UnitCode; step: number; deadline: string; notified: string[] } | null;
  resolution: { disposition: Disposition; by: string; at: string } | null;
}

export interface PlannedMessage {
  /** The message, the same for every recipient: with the channel and recipient, the outbox key. */
  key: string;
  /** Exact recipients (unit:<code>, supervisor:<code>, operators, duty-leader) … */
  recipients: string[];
  /** … or every channel told about this warning before (resolution, cancellation). */
  toldBefore: boolean;
  facts: MessageFacts;
}

function warningFacts(warning: Warning, previousLevel: Level | null): MessageFacts['warning'] {
  const [lon, lat] = warning.centroid.coordinates;
  return {
    id: warning.id,
    revision: warning.revision,
    level: warning.level,
    previousLevel,
    status: warning.status,
    title: warning.title,
    summary: warning.summary,
    departments: warning.departments,
    raisedAt: warning.raisedAt,
    exercise: warning.exercise,
    centroid: [lon ?? 0, lat ?? 0],
  };
}

export function planNotifications(
  before: LifecycleState | undefined,
  events: readonly LifecycleEvent[],
  state: LifecycleState,
): PlannedMessage[] {
  const w = state.warning;
  const raised = before !== undefined && levelRank(w.level) > levelRank(before.warning.level);
  const previous = raised && before ? before.warning.level : null;
  const base = { acknowledge: null, escalation: null, resolution: null };
  const out: PlannedMessage[] = [];
  for (const event of events) {
    switch (event.type) {
      case 'deadline.armed': {
        const type: NotificationType = raised ? 'warning.level_raised' : 'warning.raised';
        out.push({
          key: raised ? `level_raised:${w.id}:${w.revision}` : `raised:${w.id}`,
          recipients: [`unit:${event.unit}`],
          toldBefore: false,
          facts: {
            ...base,
            type,
            warning: warningFacts(w, previous),
            acknowledge: { unit: event.unit, deadline: event.deadline },
          },
        });
        break;
      }
      case 'revision.received':
        if (event.current && event.warning.status === 'cancelled' && before?.warning.status === 'active')
          out.push({
            key: `cancelled:${w.id}`,
            recipients: [],
            toldBefore: true,
            facts: { ...base, type: 'warning.cancelled', warning: warningFacts(w, null) },
          });
        break;
      case 'activity': {
        const a = event.activity;
        if (a.type === 'warning.escalated' && 'step' in event)
          out.push({
            key: `overdue:${w.id}:${a.department}:${event.arm}:${event.step}`,
            recipients: a.notified,
            toldBefore: false,
            facts: {
              ...base,
              type: 'warning.overdue',
              warning: warningFacts(w, null),
              escalation: {
                unit: a.department,
                step: event.step,
                deadline: a.deadline,
                notified: a.notified,
              },
            },
          });
        if (a.type === 'warning.resolved')
          out.push({
            key: `resolved:${w.id}`,
            recipients: [],
            toldBefore: true,
            facts: {
              ...base,
              type: 'warning.resolved',
              warning: warningFacts(w, null),
              resolution: { disposition: a.disposition, by: a.by.username, at: a.at },
            },
          });
        break;
      }
      case 'deadline.closed':
        break;
    }
  }
  return out;
}

/** A channel as the planner matches it. */
export interface ChannelRule {
  id: string;
  recipient: string;
  levels: readonly Level[];
  exercises: boolean;
  quietHours: QuietHours | null;
}

/** Whether a channel's recipient (exact or pattern) covers a recipient. */
export function covers(pattern: string, recipient: string): boolean {
  if (pattern === '*' || pattern === recipient) return true;
  if (!pattern.endsWith(':*')) return false;
  return recipient.startsWith(pattern.slice(0, -1));
}

export function channelsFor(
  channels: readonly ChannelRule[],
  recipient: string,
  level: Level,
  exercise: boolean,
): ChannelRule[] {
  return channels.filter(
    (c) => covers(c.recipient, recipient) && c.levels.includes(level) && (c.exercises || !exercise),
  );
}

const SHANGHAI_OFFSET_MIN = 8 * 60; // China keeps UTC+8 all year.
const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * When a message may go out: at once, or — for anything but red — at the end of the channel's
 * quiet hours (Asia/Shanghai wall-clock; a window may span midnight). Red is never held.
 */
export function notBefore(now: Date, level: Level, quiet: QuietHours | null): Date {
  if (!quiet || level === 'red') return now;
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return now;
  const local = (Math.floor(now.getTime() / 60_000) + SHANGHAI_OFFSET_MIN) % 1440;
  const inside = start < end ? local >= start && local < end : local >= start || local < end;
  if (!inside) return now;
  const wait = (end - local + 1440) % 1440;
  const at = new Date(now.getTime() + wait * 60_000);
  at.setUTCSeconds(0, 0);
  return at;
}

/** Back-off before attempt n + 1 after n failed ones: base · 2^(n-1), at most max, ±20 % jitter. */
export function backoffMs(failed: number, baseMs: number, maxMs: number, random = Math.random): number {
  const raw = Math.min(maxMs, baseMs * 2 ** Math.max(0, failed - 1));
  return Math.round(raw * (0.8 + 0.4 * random()));
}
