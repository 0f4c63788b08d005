/**
 * The three states of an order and which moves a seller may make (issue 13.4). Pure: the store
 * checks a change here before it writes anything, and the API documents the same table.
 *
 * - Order: pending → confirmed → completed; pending or confirmed → cancelled. Completed and
 *   cancelled are final (a completed sale is not reopened, a cancelled one is not revived: make a new
 *   order). Confirming takes the stock, cancelling gives it back (the store does both).
 * - Fulfilment moves forward only: unfulfilled → ready → out_for_delivery → delivered (steps may be
 *   skipped), and out_for_delivery or delivered → returned, which is final. Nothing moves on a
 *   cancelled order.
 * - Payment follows the recorded payments (unpaid, partial, paid: see `paymentStatusOf`); the only
 *   status set by hand is `refunded`, from partial or paid, and it is final.
 */

export const ORDER_STATUSES = ['pending', 'confirmed', 'completed', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export const PAYMENT_STATUSES = ['unpaid', 'partial', 'paid', 'refunded'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];
export const FULFILMENT_STATUSES = [
  'unfulfilled',
  'ready',
  'out_for_delivery',
  'delivered',
  'returned',
] as const;
export type FulfilmentStatus = (typeof FULFILMENT_STATUSES)[number];

export type OrderAxis = 'status' | 'paymentStatus' | 'fulfilmentStatus';

export interface OrderStates {
  status: OrderStatus;
  paymentStatus: PaymentStatus;
  fulfilmentStatus: FulfilmentStatus;
}

export type OrderStateChange = Partial<OrderStates>;

/** Why a move is refused, as a stable code and a sentence for the seller. */
export interface RefusedMove {
  axis: OrderAxis;
  from: string;
  to: string;
  reason: 'final' | 'backwards' | 'cancelled_order' | 'derived_from_payments' | 'nothing_paid';
  detail: string;
}

const ORDER_MOVES: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending: ['confirmed', 'cancelled'],
  confirmed: ['completed', 'cancelled'],
  completed: [],
  cancelled: [],
};

const FULFILMENT_MOVES: Readonly<Record<FulfilmentStatus, readonly FulfilmentStatus[]>> = {
  unfulfilled: ['ready', 'out_for_delivery', 'delivered'],
  ready: ['out_for_delivery', 'delivered'],
  out_for_delivery: ['delivered', 'returned'],
  delivered: ['returned'],
  returned: [],
};

function refuse(axis: OrderAxis, from: string, to: string, reason: RefusedMove['reason']): RefusedMove {
  const details: Record<RefusedMove['reason'], string> = {
    final: `the ${axisName(axis)} is ${from}, which is final`,
    backwards: `the ${axisName(axis)} cannot go from ${from} to ${to}`,
    cancelled_order: `the order is cancelled; its ${axisName(axis)} no longer changes`,
    derived_from_payments: `the payment status follows the recorded payments (POST /orders/{id}/payments); only "refunded" is set by hand`,
    nothing_paid: `nothing was paid (payment status ${from}), so there is nothing to refund`,
  };
  return { axis, from, to, reason, detail: details[reason] };
}

function axisName(axis: OrderAxis): string {
  return axis === 'status'
    ? 'order status'
    : axis === 'paymentStatus'
      ? 'payment status'
      : 'fulfilment status';
}

/**
 * Checks every axis of `change` against `current`. A value equal to the current one is no move
 * and always allowed. Returns the first refused move, or null when the whole change may be made.
 * The order status is checked first, so "cancel and mark delivered" in one request is refused
 * as a move on a cancelled order.
 */
export function checkOrderChange(current: OrderStates, change: OrderStateChange): RefusedMove | null {
  const nextStatus = change.status ?? current.status;
  if (change.status !== undefined && change.status !== current.status) {
    const allowed = ORDER_MOVES[current.status];
    if (!allowed.includes(change.status)) {
      return refuse('status', current.status, change.status, allowed.length === 0 ? 'final' : 'backwards');
    }
  }
  if (change.fulfilmentStatus !== undefined && change.fulfilmentStatus !== current.fulfilmentStatus) {
    if (nextStatus === 'cancelled') {
      return refuse('fulfilmentStatus', current.fulfilmentStatus, change.fulfilmentStatus, 'cancelled_order');
    }
    const allowed = FULFILMENT_MOVES[current.fulfilmentStatus];
    if (!allowed.includes(change.fulfilmentStatus)) {
      return refuse(
        'fulfilmentStatus',
        current.fulfilmentStatus,
        change.fulfilmentStatus,
        allowed.length === 0 ? 'final' : 'backwards',
      );
    }
  }
  if (change.paymentStatus !== undefined && change.paymentStatus !== current.paymentStatus) {
    if (change.paymentStatus !== 'refunded') {
      return refuse('paymentStatus', current.paymentStatus, change.paymentStatus, 'derived_from_payments');
    }
    if (current.paymentStatus === 'unpaid') {
      return refuse('paymentStatus', current.paymentStatus, change.paymentStatus, 'nothing_paid');
    }
  }
  return null;
}

/** What an order's payments say: nothing yet, part of the total, or all of it. Refunded stays refunded. */
export function paymentStatusOf(current: PaymentStatus, paidAmount: number, total: number): PaymentStatus {
  if (current === 'refunded') return 'refunded';
  if (paidAmount <= 0) return 'unpaid';
  return paidAmount >= total ? 'paid' : 'partial';
}

/** Whether an order in these states holds its lines' stock (confirmed or completed, never cancelled). */
export function holdsStock(status: OrderStatus): boolean {
  return status === 'confirmed' || status === 'completed';
}
