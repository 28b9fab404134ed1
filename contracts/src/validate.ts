import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { DATE_TIME_EXAMPLE, dateTimeIssue } from './formats.ts';

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

type Members = Record<string, unknown>[];

/**
 * The property that tells the members of a union apart (`type`, `family`): every member is an
 * object holding it as a constant. Undefined for other unions.
 */
function discriminantOf(members: Members): string | undefined {
  const first = members[0]?.['properties'] as Record<string, Record<string, unknown>> | undefined;
  if (!first) return undefined;
  return Object.keys(first).find((key) =>
    members.every((m) => {
      const property = (m['properties'] as Record<string, Record<string, unknown>> | undefined)?.[key];
      return property !== undefined && 'const' in property;
    }),
  );
}

/**
 * A failed discriminated union names the field at fault instead of the union ("expected union
 * value" at the root): the member the discriminant selects is checked and its issues reported,
 * or the discriminant itself is, when no member has its value.
 */
function unionIssues(error: ValueError, limit: number): FieldIssue[] | undefined {
  const members = (error.schema as Record<string, unknown>)['anyOf'];
  const value = error.value as Record<string, unknown> | null;
  if (!Array.isArray(members) || typeof value !== 'object' || value === null) return undefined;
  const key = discriminantOf(members as Members);
  if (key === undefined) return undefined;
  const constOf = (m: Record<string, unknown>) =>
    ((m['properties'] as Record<string, Record<string, unknown>>)[key] as Record<string, unknown>)['const'];
  const member = (members as Members).find((m) => constOf(m) === value[key]);
  if (!member) {
    const allowed = (members as Members).map((m) => JSON.stringify(constOf(m))).join(', ');
    return [{ pointer: `${error.path}/${key}`, message: `must be one of ${allowed}` }];
  }
  const inner = validator(member as TSchema).issues(value, limit);
  return inner.map((issue) => ({ ...issue, pointer: `${error.path}${issue.pointer}` }));
}

/** A date-time, or a union of one with something else (a nullable date-time). */
function isDateTimeSchema(schema: Record<string, unknown>): boolean {
  if (schema['format'] === 'date-time') return true;
  const anyOf = schema['anyOf'];
  return Array.isArray(anyOf) && anyOf.some((s: Record<string, unknown>) => s['format'] === 'date-time');
}

function describe(error: ValueError): string {
  const schema = error.schema as Record<string, unknown>;
  if (typeof schema['const'] !== 'undefined') return `must be ${JSON.stringify(schema['const'])}`;
  const anyOf = schema['anyOf'];
  if (Array.isArray(anyOf) && anyOf.every((s: Record<string, unknown>) => 'const' in s)) {
    return `must be one of ${anyOf.map((s: Record<string, unknown>) => JSON.stringify(s['const'])).join(', ')}`;
  }
  if (isDateTimeSchema(schema)) {
    return typeof error.value === 'string'
      ? dateTimeIssue(error.value)
      : `must be an RFC 3339 date-time with an offset, e.g. ${DATE_TIME_EXAMPLE}`;
  }
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
        const inner = error.type === ValueErrorType.Union ? unionIssues(error, limit) : undefined;
        for (const issue of inner ?? [{ pointer: error.path, message: describe(error) }]) {
          if (out.length < limit && !out.some((o) => o.pointer === issue.pointer)) out.push(issue);
        }
        if (out.length >= limit) break;
      }
      return out;
    },
  };
}
