import type { TSchema } from '@sinclair/typebox';
import type { DepartmentCode } from '@liandong/contracts';
import type { NormalizeContext, RecordOutcome } from './domain/outcome.ts';

/** What makes one ingest service different from another: its parsers, normalizers and vocabulary. */
export interface IngestDefinition {
  department: DepartmentCode;
  /** The upstream system's default name (SOURCE_SYSTEM overrides it). */
  sourceSystem: string;
  /**
   * Normalizes one JSON record (an element of the pushed array, or the pushed object).
   * `formatOf` names the record's format for metrics.
   */
  json?: {
    normalize(this: void, value: unknown, index: number, context: NormalizeContext): RecordOutcome;
    /** Turns a parsed body into records when it is not a plain object or array of records. */
    unwrap?(this: void, body: unknown): unknown[] | undefined;
    /** Parses the text itself (e.g. leniently); defaults to strict JSON. */
    parse?(this: void, text: string): unknown;
  };
  /** Parses and normalizes one XML document into records (CAP alert, Open311 requests). */
  xml?(this: void, text: string, context: NormalizeContext): RecordOutcome[];
  /**
   * Upstream sources it can poll besides CAP feeds (which every service can): Open311
   * `requests.json` (urban, market), SensorThings Observations (water).
   */
  pull?: {
    open311?: {
      parse(this: void, text: string): unknown;
      normalize(this: void, value: unknown, index: number, context: NormalizeContext): RecordOutcome;
    };
    sensorthings?: {
      normalize(this: void, value: unknown, index: number, context: NormalizeContext): RecordOutcome;
    };
  };
  /** The JSON Schemas of the records it accepts, served at GET /v1/schema and in /docs. */
  schemas: Record<string, TSchema>;
}
