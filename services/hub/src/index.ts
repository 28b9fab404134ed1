export { createHub, type Hub, type HubOptions } from './hub.ts';
export { hubConfigSchema, loadHubConfig, type HubConfig } from './hub.config.ts';
