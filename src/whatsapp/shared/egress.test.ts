import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvolutionClient } from '../evolution/client.ts';
import { createWahaClient } from '../waha/client.ts';
import {
  checkGatewayUrl,
  classifyAddress,
  createGuardedFetch,
  type EgressRefusal,
  embeddedIpv4,
  type ResolvedAddress,
} from './egress.ts';
import { httpCall } from './http.ts';

const PUBLIC = '93.184.216.34';

describe('classifyAddress', () => {
  const cases: { name: string; address: string; allowPrivate?: boolean; want: EgressRefusal | null }[] = [
    { name: 'a public IPv4 address may be reached', address: PUBLIC, want: null },
    { name: 'a public IPv6 address may be reached', address: '2606:4700::6810:84e5', want: null },
    { name: 'refuses loopback', address: '127.0.0.1', want: 'loopback_address' },
    { name: 'refuses all of 127/8', address: '127.255.0.9', want: 'loopback_address' },
    { name: 'refuses IPv6 loopback', address: '::1', want: 'loopback_address' },
    { name: 'refuses 10/8', address: '10.1.2.3', want: 'private_address' },
    { name: 'refuses 172.16/12', address: '172.31.255.1', want: 'private_address' },
    { name: 'allows 172.32 (outside 172.16/12)', address: '172.32.0.1', want: null },
    { name: 'refuses 192.168/16', address: '192.168.1.1', want: 'private_address' },
    { name: 'refuses CGNAT 100.64/10', address: '100.100.1.1', want: 'private_address' },
    { name: 'refuses unique-local fc00::/7', address: 'fd12:3456::1', want: 'private_address' },
    { name: 'refuses 0.0.0.0', address: '0.0.0.0', want: 'unspecified_address' },
    { name: 'refuses ::', address: '::', want: 'unspecified_address' },
    { name: 'refuses link-local 169.254/16', address: '169.254.1.1', want: 'link_local_address' },
    { name: 'refuses IPv6 link-local', address: 'fe80::1', want: 'link_local_address' },
    {
      name: 'refuses the AWS/GCP/Azure metadata address',
      address: '169.254.169.254',
      want: 'metadata_address',
    },
    { name: 'refuses the AWS IPv6 metadata address', address: 'fd00:ec2::254', want: 'metadata_address' },
    { name: 'refuses multicast', address: '224.0.0.1', want: 'reserved_address' },
    { name: 'refuses broadcast', address: '255.255.255.255', want: 'reserved_address' },
    { name: 'refuses IPv4-mapped loopback', address: '::ffff:127.0.0.1', want: 'loopback_address' },
    { name: 'refuses IPv4-mapped loopback in hex', address: '::ffff:7f00:1', want: 'loopback_address' },
    { name: 'refuses IPv4-mapped metadata', address: '::ffff:a9fe:a9fe', want: 'metadata_address' },
    { name: 'refuses IPv4-mapped 10/8', address: '::ffff:10.0.0.1', want: 'private_address' },
    { name: 'refuses IPv4-compatible loopback', address: '::127.0.0.1', want: 'loopback_address' },
    { name: 'refuses NAT64 of a private address', address: '64:ff9b::a00:1', want: 'private_address' },
    { name: 'refuses 6to4 of loopback', address: '2002:7f00:1::1', want: 'loopback_address' },
    { name: 'refuses a bracketed literal', address: '[::1]', want: 'loopback_address' },
    { name: 'allowPrivate lets loopback through', address: '127.0.0.1', allowPrivate: true, want: null },
    { name: 'allowPrivate lets 10/8 through', address: '10.0.0.1', allowPrivate: true, want: null },
    {
      name: 'allowPrivate never lets metadata through',
      address: '169.254.169.254',
      allowPrivate: true,
      want: 'metadata_address',
    },
    {
      name: 'allowPrivate never lets 0.0.0.0 through',
      address: '0.0.0.0',
      allowPrivate: true,
      want: 'unspecified_address',
    },
    {
      name: 'allowPrivate never lets link-local through',
      address: '169.254.170.2',
      allowPrivate: true,
      want: 'link_local_address',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(classifyAddress(c.address, c.allowPrivate ?? false)).toBe(c.want);
    });
  }

  it('reads the IPv4 inside mapped, NAT64 and 6to4 addresses', () => {
    expect(embeddedIpv4('::ffff:192.168.0.1')).toBe('192.168.0.1');
    expect(embeddedIpv4('64:ff9b::808:808')).toBe('8.8.8.8');
    expect(embeddedIpv4('2002:c0a8:1::')).toBe('192.168.0.1');
    expect(embeddedIpv4('2606:4700::1')).toBeUndefined();
  });
});

