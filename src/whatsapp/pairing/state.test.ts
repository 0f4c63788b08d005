import { describe, expect, it } from 'vitest';
import { pairingUpdatesOf } from './index.ts';
import {
  applyPairingUpdate,
  formatPairingCode,
  initialPairing,
  type PairingRecord,
  type PairingUpdate,
  qrDigest,
} from './state.ts';

const T = 1_000_000;
const rec = (over: Partial<PairingRecord>): PairingRecord => ({ ...initialPairing(T), ...over });

const cases: {
  name: string;
  current: PairingRecord;
  update: PairingUpdate;
  restart?: boolean;
  want: { state: string; reason: string | null; qrCount: number; changed: 'state' | 'qr' | null };
}[] = [
  {
    name: 'a start begins an attempt at connecting with no QR counted',
    current: rec({ state: 'failed', reason: 'qr_limit', qrCount: 30 }),
    update: { state: 'connecting', atMs: T },
    restart: true,
    want: { state: 'connecting', reason: null, qrCount: 0, changed: 'state' },
  },
  {
    name: 'a start while already connecting still counts as a change (a new attempt)',
    current: rec({ state: 'connecting', qrCount: 0 }),
    update: { state: 'connecting', atMs: T },
    restart: true,
    want: { state: 'connecting', reason: null, qrCount: 0, changed: 'state' },
  },
  {
    name: 'the first QR moves connecting to qr and counts 1',
    current: rec({ state: 'connecting' }),
    update: { state: 'qr', newQr: true, key: 'qr:a', atMs: T + 1 },
    want: { state: 'qr', reason: null, qrCount: 1, changed: 'state' },
  },
  {
    name: 'a refreshed QR is a qr change with the count up',
    current: rec({ state: 'qr', qrCount: 1, lastKey: 'qr:a' }),
    update: { state: 'qr', newQr: true, key: 'qr:b', atMs: T + 2 },
    want: { state: 'qr', reason: null, qrCount: 2, changed: 'qr' },
  },
  {
    name: 'a redelivered QR (same key) changes nothing',
    current: rec({ state: 'qr', qrCount: 1, lastKey: 'qr:a' }),
    update: { state: 'qr', newQr: true, key: 'qr:a', atMs: T + 5 },
    want: { state: 'qr', reason: null, qrCount: 1, changed: null },
  },
  {
    name: 'an update older than the record changes nothing',
    current: rec({ state: 'connected', updatedAtMs: T + 10 }),
    update: { state: 'qr', newQr: true, key: 'qr:z', atMs: T + 9 },
    want: { state: 'connected', reason: null, qrCount: 0, changed: null },
  },
  {
    name: "Evolution's connecting between QR codes keeps qr",
    current: rec({ state: 'qr', qrCount: 2 }),
    update: { state: 'connecting', key: 'conn:x', atMs: T + 3 },
    want: { state: 'qr', reason: null, qrCount: 2, changed: null },
  },
  {
    name: 'connected keeps the count of QR codes it took',
    current: rec({ state: 'qr', qrCount: 2 }),
    update: { state: 'connected', key: 'conn:open', atMs: T + 4 },
    want: { state: 'connected', reason: null, qrCount: 2, changed: 'state' },
  },
  {
    name: 'failed keeps its reason and count, and a second failure signal changes nothing',
    current: rec({ state: 'failed', reason: 'qr_limit', qrCount: 3 }),
    update: { state: 'failed', reason: 'qr_limit', key: 'conn:refused', atMs: T + 4 },
    want: { state: 'failed', reason: 'qr_limit', qrCount: 3, changed: null },
  },
  {
    name: 'a reasonless disconnected (a poll) after failed keeps failed',
    current: rec({ state: 'failed', reason: 'session_failed', qrCount: 6 }),
    update: { state: 'disconnected', atMs: T + 4 },
    want: { state: 'failed', reason: 'session_failed', qrCount: 6, changed: null },
  },
  {
    name: 'a logout after failed is a disconnection with its reason',
    current: rec({ state: 'failed', reason: 'qr_limit' }),
    update: { state: 'disconnected', reason: 'logged_out', atMs: T + 4 },
    want: { state: 'disconnected', reason: 'logged_out', qrCount: 0, changed: 'state' },
  },
  {
    name: 'a QR after connected (WhatsApp dropped the device) begins a new count',
    current: rec({ state: 'connected', qrCount: 4 }),
    update: { state: 'qr', newQr: true, key: 'evt_1', atMs: T + 4 },
    want: { state: 'qr', reason: null, qrCount: 1, changed: 'state' },
  },
  {
    name: 'a reason is dropped outside failed and disconnected',
    current: rec({ state: 'qr' }),
    update: { state: 'connected', reason: 'stopped', atMs: T + 4 },
    want: { state: 'connected', reason: null, qrCount: 0, changed: 'state' },
  },
];

