import { describe, expect, it } from 'vitest';
import {
  checkOrderChange,
  type OrderStateChange,
  type OrderStates,
  paymentStatusOf,
  type RefusedMove,
} from './order-states.ts';

const base: OrderStates = { status: 'pending', paymentStatus: 'unpaid', fulfilmentStatus: 'unfulfilled' };

const cases: Array<{
  name: string;
  current: Partial<OrderStates>;
  change: OrderStateChange;
  want: Pick<RefusedMove, 'axis' | 'reason'> | null;
}> = [
  { name: 'confirms a pending order', current: {}, change: { status: 'confirmed' }, want: null },
  { name: 'cancels a pending order', current: {}, change: { status: 'cancelled' }, want: null },
  {
    name: 'completes a confirmed order',
    current: { status: 'confirmed' },
    change: { status: 'completed' },
    want: null,
  },
  {
    name: 'cancels a confirmed order',
    current: { status: 'confirmed' },
    change: { status: 'cancelled' },
    want: null,
  },
  {
    name: 'refuses to complete a pending order without confirming it',
    current: {},
    change: { status: 'completed' },
    want: { axis: 'status', reason: 'backwards' },
  },
  {
    name: 'refuses completed → pending (completed is final)',
    current: { status: 'completed' },
    change: { status: 'pending' },
    want: { axis: 'status', reason: 'final' },
  },
  {
    name: 'refuses to revive a cancelled order',
    current: { status: 'cancelled' },
    change: { status: 'confirmed' },
    want: { axis: 'status', reason: 'final' },
  },
  {
    name: 'refuses confirmed → pending',
    current: { status: 'confirmed' },
    change: { status: 'pending' },
    want: { axis: 'status', reason: 'backwards' },
  },
  {
    name: 'accepts the current value as no move, even on a final status',
    current: { status: 'cancelled' },
    change: { status: 'cancelled' },
    want: null,
  },
  {
    name: 'moves fulfilment forward, skipping steps',
    current: { status: 'confirmed' },
    change: { fulfilmentStatus: 'delivered' },
    want: null,
  },
  {
    name: 'refuses fulfilment backwards (delivered → ready)',
    current: { status: 'confirmed', fulfilmentStatus: 'delivered' },
    change: { fulfilmentStatus: 'ready' },
    want: { axis: 'fulfilmentStatus', reason: 'backwards' },
  },
  {
    name: 'returns a delivered order',
    current: { status: 'completed', fulfilmentStatus: 'delivered' },
    change: { fulfilmentStatus: 'returned' },
    want: null,
  },
  {
    name: 'refuses returning an order never sent',
    current: { status: 'confirmed', fulfilmentStatus: 'ready' },
    change: { fulfilmentStatus: 'returned' },
    want: { axis: 'fulfilmentStatus', reason: 'backwards' },
  },
  {
    name: 'keeps returned final',
    current: { status: 'completed', fulfilmentStatus: 'returned' },
    change: { fulfilmentStatus: 'delivered' },
    want: { axis: 'fulfilmentStatus', reason: 'final' },
  },
  {
    name: 'refuses fulfilment moves on a cancelled order',
    current: { status: 'cancelled' },
    change: { fulfilmentStatus: 'ready' },
    want: { axis: 'fulfilmentStatus', reason: 'cancelled_order' },
  },
  {
    name: 'refuses cancelling and shipping in one request',
    current: { status: 'confirmed' },
    change: { status: 'cancelled', fulfilmentStatus: 'out_for_delivery' },
    want: { axis: 'fulfilmentStatus', reason: 'cancelled_order' },
  },
  {
    name: 'refuses setting paid by hand (payments decide it)',
    current: { status: 'confirmed' },
    change: { paymentStatus: 'paid' },
    want: { axis: 'paymentStatus', reason: 'derived_from_payments' },
  },
  {
    name: 'refunds a paid order',
    current: { status: 'completed', paymentStatus: 'paid' },
    change: { paymentStatus: 'refunded' },
    want: null,
  },
  {
    name: 'refunds a partly paid cancelled order',
    current: { status: 'cancelled', paymentStatus: 'partial' },
    change: { paymentStatus: 'refunded' },
    want: null,
  },
  {
    name: 'refuses refunding an unpaid order',
    current: { status: 'confirmed' },
    change: { paymentStatus: 'refunded' },
    want: { axis: 'paymentStatus', reason: 'nothing_paid' },
  },
  {
    name: 'refuses leaving refunded',
    current: { status: 'completed', paymentStatus: 'refunded' },
    change: { paymentStatus: 'paid' },
    want: { axis: 'paymentStatus', reason: 'derived_from_payments' },
  },
];

describe('checkOrderChange', () => {
  it.each(cases)('$name', ({ current, change, want }) => {
    const refusal = checkOrderChange({ ...base, ...current }, change);
    expect(refusal === null ? null : { axis: refusal.axis, reason: refusal.reason }).toEqual(want);
    if (refusal !== null) expect(refusal.detail.length).toBeGreaterThan(10);
  });
});

describe('paymentStatusOf', () => {
  it.each([
    { name: 'unpaid with no payment', current: 'unpaid', paid: 0, total: 100, want: 'unpaid' },
    { name: 'partial below the total', current: 'unpaid', paid: 40, total: 100, want: 'partial' },
    { name: 'paid at the total', current: 'partial', paid: 100, total: 100, want: 'paid' },
    { name: 'refunded stays refunded', current: 'refunded', paid: 100, total: 100, want: 'refunded' },
  ] as const)('$name', ({ current, paid, total, want }) => {
    expect(paymentStatusOf(current, paid, total)).toBe(want);
  });
});
