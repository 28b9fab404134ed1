import { Type, type Static } from '@sinclair/typebox';
import { Crs, EventStatus, type Category, type LocalizedText, type Severity } from '../common.ts';

/** A point as departments send it: any of the four CRS, WGS-84 when `crs` is absent. */
export const SourceLocation = Type.Object(
  {
    lon: Type.Number({ minimum: -180, maximum: 180, description: 'Longitude in degrees' }),
    lat: Type.Number({ minimum: -90, maximum: 90, description: 'Latitude in degrees' }),
    crs: Type.Optional(Crs),
  },
  { $id: 'SourceLocation', additionalProperties: false },
);
export type SourceLocation = Static<typeof SourceLocation>;

export const SourceTime = Type.String({
  format: 'date-time',
  description: 'RFC 3339 with an offset; China writes +08:00',
  examples: ['2026-06-01T10:15:00+08:00'],
});

/** Fields every documented department JSON record shares. */
export const recordBase = {
  status: Type.Optional(EventStatus),
  location: Type.Optional(SourceLocation),
  address: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  adminCode: Type.Optional(
    Type.String({ pattern: '^\\d{6}(\\d{3}(\\d{3})?)?$', description: 'GB/T 2260 code (6, 9 or 12 digits)' }),
  ),
};

export interface VocabularyEntry {
  readonly name: LocalizedText;
  readonly category: Category;
  readonly severity: Severity;
}

export type Vocabulary<K extends string> = Readonly<Record<K, VocabularyEntry>>;

export function vocabularyKeys<K extends string>(vocabulary: Vocabulary<K>): K[] {
  return Object.keys(vocabulary) as K[];
}
