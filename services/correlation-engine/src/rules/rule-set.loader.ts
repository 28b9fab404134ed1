/** Reads a rule set folder: every *.yaml, *.yml and *.json file in it, in name order. */
import { readdir, readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RuleSet } from '../domain/rule-set.model.ts';
import { parseRuleSet, RuleSetError } from './rule-set.parser.ts';

/** The default rule set for Nanhai District, shipped with the package. */
export const DEFAULT_RULES_DIR = fileURLToPath(new URL('../../rules', import.meta.url));

export async function loadRuleSet(dir: string = DEFAULT_RULES_DIR): Promise<RuleSet> {
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
  const files = await Promise.all(
    names.map(async (name) => ({ name: join(base, name), text: await readFile(join(dir, name), 'utf8') })),
  );
  return parseRuleSet(files);
}
