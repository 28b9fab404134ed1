import type { Crs, DepartmentCode, NormalizedEvent, ProblemFieldError } from '@liandong/contracts';

/** Everything a normalizer may know besides the record: injected, so normalizers stay pure. */
export interface NormalizeContext {
  department: DepartmentCode;
  /** When this service received the request. */
  receivedAt: Date;
  /** The upstream system's name, from configuration. */
  sourceSystem: string;
  /** CRS of positions that do not say theirs. */
  defaultCrs: Crs;
  /** SensorThings: the Datastream a push is about (`X-Datastream-Id`), for Observations that name none. */
  datastreamId?: string;
}

export interface RecordIssue {
  pointer: string;
  code: string;
  message: string;
}

/** A record of a request after parsing and normalizing: an event, or what was wrong with it. */
export type RecordOutcome =
  | { ok: true; index: number; event: NormalizedEvent; raw: string }
  | { ok: false; index: number; sourceId?: string; issues: RecordIssue[]; raw: string };

export function rejected(
  index: number,
  raw: string,
  issues: RecordIssue[],
  sourceId?: string,
): RecordOutcome {
  return sourceId === undefined
    ? { ok: false, index, issues, raw }
    : { ok: false, index, sourceId, issues, raw };
}

export function toFieldErrors(outcome: Extract<RecordOutcome, { ok: false }>): ProblemFieldError[] {
  return outcome.issues.map((issue) => ({
    index: outcome.index,
    ...(outcome.sourceId !== undefined ? { sourceId: outcome.sourceId } : {}),
    pointer: issue.pointer,
    code: issue.code,
    message: issue.message,
  }));
}
