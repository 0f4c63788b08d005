/**
 * What happens to a message after the simulated provider accepted it: a list of receipts, each at
 * a delay after the send. The same plan drives Cloud statuses, Evolution `messages.update` and
 * WAHA `message.ack`.
 */

export type SimStatus = 'sent' | 'delivered' | 'read' | 'played' | 'failed';

export interface SimProviderError {
  code: number;
  title: string;
  message?: string;
  details?: string;
}

export interface StatusStep {
  status: SimStatus;
  /** Simulated ms after the send. */
  afterMs: number;
  /** For `failed` (Cloud `errors[]`). */
  error?: SimProviderError;
}

export interface SentMessage {
  transport: 'cloud' | 'evolution' | 'waha';
  providerId: string;
  /** Recipient digits. */
  to: string;
  /** 'text', 'template', 'image'… */
  type: string;
  template?: string;
}

export type StatusPlanner = readonly StatusStep[] | ((message: SentMessage) => readonly StatusStep[]);

export interface StepDelays {
  sentMs?: number;
  deliveredMs?: number;
  readMs?: number;
}

export const statusPlans = {
  /** sent → delivered → read: the usual sequence. */
  normal({ sentMs = 100, deliveredMs = 1_000, readMs = 3_000 }: StepDelays = {}): StatusStep[] {
    return [
      { status: 'sent', afterMs: sentMs },
      { status: 'delivered', afterMs: deliveredMs },
      { status: 'read', afterMs: readMs },
    ];
  },
  /** The user had the chat open: Meta skips `delivered`. */
  readWithoutDelivered({ sentMs = 100, readMs = 1_000 }: StepDelays = {}): StatusStep[] {
    return [
      { status: 'sent', afterMs: sentMs },
      { status: 'read', afterMs: readMs },
    ];
  },
  /** `read` arrives before `delivered`: a receiver must not downgrade. */
  outOfOrder(): StatusStep[] {
    return [
      { status: 'sent', afterMs: 100 },
      { status: 'read', afterMs: 200 },
      { status: 'delivered', afterMs: 300 },
    ];
  },
  /** Voice notes: played after read. */
  played(): StatusStep[] {
    return [...statusPlans.normal(), { status: 'played', afterMs: 5_000 }];
  },
  failed(error: SimProviderError = UNDELIVERABLE, afterMs = 100): StatusStep[] {
    return [{ status: 'failed', afterMs, error }];
  },
  sentOnly(sentMs = 100): StatusStep[] {
    return [{ status: 'sent', afterMs: sentMs }];
  },
  none(): StatusStep[] {
    return [];
  },
};

export const UNDELIVERABLE: SimProviderError = {
  code: 131026,
  title: 'Message undeliverable',
  message: 'Message undeliverable',
  details: 'Message Undeliverable.',
};

/** Per transport: a persistent planner plus one-shot plans for the next sends. */
export class PlanQueue {
  private planner: StatusPlanner;
  private readonly next: (readonly StatusStep[])[] = [];

  constructor(initial: StatusPlanner = statusPlans.normal()) {
    this.planner = initial;
  }

  set(planner: StatusPlanner): void {
    this.planner = planner;
  }

  once(plan: readonly StatusStep[]): void {
    this.next.push(plan);
  }

  planFor(message: SentMessage): readonly StatusStep[] {
    const once = this.next.shift();
    if (once) return once;
    return typeof this.planner === 'function' ? this.planner(message) : this.planner;
  }
}
