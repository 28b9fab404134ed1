/** Tests only: the public sample messages in services/lib/ingest-kit/fixtures, byte for byte. */
import { readFileSync } from 'node:fs';
import { NormalizedEvent, validator, type DepartmentCode } from '@liandong/contracts';
import { AppError } from '@liandong/errors';
import type { NormalizeContext, RecordOutcome } from './domain/outcome.ts';

export function fixture(path: string): string {
  return readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');
}

export function contextFor(
  department: DepartmentCode,
  receivedAt = '2026-09-23T02:00:00.000Z',
): NormalizeContext {
  return {
    department,
    receivedAt: new Date(receivedAt),
    sourceSystem: `${department}-test`,
    defaultCrs: 'WGS84',
  };
}

const isEvent = validator(NormalizedEvent);

/** The event of an accepted outcome, checked against the contract; throws with the issues otherwise. */
export function acceptedEvent(outcome: RecordOutcome | undefined): NormalizedEvent {
  if (!outcome) throw new Error('no outcome');
  if (!outcome.ok) throw new Error(`refused: ${JSON.stringify(outcome.issues)}`);
  const issues = isEvent.issues(outcome.event);
  if (issues.length > 0) throw new Error(`not a valid NormalizedEvent: ${JSON.stringify(issues)}`);
  return outcome.event;
}

/** The issues of a refused outcome; throws when it was accepted. */
export function refusal(outcome: RecordOutcome | undefined): Extract<RecordOutcome, { ok: false }> {
  if (!outcome) throw new Error('no outcome');
  if (outcome.ok) throw new Error(`expected a refusal, got event ${outcome.event.id}`);
  return outcome;
}

/** The AppError `run` throws; fails when it throws nothing or something else. */
export function thrownAppError(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}
