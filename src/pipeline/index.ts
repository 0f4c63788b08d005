/** Public surface of the pipelines. */

import type { InboundEvent } from '../whatsapp/index.ts';
import type { ChannelTarget, InboundOutcome } from './inbound.ts';

export { act, type OutboundJobData, scheduleFollowup } from './act.ts';
export { decideWithModel } from './assist.ts';
export {
  type BatchedProcessEvents,
  type BatchReport,
  createInboundBatcher,
  DEFAULT_MAX_BATCH_EVENTS,
  DEFAULT_POSTGRES_LANES,
  type InboundBatcherOptions,
  laneOf,
} from './batch.ts';
export { storedContext } from './context.ts';
export {
  type DeadLetterDeps,
  type DeadLetterSummary,
  deadLetterTenant,
  listDeadLetters,
  type ReplayOutcome,
  replayDeadLetter,
  summarizeDeadLetter,
} from './dead-letters.ts';
export { type PipelineDeps, type PipelineLog, type PipelineMetrics, sleepMs } from './deps.ts';
export { DEFAULT_SETTLE_MS, EventTail } from './event-tail.ts';
export {
  deliverWebhook,
  eventPayload,
  FANOUT_CONSUMER,
  type Fanout,
  type FanoutDeps,
  type NotificationSettings,
  notificationSettingsOf,
  notificationText,
  SIGNATURE_HEADER,
  sendNotification,
  signPayload,
  startFanout,
} from './fanout.ts';
export { handleFollowup } from './followup.ts';
export { type ChannelTarget, type InboundOutcome, processEvents, redecide, refreshPause } from './inbound.ts';
export { type ManualSendResult, PAIR_GAP_MS, SERVICE_WINDOW_MS, sendAsHuman } from './manual.ts';
export {
  handleOutbound,
  SEND_CONFIRM_WAIT_MS,
  sendConfirmDeadlineMs,
  WORKER_ERROR_CODE,
} from './outbound.ts';
export {
  autoReturnAfterMsOf,
  CANCELLED_BY_HUMAN,
  handBack,
  handleAutoReturn,
  requestHandoff,
  takeOver,
} from './ownership.ts';
export { contextPlaybook } from './playbook.ts';
export { createWebhookUptime, type WebhookUptime } from './webhook-uptime.ts';
export { startWorkers, type WorkerOptions } from './worker.ts';

/** processEvents with its dependencies bound: what the webhook routes call. */
export type ProcessEventsFn = (
  target: ChannelTarget,
  events: readonly InboundEvent[],
) => Promise<InboundOutcome>;
