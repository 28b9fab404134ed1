/**
 * pnpm gen — writes contracts/generated/: one JSON Schema file per published contract and the
 * AsyncAPI 3 document. A test fails when these files are stale.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTRACT_CATALOG } from '../src/index.ts';
import { renderAsyncApi } from './asyncapi.ts';
import { publishable } from '../src/publishable.ts';

export const GENERATED_DIR = fileURLToPath(new URL('../generated/', import.meta.url));
export const SCHEMA_BASE = 'https://liandong.example/schemas/';

/** Every generated file, by path relative to contracts/generated/. */
export function generatedFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of CONTRACT_CATALOG) {
    const schema = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      ...(publishable(entry.schema) as Record<string, unknown>),
      $id: `${SCHEMA_BASE}${entry.id}.schema.json`,
      description: entry.description,
    };
    files.set(`json-schema/${entry.id}.schema.json`, `${JSON.stringify(schema, null, 2)}\n`);
  }
  files.set('asyncapi.yaml', renderAsyncApi());
  return files;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  rmSync(join(GENERATED_DIR, 'json-schema'), { recursive: true, force: true });
  for (const [path, content] of generatedFiles()) {
    mkdirSync(join(GENERATED_DIR, path, '..'), { recursive: true });
    writeFileSync(join(GENERATED_DIR, path), content);
  }
  console.log(
    `wrote ${readdirSync(join(GENERATED_DIR, 'json-schema')).length} JSON Schemas and asyncapi.yaml to ${GENERATED_DIR}`,
  );
}
