/** What the other packages take from @liandong/cap-publish — and only that; the rest is the package's own. */
export { ATOM_MEDIA_TYPE, renderAtom } from './atom.ts';
export { CAP_MEDIA_TYPE, renderCap, type CapIssuer, type CapMessage } from './cap.ts';
export { capMessagesOf } from './publish.ts';
export { createCapLedger } from './ledger.repository.ts';
export { townAt } from './towns.ts';
