export { checkEvolutionCredentials } from './check.ts';
export { createEvolutionClient } from './client.ts';
export { classifyEvolutionError } from './errors.ts';
export {
  normalizeEvolutionEvent,
  parseEvolutionWebhook,
  verifyEvolutionWebhook,
  verifyJwtHs256,
} from './webhook.ts';
