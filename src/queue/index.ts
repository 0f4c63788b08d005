/** Public surface of the queue; the pipelines and the composition root import from here. */

export {
  assertJobSpec,
  JobPayloadError,
  looksLikePhone,
  MAX_JOB_STRING_LENGTH,
  redactError,
} from './guard.ts';
export {
  DEFAULT_EXPIRE_IN_SECONDS,
  DEFAULT_MAINTENANCE_INTERVAL_SECONDS,
  DEFAULT_POLLING_INTERVAL_MS,
  DEFAULT_STOP_TIMEOUT_MS,
  QUEUE_RETRY_DEFAULTS,
  startQueue,
} from './queue.ts';
export {
  type DeadLetter,
  type DeadLetterOptions,
  type DeadLetterPage,
  type Job,
  type JobData,
  type JobHandler,
  type JobSpec,
  type JobValue,
  QUEUE_NAMES,
  type Queue,
  type QueueName,
  type QueueOptions,
  type QueueStat,
  type StopOptions,
  type WorkOptions,
} from './types.ts';
