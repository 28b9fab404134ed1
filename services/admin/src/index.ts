/** The admin operations (keys, users, demo credentials) for a process that runs them in-house; the command line is src/cli.ts. */
export { createAdminService, demoUsers, DEMO_KEY_LABEL, type DemoCredentials } from './admin.service.ts';
