/** Reads a rule set folder: every *.yaml, *.yml and *.json file in it, in name order. */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RuleSet } from '../domain/rule-set.model.ts';
import { parseRuleSet, RuleSetError, type RuleFileText } from './rule-set.parser.ts';

/** The default rule set for Nanhai District, shipped with the package. */
export const DEFAULT_RULES_DIR = fileURLToPath(new URL('../../rules', import.meta.url));

export async function loadRuleSet(dir: string = DEFAULT_RULES_DIR): Promise<RuleSet> {
  return parseRuleSet(await readRuleFiles(dir));
}

/**
 * The rule files of a folder, named as the user knows them (relative below the working folder,
 * else absolute), in name order; refused when the folder cannot be read or holds none.
 */
export async function readRuleFiles(dir: string = DEFAULT_RULES_DIR): Promise<RuleFileText[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.(ya?ml|json)$/.test(n)).sort();
  } catch (error) {
    throw new RuleSetError([
      { file: dir, field: '', message: `cannot read the rule folder: ${(error as Error).message}` },
    ]);
  }
  if (names.length === 0)
    throw new RuleSetError([
      { file: dir, field: '', message: 'the folder holds no .yaml, .yml or .json rule file' },
    ]);
  // Name files as the user knows them: relative below the working folder, else absolute.
  const near = relative(process.cwd(), dir);
  const base = near === '' ? '.' : near.startsWith('..') || isAbsolute(near) ? resolve(dir) : near;
  return Promise.all(
    names.map(async (name) => ({ name: join(base, name), text: await readFile(join(dir, name), 'utf8') })),
  );
}

/**
 * What identifies a rule set's text: SHA-256 over each file's own name (not its folder) and text,
 * in order. The same files give the same fingerprint wherever they are read from.
 */
export function ruleFilesFingerprint(files: readonly RuleFileText[]): string {
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${basename(file.name)}\0${file.text}\0`);
  return hash.digest('hex');
}
