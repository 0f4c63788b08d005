export { checkWahaCredentials } from './check.ts';
export { createWahaClient, wahaChatId, wahaSentId } from './client.ts';
export { classifyWahaError } from './errors.ts';
export { parseWahaWebhook, verifyWahaWebhook, WAHA_HMAC_HEADER } from './webhook.ts';