describe('applyPairingUpdate', () => {
  for (const c of cases) {
    it(c.name, () => {
      const { next, changed } = applyPairingUpdate(c.current, c.update, c.restart ? { restart: true } : {});
      expect({ state: next.state, reason: next.reason, qrCount: next.qrCount, changed }).toEqual(c.want);
    });
  }
});

describe('pairingUpdatesOf', () => {
  const at = T;
  const table: { name: string; transport: string; body: unknown; want: Partial<PairingUpdate>[] }[] = [
    {
      name: 'Evolution qrcode.updated with a code is a new QR keyed by its digest',
      transport: 'evolution',
      body: { event: 'qrcode.updated', data: { qrcode: { code: '2@abc', base64: 'data:…' } } },
      want: [{ state: 'qr', newQr: true, key: `qr:${qrDigest('2@abc')}` }],
    },
    {
      name: 'Evolution QRCODE_UPDATED (config spelling) at the limit is failed qr_limit',
      transport: 'evolution',
      body: {
        event: 'QRCODE_UPDATED',
        data: { message: 'QR code limit reached, please login again', statusCode: 500 },
      },
      want: [{ state: 'failed', reason: 'qr_limit' }],
    },
    {
      name: 'Evolution connection.update refused is failed qr_limit',
      transport: 'evolution',
      body: { event: 'connection.update', data: { state: 'refused', statusReason: 500 } },
      want: [{ state: 'failed', reason: 'qr_limit' }],
    },
    {
      name: 'Evolution close 401 is logged_out, another close connection_closed',
      transport: 'evolution',
      body: { event: 'connection.update', data: { state: 'close', statusReason: 401 } },
      want: [{ state: 'disconnected', reason: 'logged_out' }],
    },
    {
      name: 'Evolution close 428 is connection_closed',
      transport: 'evolution',
      body: { event: 'connection.update', data: { state: 'close', statusReason: 428 } },
      want: [{ state: 'disconnected', reason: 'connection_closed' }],
    },
    {
      name: 'Evolution messages carry no pairing fact',
      transport: 'evolution',
      body: { event: 'messages.upsert', data: { key: {} } },
      want: [],
    },
    {
      name: 'WAHA SCAN_QR_CODE is a new QR keyed by the event id',
      transport: 'waha',
      body: { id: 'evt_1', event: 'session.status', payload: { status: 'SCAN_QR_CODE' } },
      want: [{ state: 'qr', newQr: true, key: 'evt_1' }],
    },
    {
      name: 'WAHA FAILED is failed session_failed',
      transport: 'waha',
      body: { id: 'evt_2', event: 'session.status', payload: { status: 'FAILED' } },
      want: [{ state: 'failed', reason: 'session_failed' }],
    },
    {
      name: 'WAHA message events and other transports carry none',
      transport: 'waha',
      body: { id: 'evt_3', event: 'message', payload: { status: 'WORKING' } },
      want: [],
    },
    {
      name: 'Cloud bodies carry none',
      transport: 'cloud',
      body: { object: 'whatsapp_business_account' },
      want: [],
    },
    { name: 'a body that is not an object carries none', transport: 'evolution', body: 'x', want: [] },
  ];
  for (const c of table) {
    it(c.name, () => {
      const got = pairingUpdatesOf(c.transport, c.body, at);
      expect(got).toEqual(c.want.map((w) => expect.objectContaining({ ...w, atMs: at })));
    });
  }
});

describe('formatPairingCode', () => {
  it('shows 8 characters as XXXX-XXXX and keeps other shapes', () => {
    expect(formatPairingCode('wzyeh1yy')).toBe('WZYE-H1YY');
    expect(formatPairingCode('ABCD-EFGH')).toBe('ABCD-EFGH');
    expect(formatPairingCode('1234')).toBe('1234');
  });
});
