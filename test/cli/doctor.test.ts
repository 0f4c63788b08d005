/**
 * `sellify doctor` on temporary data directories (no server), and against the WhatsApp simulator
 * for channel credentials: the real checks over real HTTP, only the base URLs point at the simulator.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Check, formatCheck, runChecks } from '../../src/cli/commands/doctor.ts';
import { DEFAULT_TENANT_ID, DEFAULT_TENANT_NAME } from '../../src/config.ts';
import { loadKeys } from '../../src/crypto/keys.ts';
import { createStore, ensureTenant, type NewChannel, openDb } from '../../src/store/index.ts';
import { type Simulator, startSimulator } from '../sim/index.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const KEY = Buffer.alloc(32, 7).toString('base64');
const dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sellify-doctor-'));
  dirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const find = (checks: Check[], name: string) => checks.find((c) => c.name.startsWith(name));
const failures = (checks: Check[]) => checks.filter((c) => c.status === 'fail').map((c) => c.name);

describe('sellify doctor without a server', () => {
  const cases: {
    name: string;
    env: (dir: string) => Record<string, string>;
    prepare?: (dir: string) => void;
    want: { check: string; status: Check['status']; detail?: RegExp }[];
    failed: number;
  }[] = [
    {
      name: 'passes on a fresh data directory and says the first start creates the database and a dev key',
      env: (dir) => ({ SELLIFY_DATA_DIR: join(dir, 'data') }),
      want: [
        { check: 'Configuration', status: 'ok' },
        { check: 'Data directory', status: 'ok', detail: /created at first start/ },
        { check: 'Encryption key', status: 'warn', detail: /generates a development key/ },
        { check: 'Database', status: 'ok', detail: /no embedded database yet/ },
      ],
      failed: 0,
    },
    {
      name: 'stops at a configuration that does not parse and names the variable',
      env: (dir) => ({ SELLIFY_DATA_DIR: dir, PORT: 'abc' }),
      want: [{ check: 'Configuration', status: 'fail', detail: /PORT must be a whole number/ }],
      failed: 1,
    },
    {
      name: 'fails in production without SELLIFY_ENCRYPTION_KEY',
      env: (dir) => ({
        SELLIFY_DATA_DIR: dir,
        NODE_ENV: 'production',
        SELLIFY_API_KEY: 'sk_Qm3vT8xKp2LwZr9NcY4hJd7s',
      }),
      want: [{ check: 'Encryption key', status: 'fail', detail: /required in production/ }],
      failed: 1,
    },
    {
      name: 'fails on an encryption key that is not 32 bytes of base64',
      env: (dir) => ({ SELLIFY_DATA_DIR: dir, SELLIFY_ENCRYPTION_KEY: 'short' }),
      want: [{ check: 'Encryption key', status: 'fail', detail: /SELLIFY_ENCRYPTION_KEY/ }],
      failed: 1,
    },
    {
      name: 'warns, without failing, when the development key file is in use',
      env: (dir) => ({ SELLIFY_DATA_DIR: dir }),
      prepare: (dir) => writeFileSync(join(dir, 'encryption.key'), `${KEY}\n`, { mode: 0o600 }),
      want: [{ check: 'Encryption key', status: 'warn', detail: /development key in/ }],
      failed: 0,
    },
    {
      name: 'reports an embedded database locked by a running process as information, not a failure',
      env: (dir) => ({ SELLIFY_DATA_DIR: dir, SELLIFY_ENCRYPTION_KEY: KEY }),
      prepare: (dir) => {
        mkdirSync(join(dir, 'pglite'));
        // The parent (the test runner) is alive and is not this process: exactly a server holding the lock.
        writeFileSync(join(dir, 'pglite.lock'), String(process.ppid));
      },
      want: [{ check: 'Database', status: 'info', detail: new RegExp(`in use by pid ${process.ppid}`) }],
      failed: 0,
    },
    {
      name: 'fails when REDIS_URL points at nothing, without printing its password',
      env: (dir) => ({ SELLIFY_DATA_DIR: dir, REDIS_URL: 'redis://:secret@127.0.0.1:1' }),
      want: [{ check: 'Redis', status: 'fail', detail: /^cannot use redis:\/\/127\.0\.0\.1:1 / }],
      failed: 1,
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const dir = tempDir();
      c.prepare?.(dir);
      const checks = await runChecks(c.env(dir), { timeoutMs: 3_000 });
      for (const want of c.want) {
        const check = find(checks, want.check);
        expect(check, want.check).toBeDefined();
        expect(check?.status, `${want.check}: ${check?.detail}`).toBe(want.status);
        if (want.detail) expect(check?.detail).toMatch(want.detail);
      }
      expect(failures(checks)).toHaveLength(c.failed);
      expect(JSON.stringify(checks)).not.toContain('secret@');
    });
  }

  it('changes nothing: no data directory, key or database is created by a check', async () => {
    const dir = join(tempDir(), 'data');
    await runChecks({ SELLIFY_DATA_DIR: dir });
    expect(existsSync(dir)).toBe(false);
  });

  it('opens an existing embedded database without migrating it and lists its channels', async () => {
    const dir = tempDir();
    const db = await openDb({ dataDir: dir });
    const store = createStore(db, loadKeys({ encryptionKey: KEY, dataDir: dir, production: false }).keyring);
    await ensureTenant(db, { id: DEFAULT_TENANT_ID, name: DEFAULT_TENANT_NAME });
    await store.tx(DEFAULT_TENANT_ID, (r) =>
      r.channels.create({ name: 'Bac à sable', transport: 'sandbox' }),
    );
    await store.close();
    const before = readdirSync(dir).sort();
    const checks = await runChecks({ SELLIFY_DATA_DIR: dir, SELLIFY_ENCRYPTION_KEY: KEY });
    expect(find(checks, 'Database')?.status).toBe('ok');
    expect(find(checks, 'Migrations')).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(/^all \d+ applied$/),
    });
    expect(find(checks, 'Channel chn_')).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('sandbox'),
    });
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it('prints one line per check and exits 0 from the command line when nothing fails, 1 otherwise', () => {
    const dir = tempDir();
    const { SELLIFY_API_KEY: _k, DATABASE_URL: _d, REDIS_URL: _r, NODE_ENV: _n, ...env } = process.env;
    const ok = spawnSync(process.execPath, ['bin/sellify.js', 'doctor'], {
      cwd: ROOT,
      env: { ...env, SELLIFY_DATA_DIR: join(dir, 'data') },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^✓ Configuration: parses/m);
    expect(ok.stdout).toMatch(/^! Encryption key: /m);
    expect(ok.stdout).toContain('All checks passed.');
    const bad = spawnSync(process.execPath, ['bin/sellify.js', 'doctor'], {
      cwd: ROOT,
      env: { ...env, SELLIFY_DATA_DIR: dir, LOG_LEVEL: 'loud' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/^✗ Configuration: LOG_LEVEL must be one of/m);
    expect(bad.stdout).toMatch(/^ {4}→ see \.env\.example/m);
    expect(bad.stdout).toContain('1 check failed.');
  });
});

describe('sellify doctor on channel credentials, against the simulator', () => {
  let sim: Simulator;
  let dir: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    sim = await startSimulator({
      seed: 'doctor',
      waha: { sessions: [{ name: 'default' }, { name: 'pairing', status: 'SCAN_QR_CODE' }] },
    });
    sim.evolution.createInstance('boutique2');
    await sim.evolution.setConnection('close', 401, 'boutique2');
    const n = sim.cloud.defaultNumber;
    const cloud = {
      phoneNumberId: n.phoneNumberId,
      accessToken: n.accessToken,
      appSecret: 'x',
      verifyToken: 'y',
    };
    const evolution = {
      baseUrl: sim.evolution.baseUrl,
      instance: 'sellify',
      apiKey: 'sim-evolution-key',
      webhookSecret: 'z',
    };
    const waha = { baseUrl: sim.waha.baseUrl, session: 'default', apiKey: 'sim-waha-key', hmacKey: 'h' };
    const channels: Record<string, Omit<NewChannel, 'name'>> = {
      cloudOk: { transport: 'cloud', credentials: cloud },
      cloudBadToken: { transport: 'cloud', credentials: { ...cloud, accessToken: 'EAAG-expired' } },
      cloudUnknownNumber: { transport: 'cloud', credentials: { ...cloud, phoneNumberId: '999000111' } },
      cloudAdvisor: { transport: 'cloud', credentials: null },
      evolutionOpen: { transport: 'evolution', credentials: evolution },
      evolutionClosed: { transport: 'evolution', credentials: { ...evolution, instance: 'boutique2' } },
      evolutionBadKey: { transport: 'evolution', credentials: { ...evolution, apiKey: 'wrong' } },
      wahaWorking: { transport: 'waha', credentials: waha },
      wahaPairing: { transport: 'waha', credentials: { ...waha, session: 'pairing' } },
      wahaMissing: { transport: 'waha', credentials: { ...waha, session: 'nope' } },
      sandbox: { transport: 'sandbox', credentials: { webhookSecret: 's' } },
    };
    dir = tempDir();
    const db = await openDb({ dataDir: dir });
    const store = createStore(db, loadKeys({ encryptionKey: KEY, dataDir: dir, production: false }).keyring);
    await ensureTenant(db, { id: DEFAULT_TENANT_ID, name: DEFAULT_TENANT_NAME });
    for (const [name, channel] of Object.entries(channels)) {
      const created = await store.tx(DEFAULT_TENANT_ID, (r) => r.channels.create({ name, ...channel }));
      ids[name] = created.id;
    }
    await store.close();
  });

  afterAll(async () => {
    await sim?.close();
  });

  it('classifies every channel: reachable and logged in, or what is wrong and what to do', async () => {
    const n = sim.cloud.defaultNumber;
    // The simulator does not serve phone-number details: answer that one GET as Graph does.
    sim.faults.add({
      transport: 'cloud',
      method: 'GET',
      path: `/${n.phoneNumberId}`,
      kind: 'status',
      status: 200,
      body: {
        display_phone_number: '+225 07 00 00 00 01',
        verified_name: 'Boutique Awa',
        quality_rating: 'GREEN',
        id: n.phoneNumberId,
      },
    });
    const checks = await runChecks(
      {
        SELLIFY_DATA_DIR: dir,
        SELLIFY_ENCRYPTION_KEY: KEY,
        WHATSAPP_GRAPH_URL: sim.cloud.graphUrl,
        // The simulator's gateways listen on 127.0.0.1.
        SELLIFY_ALLOW_PRIVATE_GATEWAYS: 'true',
      },
      { timeoutMs: 3_000 },
    );
    const of = (name: string) => checks.find((c) => c.name.startsWith(`Channel ${ids[name]} `));
    const want: Record<string, { status: Check['status']; detail: RegExp; hint?: RegExp }> = {
      cloudOk: { status: 'ok', detail: /phone number \+225 07 00 00 00 01 \(Boutique Awa\), quality GREEN/ },
      cloudBadToken: { status: 'fail', detail: /access token refused \(code 190/, hint: /system-user token/ },
      cloudUnknownNumber: {
        status: 'fail',
        detail: /phone number id 999000111 not found/,
        hint: /API Setup/,
      },
      cloudAdvisor: { status: 'info', detail: /advisor-only/ },
      evolutionOpen: { status: 'ok', detail: /instance "sellify" is connected/ },
      evolutionClosed: {
        status: 'fail',
        detail: /"boutique2" is close, not connected/,
        hint: /instance\/connect\/boutique2/,
      },
      evolutionBadKey: { status: 'fail', detail: /refused the API key \(HTTP 401\)/ },
      wahaWorking: { status: 'ok', detail: /session "default" is WORKING/ },
      wahaPairing: { status: 'fail', detail: /"pairing" is SCAN_QR_CODE/, hint: /auth\/qr/ },
      wahaMissing: { status: 'fail', detail: /no session "nope"/ },
      sandbox: { status: 'ok', detail: /sandbox/ },
    };
    for (const [name, w] of Object.entries(want)) {
      const check = of(name);
      expect(check?.status, `${name}: ${check?.detail}`).toBe(w.status);
      expect(check?.detail, name).toMatch(w.detail);
      if (w.hint) expect(check?.hint, name).toMatch(w.hint);
    }
    // The check used the channel's own token, on the phone number's Graph node.
    const call = sim.recorder.calls.find((c) => c.method === 'GET' && c.path.endsWith(`/${n.phoneNumberId}`));
    expect(call?.headers.authorization).toBe(`Bearer ${n.accessToken}`);
    expect(failures(checks)).toHaveLength(6);
    // Secrets never appear in what doctor prints.
    const printed = JSON.stringify(checks);
    for (const secret of [n.accessToken, 'sim-evolution-key', 'sim-waha-key'])
      expect(printed).not.toContain(secret);
  });
});

describe('sellify doctor against hostile channels (issue 11.7)', () => {
  let sim: Simulator;
  let dir: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    sim = await startSimulator({ seed: 'doctor-hostile' });
    const n = sim.cloud.defaultNumber;
    const channels: Record<string, Omit<NewChannel, 'name'>> = {
      // Stored before credentials became a closed schema: a graphUrl of the tenant's choosing.
      cloudLegacy: {
        transport: 'cloud',
        credentials: {
          phoneNumberId: n.phoneNumberId,
          accessToken: n.accessToken,
          appSecret: 'x',
          verifyToken: 'y',
          graphUrl: `${sim.evolution.baseUrl}/stolen`,
        },
      },
      wahaLocal: {
        transport: 'waha',
        credentials: { baseUrl: sim.waha.baseUrl, session: 'default', apiKey: 'sim-waha-key', hmacKey: 'h' },
      },
    };
    dir = tempDir();
    const db = await openDb({ dataDir: dir });
    const store = createStore(db, loadKeys({ encryptionKey: KEY, dataDir: dir, production: false }).keyring);
    await ensureTenant(db, { id: DEFAULT_TENANT_ID, name: DEFAULT_TENANT_NAME });
    for (const [name, channel] of Object.entries(channels)) {
      ids[name] = (await store.tx(DEFAULT_TENANT_ID, (r) => r.channels.create({ name, ...channel }))).id;
    }
    await store.close();
  });

  afterAll(async () => {
    await sim?.close();
  });

  const env = (extra: Record<string, string> = {}) => ({
    SELLIFY_DATA_DIR: dir,
    SELLIFY_ENCRYPTION_KEY: KEY,
    WHATSAPP_GRAPH_URL: sim.cloud.graphUrl,
    ...extra,
  });

  it('refuses to call a gateway on a private address unless the operator allows it', async () => {
    sim.recorder.clear();
    const checks = await runChecks(env(), { timeoutMs: 3_000 });
    const waha = checks.find((c) => c.name.startsWith(`Channel ${ids.wahaLocal} `));
    expect(waha).toMatchObject({ status: 'fail', detail: expect.stringMatching(/not checked: .*loopback/) });
    expect(sim.recorder.callsTo('/api/sessions', 'waha')).toEqual([]);
  });

  it("calls the operator's Graph URL, never a channel's stored one", async () => {
    sim.recorder.clear();
    await runChecks(env(), { timeoutMs: 3_000 });
    expect(sim.recorder.calls.filter((c) => c.path.includes('stolen'))).toEqual([]);
    expect(
      sim.recorder.calls.some(
        (c) => c.method === 'GET' && c.path.endsWith(`/${sim.cloud.defaultNumber.phoneNumberId}`),
      ),
    ).toBe(true);
  });

  it('prints no escape sequence or control character a remote server sends', async () => {
    const n = sim.cloud.defaultNumber;
    const evil = '\u001b[2J\u001b[H\u001b]0;pwned\u0007\u2713 All checks passed.\r\n\u202eeton';
    sim.faults.add({
      transport: 'cloud',
      method: 'GET',
      path: `/${n.phoneNumberId}`,
      kind: 'status',
      status: 200,
      body: { display_phone_number: evil, verified_name: evil, quality_rating: evil },
    });
    sim.faults.add({
      transport: 'waha',
      method: 'GET',
      path: '/api/sessions/default',
      kind: 'status',
      status: 200,
      body: { name: 'default', status: evil },
    });
    const checks = await runChecks(env({ SELLIFY_ALLOW_PRIVATE_GATEWAYS: 'true' }), { timeoutMs: 3_000 });
    const printed = checks.map(formatCheck).join('\n');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for them is the point.
    expect(printed).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(printed).toContain('All checks passed.');
    const waha = checks.find((c) => c.name.startsWith(`Channel ${ids.wahaLocal} `));
    expect(waha?.status).toBe('fail');
  });

  it('does not follow a gateway redirect', async () => {
    sim.faults.add({
      transport: 'waha',
      method: 'GET',
      path: '/api/sessions/default',
      kind: 'status',
      status: 307,
      headers: { location: 'http://169.254.169.254/latest/meta-data/' },
    });
    const checks = await runChecks(env({ SELLIFY_ALLOW_PRIVATE_GATEWAYS: 'true' }), { timeoutMs: 3_000 });
    const waha = checks.find((c) => c.name.startsWith(`Channel ${ids.wahaLocal} `));
    expect(waha).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/redirect \(HTTP 307\), not followed/),
    });
  });
});
