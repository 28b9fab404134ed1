import type { ErrorCode } from '@liandong/errors';
import type { ProblemFieldError } from '@liandong/contracts';
import type { NormalizeContext } from '../domain/outcome.ts';
import type { IngestMediaType } from '../media.ts';
import type { PreparedOutcome, PreparedRecord } from './body.normalizer.ts';

export interface NormalizeJob {
  id: number;
  mediaType: IngestMediaType;
  text: string;
  context: Omit<NormalizeContext, 'receivedAt'>;
  receivedAtMs: number;
}

/** An accepted record whose value and hash travel in the reply's transferred buffer. */
export type WireRecord = Omit<PreparedRecord, 'value' | 'hash'> & {
  offset: number;
  valueLength: number;
  hashLength: number;
};

export type WireOutcome = WireRecord | Extract<PreparedOutcome, { ok: false }>;

export type NormalizeReply =
  | { id: number; format: 'json' | 'xml'; outcomes: WireOutcome[]; buffer: ArrayBuffer }
  | {
      id: number;
      error: { code: ErrorCode; message: string; errors: ProblemFieldError[]; retryAfterSeconds?: number };
    };
