/**
 * Per-request fault injection. A fault matches on transport, method and path (a substring or a
 * RegExp of the path inside the transport) and applies to the next `times` matching requests.
 */
import type { SimTransport } from './recorder.ts';

interface FaultMatch {
  transport?: SimTransport;
  method?: string;
  /** Substring of, or RegExp over, the path inside the transport ('/message/sendText/x', '/v25.0/1/messages'). */
  path?: string | RegExp;
  /** How many matching requests it applies to; default 1, Infinity until removed. */
  times?: number;
}

export type FaultSpec = FaultMatch &
  (
    | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
    /** Accept the request and never answer (the client's timeout must fire). */
    | { kind: 'hang' }
    /** Destroy the socket as soon as the request arrives (ECONNRESET / "other side closed"). */
    | { kind: 'reset' }
    /** Answer normally after `delayMs` of real time (network latency, not simulated time). */
    | { kind: 'slow'; delayMs: number }
  );

export interface FaultHandle {
  /** Requests it will still apply to. */
  remaining(): number;
  remove(): void;
}

interface Active {
  spec: FaultSpec;
  left: number;
}

export class Faults {
  private active: Active[] = [];

  add(spec: FaultSpec): FaultHandle {
    const entry: Active = { spec, left: spec.times ?? 1 };
    this.active.push(entry);
    return {
      remaining: () => entry.left,
      remove: () => {
        this.active = this.active.filter((a) => a !== entry);
      },
    };
  }

  clear(): void {
    this.active = [];
  }

  /** The fault for this request, if any (consuming one use). */
  take(transport: SimTransport | 'unknown', method: string, path: string): FaultSpec | undefined {
    for (const entry of this.active) {
      const { spec } = entry;
      if (spec.transport !== undefined && spec.transport !== transport) continue;
      if (spec.method !== undefined && spec.method.toUpperCase() !== method) continue;
      if (spec.path !== undefined) {
        const hit = typeof spec.path === 'string' ? path.includes(spec.path) : spec.path.test(path);
        if (!hit) continue;
      }
      entry.left -= 1;
      if (entry.left <= 0) this.active = this.active.filter((a) => a !== entry);
      return spec;
    }
    return undefined;
  }
}
