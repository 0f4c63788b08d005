/**
 * Where Sellify may send HTTP requests on a tenant's behalf. A gateway base URL (Evolution, WAHA)
 * is chosen by the tenant, so without a check it reaches whatever the server can reach: the cloud
 * metadata endpoint, a database on the private network, the server's own loopback. The rules:
 *
 * - only http: and https:, no user:password@, no query or fragment in a base URL;
 * - the host, whether an IP literal (the URL parser has already turned decimal, octal and hex
 *   forms such as 2130706433 or 0x7f.1 into dotted IPv4) or a name (every address it resolves to),
 *   must not be unspecified, multicast, reserved, link-local or a cloud metadata address (never
 *   allowed), nor loopback, private (RFC 1918, fc00::/7) or CGNAT (100.64/10) unless the operator
 *   allows private gateways (SELLIFY_ALLOW_PRIVATE_GATEWAYS=true, for Evolution next to Sellify);
 *   IPv4 inside IPv6 (::ffff:a.b.c.d, ::a.b.c.d, 64:ff9b::/96, 2002::/16) is judged as that IPv4;
 * - at connect time the name is resolved once more and the socket connects to exactly the address
 *   that was checked (the agent's `lookup`), so a DNS answer that changes between the check and the
 *   connection (rebinding) gains nothing;
 * - redirects are never followed (they would carry the method, body and API key elsewhere).
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

export interface ResolvedAddress {
  address: string;
  family: number;
}

export interface EgressPolicy {
  /** SELLIFY_ALLOW_PRIVATE_GATEWAYS: loopback, RFC 1918, fc00::/7 and CGNAT gateways are allowed. */
  allowPrivate: boolean;
  /** Every address of a host name; injected by tests. Default: the system resolver (dns.lookup, all). */
  resolve?: (host: string) => Promise<ResolvedAddress[]>;
}

/** Why an address or URL is refused; stable codes (shown in API errors and doctor). */
export type EgressRefusal =
  | 'bad_url'
  | 'bad_scheme'
  | 'credentials_in_url'
  | 'query_in_url'
  | 'metadata_address'
  | 'unspecified_address'
  | 'link_local_address'
  | 'reserved_address'
  | 'private_address'
  | 'loopback_address'
  | 'unresolvable_host';

const REFUSAL_TEXT: Record<EgressRefusal, string> = {
  bad_url: 'is not a valid URL',
  bad_scheme: 'must start with http:// or https://',
  credentials_in_url: 'must not contain a user name or password',
  query_in_url: 'must not contain a query string or fragment',
  metadata_address: 'points at a cloud metadata address',
  unspecified_address: 'points at an unspecified address (0.0.0.0, ::)',
  link_local_address: 'points at a link-local address',
  reserved_address: 'points at a multicast, broadcast or reserved address',
  private_address: 'points at a private network address',
  loopback_address: 'points at this machine (loopback)',
  unresolvable_host: 'has a host name that does not resolve',
};

/** Refusals an operator can lift with SELLIFY_ALLOW_PRIVATE_GATEWAYS=true. */
const PRIVATE_REFUSALS: ReadonlySet<EgressRefusal> = new Set(['private_address', 'loopback_address']);

export function refusalText(refusal: EgressRefusal): string {
  const text = REFUSAL_TEXT[refusal];
  return PRIVATE_REFUSALS.has(refusal)
    ? `${text}; an operator whose gateway runs on the same machine or network can allow it with SELLIFY_ALLOW_PRIVATE_GATEWAYS=true`
    : text;
}

/** Host names that are cloud metadata services whatever they resolve to. */
const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data']);
const METADATA_ADDRESSES = new Set(['169.254.169.254', 'fd00:ec2::254', '100.100.100.200']);

function blockList(ranges: readonly [string, number, 'ipv4' | 'ipv6'][]): BlockList {
  const list = new BlockList();
  for (const [net, prefix, family] of ranges) list.addSubnet(net, prefix, family);
  return list;
}

