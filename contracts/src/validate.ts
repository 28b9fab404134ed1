import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { ValueError } from '@sinclair/typebox/errors';
import './formats.ts';

export interface FieldIssue {
  /** JSON Pointer of the offending value, '' for the root. */
  pointer: string;
  message: string;
}

export interface Validator<T extends TSchema> {
  readonly schema: T;
  check(value: unknown): value is Static<T>;
  /** Readable issues, deepest first, at most `limit`. */
  issues(value: unknown, limit?: number): FieldIssue[];
}

const cache = new WeakMap<TSchema, TypeCheck<TSchema>>();

function describe(error: ValueError): string {
  const schema = error.schema as Record<string, unknown>;
  if (typeof schema['const'] !== 'undefined') return `must be ${JSON.stringify(schema['const'])}`;
  const anyOf = schema['anyOf'];
  if (Array.isArray(anyOf) && anyOf.every((s: Record<string, unknown>) => 'const' in s)) {
    return `must be one of ${anyOf.map((s: Record<string, unknown>) => JSON.stringify(s['const'])).join(', ')}`;
  }
  if (schema['format'] === 'date-time')
    return 'must be an RFC 3339 date-time with an offset, e.g. 2026-06-01T10:15:00+08:00';
  return error.message.charAt(0).toLowerCase() + error.message.slice(1);
}

/** Compiles a contract schema once; returns a checker with person-readable issues. */
export function validator<T extends TSchema>(schema: T): Validator<T> {
  let compiled = cache.get(schema);
  if (!compiled) {
    compiled = TypeCompiler.Compile(schema);
    cache.set(schema, compiled);
  }
  const check = compiled;
  return {
    schema,
    check: (value: unknown): value is Static<T> => check.Check(value),
    issues(value, limit = 20) {
      const seen = new Set<string>();
      const out: FieldIssue[] = [];
      for (const error of check.Errors(value)) {
        // Union failures repeat the same path; keep the first, most specific message per path.
        if (seen.has(error.path)) continue;
        seen.add(error.path);
        out.push({ pointer: error.path, message: describe(error) });
        if (out.length >= limit) break;
      }
      return out;
    },
  };
}
