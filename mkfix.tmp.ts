import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { parse } from 'yaml';
const dir = 'contracts/test/fixtures/RuleFile';
mkdirSync(`${dir}/valid`, { recursive: true });
mkdirSync(`${dir}/invalid`, { recursive: true });
for (const name of ['flood', 'social', 'silence']) {
  const file = parse(readFileSync(`services/correlation/rules/${name}.yaml`, 'utf8'));
  writeFileSync(`${dir}/valid/${name}-rules.json`, JSON.stringify(file, null, 2) + '\n');
}
const flood = parse(readFileSync('services/correlation/rules/flood.yaml', 'utf8'));
const one = flood.rules[0];
writeFileSync(
  `${dir}/invalid/unknown-family.json`,
  JSON.stringify({ rules: [{ ...one, family: 'vibes' }] }, null, 2) + '\n',
);
writeFileSync(
  `${dir}/invalid/purple-level.json`,
  JSON.stringify({ rules: [{ ...one, level: { base: 'purple' } }] }, null, 2) + '\n',
);
const { version: _v, ...noVersion } = one;
writeFileSync(`${dir}/invalid/no-version.json`, JSON.stringify({ rules: [noVersion] }, null, 2) + '\n');