const UNSPECIFIED = blockList([
  ['0.0.0.0', 8, 'ipv4'],
  ['::', 128, 'ipv6'],
]);
const LOOPBACK = blockList([
  ['127.0.0.0', 8, 'ipv4'],
  ['::1', 128, 'ipv6'],
]);
const LINK_LOCAL = blockList([
  ['169.254.0.0', 16, 'ipv4'],
  ['fe80::', 10, 'ipv6'],
]);
const PRIVATE = blockList([
  ['10.0.0.0', 8, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['fc00::', 7, 'ipv6'],
  ['fec0::', 10, 'ipv6'],
]);
const RESERVED = blockList([
  ['192.0.0.0', 24, 'ipv4'],
  ['192.0.2.0', 24, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['198.51.100.0', 24, 'ipv4'],
  ['203.0.113.0', 24, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'],
  ['240.0.0.0', 4, 'ipv4'],
  ['ff00::', 8, 'ipv6'],
  ['100::', 64, 'ipv6'],
  ['2001:db8::', 32, 'ipv6'],
]);

/** The 16 bytes of an IPv6 address (no zone), or undefined when it is not one. */
function ipv6Bytes(address: string): number[] | undefined {
  if (isIP(address) !== 6) return undefined;
  let text = address;
  const bytes: number[] = [];
  // A trailing dotted IPv4 (::ffff:1.2.3.4) becomes two hex groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const v4 = dotted[1].split('.').map(Number);
    text = `${text.slice(0, -dotted[1].length)}${(((v4[0] ?? 0) << 8) | (v4[1] ?? 0)).toString(16)}:${(((v4[2] ?? 0) << 8) | (v4[3] ?? 0)).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...tailGroups];
  for (const g of groups) {
    const n = Number.parseInt(g, 16);
    bytes.push((n >> 8) & 255, n & 255);
  }
  return bytes.length === 16 ? bytes : undefined;
}

/** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), if any. */
export function embeddedIpv4(address: string): string | undefined {
  const b = ipv6Bytes(address);
  if (b === undefined) return undefined;
  const v4 = (offset: number) => b.slice(offset, offset + 4).join('.');
  const zero = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated; not :: or ::1).
  if (zero(0, 10) && b[10] === 0xff && b[11] === 0xff) return v4(12);
  if (zero(0, 12) && !(zero(12, 15) && (b[15] === 0 || b[15] === 1))) return v4(12);
  // 64:ff9b::/96 (NAT64 well-known prefix) and 64:ff9b:1::/48 (local-use NAT64).
  if (b[0] === 0 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b) return v4(12);
  // 2002::/16 (6to4): the IPv4 address is in bits 16–48.
  if (b[0] === 0x20 && b[1] === 0x02) return v4(2);
  return undefined;
}

/** The refusal for one IP address under the policy, or null when it may be reached. */
export function classifyAddress(rawAddress: string, allowPrivate: boolean): EgressRefusal | null {
  const address = rawAddress.replace(/^\[|\]$/g, '').split('%')[0] ?? '';
  const family = isIP(address);
  if (family === 0) return 'bad_url';
  const inner = family === 6 ? embeddedIpv4(address) : undefined;
  if (inner !== undefined) return classifyAddress(inner, allowPrivate);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (METADATA_ADDRESSES.has(address.toLowerCase())) return 'metadata_address';
  if (UNSPECIFIED.check(address, type)) return 'unspecified_address';
  if (LINK_LOCAL.check(address, type)) return 'link_local_address';
  if (RESERVED.check(address, type) || address === '255.255.255.255') return 'reserved_address';
  if (allowPrivate) return null;
  if (LOOPBACK.check(address, type)) return 'loopback_address';
  if (PRIVATE.check(address, type)) return 'private_address';
  return null;
}

async function systemResolve(host: string): Promise<ResolvedAddress[]> {
  return dnsLookup(host, { all: true, verbatim: true });
}

/** A URL host as it should be resolved: no brackets, no trailing dot, lower case. */
function bareHost(hostname: string): string {
  return hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
}

/**
 * The refusal for a host name (or IP literal) under the policy, or null. Every address the name
 * resolves to must pass, so a name answering with one public and one private address is refused.
 */
export async function checkHost(hostname: string, policy: EgressPolicy): Promise<EgressRefusal | null> {
  const host = bareHost(hostname);
  if (isIP(host) !== 0) return classifyAddress(host, policy.allowPrivate);
  if (METADATA_NAMES.has(host)) return 'metadata_address';
  if (!policy.allowPrivate && (host === 'localhost' || host.endsWith('.localhost')))
    return 'loopback_address';
  let addresses: ResolvedAddress[];
  try {
    addresses = await (policy.resolve ?? systemResolve)(host);
  } catch {
    return 'unresolvable_host';
  }
  if (addresses.length === 0) return 'unresolvable_host';
  for (const a of addresses) {
    const refusal = classifyAddress(a.address, policy.allowPrivate);
    if (refusal !== null) return refusal;
  }
  return null;
}

/** Syntax rules of a gateway base URL (no network). */
export function checkGatewayUrlSyntax(
  raw: string,
): { ok: true; url: URL } | { ok: false; refusal: EgressRefusal } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, refusal: 'bad_url' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, refusal: 'bad_scheme' };
  if (url.username !== '' || url.password !== '') return { ok: false, refusal: 'credentials_in_url' };
  if (url.search !== '' || url.hash !== '' || raw.includes('?') || raw.includes('#'))
    return { ok: false, refusal: 'query_in_url' };
  return { ok: true, url };
}

/** Checks a gateway base URL when a channel is created or changed: syntax, then its host. */
export async function checkGatewayUrl(
  raw: string,
  policy: EgressPolicy,
): Promise<{ ok: true } | { ok: false; refusal: EgressRefusal }> {
  const syntax = checkGatewayUrlSyntax(raw);
  if (!syntax.ok) return syntax;
  const refusal = await checkHost(syntax.url.hostname, policy);
  return refusal === null ? { ok: true } : { ok: false, refusal };
}

/** The error a guarded request fails with; classifyNetworkError maps its code. */
export class EgressRefusedError extends Error {
  readonly code = 'ESELLIFY_EGRESS_REFUSED';
  constructor(readonly refusal: EgressRefusal) {
    super(`request refused: the gateway URL ${REFUSAL_TEXT[refusal]}`);
    this.name = 'EgressRefusedError';
  }
}

/** A `lookup` for sockets: resolves, checks every address, and hands back only checked ones. */
export function guardedLookup(policy: EgressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    const cb = callback as (
      err: NodeJS.ErrnoException | null,
      address: string | ResolvedAddress[],
      family?: number,
    ) => void;
    const host = bareHost(hostname);
    void (async () => {
      if (METADATA_NAMES.has(host)) throw new EgressRefusedError('metadata_address');
      const addresses =
        isIP(host) !== 0
          ? [{ address: host, family: isIP(host) }]
          : await (policy.resolve ?? systemResolve)(host);
      const wanted = options.family === 4 || options.family === 6 ? options.family : 0;
      const usable = addresses.filter((a) => wanted === 0 || a.family === wanted);
      if (usable.length === 0)
        throw Object.assign(new Error(`no address for ${host}`), { code: 'ENOTFOUND' });
      for (const a of usable) {
        const refusal = classifyAddress(a.address, policy.allowPrivate);
        if (refusal !== null) throw new EgressRefusedError(refusal);
      }
      return usable;
    })().then(
      (usable) => {
        if (options.all) cb(null, usable);
        else cb(null, usable[0]?.address ?? '', usable[0]?.family ?? 4);
      },
      (err: NodeJS.ErrnoException) => cb(err, options.all ? [] : '', 4),
    );
  };
}

/** Largest gateway answer read, in bytes; a send answer is a few KB. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

const IDLE_SOCKET_MS = 30_000;

const shared = new Map<boolean, typeof fetch>();

/** One guarded fetch per policy with the system resolver (clients are made per send; their sockets are shared). */
export function guardedFetchFor(policy: EgressPolicy): typeof fetch {
  if (policy.resolve !== undefined) return createGuardedFetch(policy);
  let f = shared.get(policy.allowPrivate);
  if (f === undefined) {
    f = createGuardedFetch(policy);
    shared.set(policy.allowPrivate, f);
  }
  return f;
}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * A `fetch` for tenant-chosen gateways: the host is checked (IP literals before the request, names
 * by the sockets' own lookup, so the checked address is the one connected to), redirects come back
 * as their 3xx answer and are never followed, and answers are cut at MAX_RESPONSE_BYTES.
 */
export function createGuardedFetch(policy: EgressPolicy): typeof fetch {
  const lookup = guardedLookup(policy);
  // Idle keep-alive sockets are closed after IDLE_SOCKET_MS so agents never pin connections forever.
  const agents = {
    'http:': new http.Agent({ keepAlive: true, lookup, timeout: IDLE_SOCKET_MS }),
    'https:': new https.Agent({ keepAlive: true, lookup, timeout: IDLE_SOCKET_MS }),
  };
  const guarded = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new EgressRefusedError('bad_scheme');
    if (url.username !== '' || url.password !== '') throw new EgressRefusedError('credentials_in_url');
    const host = bareHost(url.hostname);
    if (isIP(host) !== 0) {
      const refusal = classifyAddress(host, policy.allowPrivate);
      if (refusal !== null) throw new EgressRefusedError(refusal);
    }
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, key) => {
      headers[key] = value;
    });
    const body = typeof init.body === 'string' ? init.body : undefined;
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    const signal = init.signal ?? undefined;
    signal?.throwIfAborted();
    const client = url.protocol === 'https:' ? https : http;
    return new Promise<Response>((resolve, reject) => {
      const req = client.request(
        url,
        {
          method: init.method ?? 'GET',
          headers,
          agent: agents[url.protocol as 'http:' | 'https:'],
          ...(signal ? { signal } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_RESPONSE_BYTES) {
              res.destroy(
                Object.assign(new Error('gateway answer too large'), { code: 'ERESPONSETOOLARGE' }),
              );
              return;
            }
            chunks.push(chunk);
          });
          res.on('error', reject);
          res.on('end', () => {
            const raw = res.statusCode ?? 502;
            const status = raw < 200 || raw > 599 ? 502 : raw;
            const responseHeaders = new Headers();
            for (const [key, value] of Object.entries(res.headers)) {
              if (value === undefined) continue;
              for (const v of Array.isArray(value) ? value : [value]) responseHeaders.append(key, v);
            }
            resolve(
              new Response(NULL_BODY_STATUSES.has(status) ? null : Buffer.concat(chunks), {
                status,
                headers: responseHeaders,
              }),
            );
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  };
  return guarded as typeof fetch;
}
