import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { CONTRACT_CATALOG, TOPIC_SPECS, validator } from '../src/index.ts';
import { generatedFiles, GENERATED_DIR } from '../scripts/generate.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

// ajv-formats is CommonJS with a default export in its typings.
type AddFormats = (ajv: Ajv) => Ajv;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ??
  addFormatsModule) as unknown as AddFormats;

function fixtures(id: string, kind: 'valid' | 'invalid'): [string, unknown][] {
  const dir = join(FIXTURES, id, kind);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => [f, JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown]);
}

/** Each must-fail fixture's field at fault, as a JSON Pointer: `<contract>/invalid-pointers.json`. */
function pointers(id: string): Record<string, string> {
  const file = join(FIXTURES, id, 'invalid-pointers.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
}

describe.each(CONTRACT_CATALOG.map((e) => [e.id, e] as const))('contract %s', (id, entry) => {
  const check = validator(entry.schema);
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const generated = JSON.parse(
    readFileSync(join(GENERATED_DIR, 'json-schema', `${id}.schema.json`), 'utf8'),
  ) as object;
  const ajvCheck = ajv.compile(generated);

  it('has fixtures that must pass and fixtures that must fail', () => {
    expect(fixtures(id, 'valid').length).toBeGreaterThan(0);
    expect(fixtures(id, 'invalid').length).toBeGreaterThan(0);
  });

  it.each(fixtures(id, 'valid'))('accepts %s (TypeBox and the generated JSON Schema)', (_name, value) => {
    expect(check.issues(value)).toEqual([]);
    expect(ajvCheck(value), JSON.stringify(ajvCheck.errors)).toBe(true);
  });

  const named = pointers(id);

  it('names the field at fault of every must-fail fixture, and only of those', () => {
    expect(Object.keys(named).sort()).toEqual(
      fixtures(id, 'invalid')
        .map(([name]) => name)
        .sort(),
    );
  });

  it.each(fixtures(id, 'invalid'))('refuses %s, naming the field', (name, value) => {
    expect(check.check(value)).toBe(false);
    const pointer = named[name];
    expect(pointer, `${name} has no entry in ${id}/invalid-pointers.json`).toMatch(/^\//);
    expect(check.issues(value).map((i) => i.pointer)).toEqual([pointer]);
    expect(ajvCheck(value)).toBe(false);
  });
});

describe('generated files', () => {
  it('are up to date with the schemas (run `pnpm gen` after changing a contract)', () => {
    for (const [path, content] of generatedFiles()) {
      const file = join(GENERATED_DIR, path);
      expect(existsSync(file), `${path} is missing`).toBe(true);
      expect(readFileSync(file, 'utf8'), `${path} is stale: run pnpm gen`).toBe(content);
    }
    const onDisk = readdirSync(join(GENERATED_DIR, 'json-schema')).map((f) => `json-schema/${f}`);
    const expected = [...generatedFiles().keys()].filter((p) => p.startsWith('json-schema/'));
    expect(onDisk.sort()).toEqual(expected.sort());
  });

  it('the AsyncAPI document has a channel for every topic', () => {
    const asyncapi = readFileSync(join(GENERATED_DIR, 'asyncapi.yaml'), 'utf8');
    expect(asyncapi).toMatch(/^asyncapi: 3\.0\.0$/m);
    for (const spec of TOPIC_SPECS) expect(asyncapi).toContain(`address: ${spec.name}`);
  });
});
