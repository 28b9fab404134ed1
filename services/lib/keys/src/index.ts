/** What the other packages take from @liandong/keys — and only that; the rest is the package's own. */
export { createKeyAdministration, type KeyAdministration } from './key.administration.ts';
export { createKeyRepository, type KeyIdentity, type KeyRepository } from './key.repository.ts';
