/**
 * Since when webhooks have been reaching us and getting a prompt 200 (epoch ms). A send left in
 * doubt waits for the status webhook proving it went out; when that webhook hit a dead, failing
 * or overloaded server it comes back on the provider's retry back-off, not when we recover, so the
 * wait grows with the time webhooks could not be taken (`sendConfirmDeadlineMs`).
 */
export interface WebhookUptime {
  /** The start of the current stretch in which webhooks were taken. */
  sinceMs(): number;
  /**
   * Webhooks could not be taken until `atMs`: the API started listening then, or a webhook was
   * answered with a 5xx or too late for the provider. Never moves the start backwards.
   */
  downUntil(atMs: number): void;
}

export function createWebhookUptime(startMs: number): WebhookUptime {
  let since = startMs;
  return {
    sinceMs: () => since,
    downUntil(atMs) {
      since = Math.max(since, atMs);
    },
  };
}
