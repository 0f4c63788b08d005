export { checkCloudCredentials } from './check.ts';
export { CLOUD_TYPING_LIFETIME_MS, CLOUD_TYPING_REFRESH_MS, createCloudClient } from './client.ts';
export {
  CLOUD_ERROR_RULES,
  type CloudErrorInput,
  classifyCloudError,
  cloudPairLimitBackoffMs,
} from './errors.ts';
export {
  CLOUD_SIGNATURE_HEADER,
  type CloudRoute,
  parseCloudWebhook,
  routeCloudWebhook,
  verifyCloudSubscription,
  verifyCloudWebhook,
} from './webhook.ts';
