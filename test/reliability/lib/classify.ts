/**
 * The verdict on every inbound message of a run, from what the customers actually received (the
 * simulator's record of accepted sends): delivered (exactly one text naming the price), lost
 * (none), duplicated (more than one), wrong (exactly one, without the price), and unexpected
 * sends (to a number that wrote nothing).
 */

export interface AcceptedText {
  /** Recipient digits. */
  to: string;
  text: string;
}

export interface Classification {
  messages: number;
  delivered: number;
  lost: number;
  duplicated: number;
  wrong: number;
  unexpected: number;
  /** Recipient digits of the lost, duplicated and wrong ones (for the failure message). */
  lostTo: string[];
  duplicatedTo: string[];
  wrongTo: string[];
  unexpectedTo: string[];
}

export function classify(
  customers: readonly string[],
  sends: readonly AcceptedText[],
  mustContain: string,
): Classification {
  const byRecipient = new Map<string, string[]>();
  for (const send of sends) {
    const list = byRecipient.get(send.to) ?? [];
    list.push(send.text);
    byRecipient.set(send.to, list);
  }
  const out: Classification = {
    messages: customers.length,
    delivered: 0,
    lost: 0,
    duplicated: 0,
    wrong: 0,
    unexpected: 0,
    lostTo: [],
    duplicatedTo: [],
    wrongTo: [],
    unexpectedTo: [],
  };
  const known = new Set(customers);
  for (const customer of customers) {
    const texts = byRecipient.get(customer) ?? [];
    if (texts.length === 0) {
      out.lost++;
      out.lostTo.push(customer);
    } else if (texts.length > 1) {
      out.duplicated++;
      out.duplicatedTo.push(customer);
    } else if (!texts[0]!.includes(mustContain)) {
      out.wrong++;
      out.wrongTo.push(customer);
    } else {
      out.delivered++;
    }
  }
  for (const [to, texts] of byRecipient) {
    if (!known.has(to)) {
      out.unexpected += texts.length;
      out.unexpectedTo.push(to);
    }
  }
  return out;
}

/** Sums the counts of several runs (the lists keep the first few entries, for messages). */
export function addUp(
  runs: readonly Classification[],
): Omit<Classification, 'lostTo' | 'duplicatedTo' | 'wrongTo' | 'unexpectedTo'> {
  const total = { messages: 0, delivered: 0, lost: 0, duplicated: 0, wrong: 0, unexpected: 0 };
  for (const r of runs) {
    total.messages += r.messages;
    total.delivered += r.delivered;
    total.lost += r.lost;
    total.duplicated += r.duplicated;
    total.wrong += r.wrong;
    total.unexpected += r.unexpected;
  }
  return total;
}

/** The four ways a run can fail its customers, for one `toEqual(NO_FAILURES)` per trial. */
export function failuresOf(c: Classification): {
  lost: number;
  duplicated: number;
  wrong: number;
  unexpected: number;
} {
  return { lost: c.lost, duplicated: c.duplicated, wrong: c.wrong, unexpected: c.unexpected };
}

export const NO_FAILURES = { lost: 0, duplicated: 0, wrong: 0, unexpected: 0 } as const;