describe('checkGatewayUrl', () => {
  const resolve = async (host: string): Promise<ResolvedAddress[]> => {
    const table: Record<string, ResolvedAddress[]> = {
      'gateway.example': [{ address: PUBLIC, family: 4 }],
      'inside.example': [{ address: '10.0.0.8', family: 4 }],
      'mixed.example': [
        { address: PUBLIC, family: 4 },
        { address: '::1', family: 6 },
      ],
    };
    const found = table[host];
    if (found === undefined) throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
    return found;
  };
  const policy = { allowPrivate: false, resolve };
  const cases: { name: string; url: string; want: EgressRefusal | null }[] = [
    { name: 'accepts a public https gateway', url: 'https://gateway.example/evolution', want: null },
    { name: 'refuses a file: URL', url: 'file:///etc/passwd', want: 'bad_scheme' },
    { name: 'refuses a gopher: URL', url: 'gopher://gateway.example', want: 'bad_scheme' },
    {
      name: 'refuses credentials in the URL',
      url: 'https://u:p@gateway.example',
      want: 'credentials_in_url',
    },
    { name: 'refuses a query string', url: 'https://gateway.example/?x=1', want: 'query_in_url' },
    { name: 'refuses 127.0.0.1', url: 'http://127.0.0.1:8080', want: 'loopback_address' },
    { name: 'refuses a decimal IPv4 literal', url: 'http://2130706433:8080', want: 'loopback_address' },
    { name: 'refuses an octal IPv4 literal', url: 'http://0177.0.0.1', want: 'loopback_address' },
    { name: 'refuses a hex IPv4 literal', url: 'http://0x7f.0.0.1', want: 'loopback_address' },
    { name: 'refuses a short IPv4 literal', url: 'http://127.1', want: 'loopback_address' },
    { name: 'refuses 0', url: 'http://0:8080', want: 'unspecified_address' },
    { name: 'refuses [::]', url: 'http://[::]:8080', want: 'unspecified_address' },
    {
      name: 'refuses an IPv4-mapped literal',
      url: 'http://[::ffff:127.0.0.1]:8080',
      want: 'loopback_address',
    },
    { name: 'refuses localhost', url: 'http://localhost:8080', want: 'loopback_address' },
    {
      name: 'refuses localhost with a trailing dot',
      url: 'http://LOCALHOST.:8080',
      want: 'loopback_address',
    },
    { name: 'refuses metadata by name', url: 'http://metadata.google.internal', want: 'metadata_address' },
    { name: 'refuses the metadata literal', url: 'http://169.254.169.254/latest', want: 'metadata_address' },
    { name: 'refuses a name resolving to 10/8', url: 'https://inside.example', want: 'private_address' },
    {
      name: 'refuses a name with one public and one loopback address',
      url: 'https://mixed.example',
      want: 'loopback_address',
    },
    {
      name: 'refuses a name that does not resolve',
      url: 'https://nowhere.example',
      want: 'unresolvable_host',
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const verdict = await checkGatewayUrl(c.url, policy);
      expect(verdict.ok ? null : verdict.refusal).toBe(c.want);
    });
  }
});

