// Entry of a normalizing thread. A worker thread does not inherit the TypeScript loader the
// service runs under (tsx), so it registers it before loading the worker itself.
import { register } from 'tsx/esm/api';

register();
await import('./normalize.worker.ts');
