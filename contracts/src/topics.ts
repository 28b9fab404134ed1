import type { TSchema } from '@sinclair/typebox';
import { DEPARTMENT_CODES, type DepartmentCode } from './departments.ts';
import { AuditHead } from './audit-head.ts';
import { DeadLetter } from './dead-letter.ts';
import { NormalizedEvent } from './event.ts';
import { Warning } from './warning.ts';
import { WarningActivity } from './activity.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  /** What the message key is. */
  readonly key: string;
  readonly description: string;
  readonly schema: TSchema;
  /** Topic-level configuration, applied at creation. */
  readonly config: Readonly<Record<string, string>>;
}

export function eventsTopic(department: DepartmentCode): `events.${DepartmentCode}.v1` {
  return `events.${department}.v1`;
}

export const TOPICS = {
  deadLetters: 'ingest.dlq.v1',
  warnings: 'warnings.v1',
  warningActivity: 'warning-activity.v1',
  auditHead: 'audit-head.v1',
} as const;

const retained = (days: number): Record<string, string> => ({
  'cleanup.policy': 'delete',
  'retention.ms': String(days * DAY_MS),
});

/** Every topic Liandong uses, with partitions and settings; `pnpm start` and tests create them from this. */
export const TOPIC_SPECS: readonly TopicSpec[] = [
  ...DEPARTMENT_CODES.map((department): TopicSpec => ({
    name: eventsTopic(department),
    partitions: 6,
    key: 'event id',
    description: `Normalized events from the ${department} feed`,
    schema: NormalizedEvent,
    config: retained(90),
  })),
  {
    name: TOPICS.deadLetters,
    partitions: 3,
    key: 'source id',
    description: 'Records refused at ingest or by a consumer, with the reason',
    schema: DeadLetter,
    config: retained(30),
  },
  {
    name: TOPICS.warnings,
    partitions: 6,
    key: 'warning id',
    description: 'Warnings as raised and each later revision',
    schema: Warning,
    config: retained(200),
  },
  {
    name: TOPICS.warningActivity,
    partitions: 6,
    key: 'warning id',
    description: 'Acknowledgements, escalations and resolutions of warnings',
    schema: WarningActivity,
    config: retained(200),
  },
  {
    // One partition: the heads of a log stay in order, and the newest few are its tail.
    name: TOPICS.auditHead,
    partitions: 1,
    key: 'audit log id (<database>/<schema>)',
    description:
      'Heads of the audit log (last sequence number and hash), published periodically, so that a cut-off tail of the log is detected',
    schema: AuditHead,
    // Longer than the audit log is kept (at least six months).
    config: retained(400),
  },
];

/**
 * The physical name of a topic under a namespace prefix (empty in production). Tests give each
 * test its own prefix so that they never share a topic.
 */
export function namespacedTopic(name: string, prefix = ''): string {
  return `${prefix}${name}`;
}
