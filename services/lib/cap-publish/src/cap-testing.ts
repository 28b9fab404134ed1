/** Tests only: validate XML with xmllint against the OASIS CAP 1.2 schema and an Atom subset schema. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
/** The OASIS CAP 1.2 schema: the repository's byte-for-byte copy of shared/fixtures/xsd/cap-1.2.xsd. */
export const CAP_XSD = join(here, '../../ingest-kit/fixtures/xsd/cap-1.2.xsd');
export const ATOM_RNG = join(here, '../fixtures/atom.rng');

/** xmllint's verdict: '' when valid, its complaints otherwise. */
export function xmllint(xml: string, schema: { xsd?: string; rng?: string }): string {
  const dir = mkdtempSync(join(tmpdir(), 'cap-'));
  const file = join(dir, 'doc.xml');
  writeFileSync(file, xml);
  const args = [
    '--noout',
    ...(schema.xsd ? ['--schema', schema.xsd] : []),
    ...(schema.rng ? ['--relaxng', schema.rng] : []),
    file,
  ];
  try {
    execFileSync('xmllint', args, { stdio: 'pipe' });
    return '';
  } catch (error) {
    return String((error as { stderr?: Buffer }).stderr ?? error);
  }
}