describe('guarded fetch (connect-time checks)', () => {
  let server: Server;
  let port = 0;
  let hits: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      if (req.url?.startsWith('/redirect')) {
        res.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data/' });
        res.end();
        return;
      }
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ key: { id: 'ABC123', remoteJid: '2250701020304@s.whatsapp.net' } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('refuses a loopback literal before any connection', async () => {
    hits = [];
    const guarded = createGuardedFetch({ allowPrivate: false });
    const res = await httpCall(guarded, {
      method: 'GET',
      url: `http://127.0.0.1:${port}/x`,
      headers: {},
      timeoutMs: 2000,
    });
    expect(res.ok ? 'ok' : res.error).toMatchObject({ class: 'permanent', code: 'forbidden_address' });
    expect(hits).toEqual([]);
  });

  it('refuses a name that resolves to loopback when the socket connects (DNS rebinding)', async () => {
    hits = [];
    // Public when the channel was saved; loopback by the time Sellify connects.
    let answers = 0;
    const resolve = async (): Promise<ResolvedAddress[]> => {
      answers++;
      return [{ address: answers === 1 ? PUBLIC : '127.0.0.1', family: 4 }];
    };
    expect(
      (await checkGatewayUrl(`http://rebind.example:${port}`, { allowPrivate: false, resolve })).ok,
    ).toBe(true);
    const client = createEvolutionClient(
      { baseUrl: `http://rebind.example:${port}`, instance: 'loja', apiKey: 'k', webhookSecret: 's' },
      { egress: { allowPrivate: false, resolve } },
    );
    const sent = await client.sendText({ to: '+2250701020304', text: 'Bonjour' });
    expect(sent).toMatchObject({ ok: false, error: { class: 'permanent', code: 'forbidden_address' } });
    expect(hits).toEqual([]);
  });

  it('connects to exactly the address it checked (the lookup is pinned)', async () => {
    hits = [];
    const resolve = async (): Promise<ResolvedAddress[]> => [{ address: '127.0.0.1', family: 4 }];
    const client = createEvolutionClient(
      {
        baseUrl: `http://gateway.internal.example:${port}`,
        instance: 'loja',
        apiKey: 'k',
        webhookSecret: 's',
      },
      { egress: { allowPrivate: true, resolve } },
    );
    const sent = await client.sendText({ to: '+2250701020304', text: 'Bonjour' });
    expect(sent).toEqual({ ok: true, providerId: 'ABC123', waId: '2250701020304' });
    expect(hits).toEqual(['/message/sendText/loja']);
  });

  it('never follows a redirect: a 307 to the metadata address is a classified failure', async () => {
    hits = [];
    const client = createWahaClient(
      { baseUrl: `http://127.0.0.1:${port}/redirect`, session: 'default', apiKey: 'k', hmacKey: 'h' },
      { egress: { allowPrivate: true } },
    );
    const sent = await client.sendText({ to: '+2250701020304', text: 'Bonjour' });
    expect(sent).toMatchObject({
      ok: false,
      error: { class: 'permanent', code: 'redirect', httpStatus: 307 },
    });
    expect(hits).toEqual(['/redirect/api/sendText']);
  });

  it('never follows a redirect with the global fetch either (Cloud)', async () => {
    hits = [];
    const res = await httpCall(fetch, {
      method: 'POST',
      url: `http://127.0.0.1:${port}/redirect`,
      headers: {},
      body: {},
      timeoutMs: 2000,
    });
    expect(res.ok ? 'ok' : res.error.code).toBe('redirect');
    expect(hits).toEqual(['/redirect']);
  });

  it('encodes instance names and refuses dot segments', () => {
    expect(() =>
      createEvolutionClient({
        baseUrl: 'https://gateway.example',
        instance: '..',
        apiKey: 'k',
        webhookSecret: 's',
      }),
    ).toThrow(RangeError);
  });
});
