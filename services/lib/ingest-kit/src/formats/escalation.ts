import {
  SEVERITY_RANK,
  type DepartmentCode,
  type NormalizedEvent,
  type Place,
  type Severity,
  type Venue,
  type Vocabulary,
} from '@liandong/contracts';
import { compact } from '../domain/compact.ts';
import { toUtc } from '../domain/time.ts';

/** One row of an escalation table: when it applies, the severity it raises an event to, at least. */
export interface EscalationRule<R> {
  /** The rule as a person reads it, e.g. "dead ≥ 3"; kept on the event as `severityRule`. */
  readonly rule: string;
  readonly severity: Severity;
  readonly applies: (record: R) => boolean;
}

/** A rule on a count of the record: `field ≥ threshold`. */
export function atLeast<R>(
  field: keyof R & string,
  threshold: number,
  severity: Severity,
): EscalationRule<R> {
  return {
    rule: `${field} ≥ ${threshold}`,
    severity,
    applies: (record) => {
      const value = record[field];
      return typeof value === 'number' && value >= threshold;
    },
  };
}

/**
 * The vocabulary's severity raised by the rules that apply: the highest wins, and nothing ever
 * lowers the vocabulary's default. The rule that decided is returned for the event's attributes.
 */
export function escalate<R>(
  base: Severity,
  record: R,
  rules: readonly EscalationRule<R>[],
): { severity: Severity; rule?: string } {
  let result: { severity: Severity; rule?: string } = { severity: base };
  for (const rule of rules) {
    if (SEVERITY_RANK[rule.severity] > SEVERITY_RANK[result.severity] && rule.applies(record)) {
      result = { severity: rule.severity, rule: rule.rule };
    }
  }
  return result;
}

interface TypedRecord<K extends string> {
  type: K;
  occurredAt: string;
  description?: string;
}

/**
 * What a department record typed by its vocabulary gives every event: category, type, title
 * and the vocabulary's severity raised by the rules; `severityRule` in `attributes` says which
 * rule raised it, when one did. The record is valid: its occurredAt is an RFC 3339 time.
 */
export function vocabularyEventBody<K extends string, R extends TypedRecord<K>>(
  department: DepartmentCode,
  vocabulary: Vocabulary<K>,
  record: R,
  rules: readonly EscalationRule<R>[],
) {
  const entry = vocabulary[record.type];
  const escalated = escalate(entry.severity, record, rules);
  return {
    category: entry.category,
    type: `${department}.${record.type}`,
    severity: escalated.severity,
    occurredAt: toUtc(record.occurredAt) as string,
    title: entry.name,
    texts: record.description ? [{ language: 'zh-CN', description: record.description }] : [],
    attributes: (escalated.rule === undefined
      ? {}
      : { severityRule: escalated.rule }) as NormalizedEvent['attributes'],
  };
}

/** A venue (shop, restaurant, site) as the event's place. */
export function venuePlace(venue: Venue | undefined): { place?: Place } {
  return venue ? { place: { ...compact({ id: venue.id }), name: venue.name, kind: 'venue' } } : {};
}
