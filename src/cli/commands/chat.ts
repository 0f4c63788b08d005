/**
 * `sellify chat`: talk to your bot as a customer from the terminal, through a sandbox channel of a
 * running server. Each line typed is posted to `POST /webhooks/sandbox/<channelId>` exactly as a
 * transport would post it; the replies are read back through the API (the contact's messages), so
 * what you see is what the pipeline really stored, decided, paced and sent.
 *
 * The sandbox webhook secret is shown only when a channel is created. At first start in
 * development the server creates a channel named "Sandbox" and keeps its secret in
 * `<dataDir>/sandbox.secret` (mode 0600); chat uses that channel when the file names one that
 * exists. Otherwise (a remote server, a deleted channel) chat creates a fresh sandbox channel for
 * the session and keeps its secret in memory only.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { type Channel, type Message, SellifyClient, SellifyError, SellifyNetworkError } from '#client';
import { ADMIN_KEY_FILE, SANDBOX_SECRET_FILE } from '../../bootstrap.ts';
import { ConfigError, loadConfig } from '../../config.ts';
import { CliError } from '../io.ts';

export const usage = `Usage: sellify chat [--url URL] [--key KEY] [--channel ID --secret SECRET] [--phone PHONE]
                    [--name NAME] [--timeout SECONDS] [--fast]

Talk to your bot as a customer, through a sandbox channel of a running server (npm start). Each
line you type is a WhatsApp message from --phone; the bot's replies appear as they are sent.
Type /quit or press Ctrl-D to leave.

  --url      the server (default http://127.0.0.1:$PORT, PORT default 3000)
  --key      an API key with the write scope (default SELLIFY_API_KEY, else <data dir>/admin.key;
             the data dir is SELLIFY_DATA_DIR, default ./data)
  --channel  a sandbox channel id (default: the one the server created, named in
             <data dir>/${SANDBOX_SECRET_FILE}; if there is none, a new one for this session)
  --secret   the webhook secret of --channel (shown once, when the channel was created)
  --phone    the pretend customer's number (default +2250700000099; a new number starts a new
             conversation)
  --name     the customer's profile name
  --timeout  longest wait for each reply, in seconds (default 60)
  --fast     replies are paced like a person (several seconds) by the server; this says how to
             make them faster (SELLIFY_PACING_SCALE on the server)

With stdin not a terminal, chat reads one message per line, waits for each reply and prints
"you: …" / "bot: …" lines: exit 0 when every message got its answer, 1 when one timed out.`;

const DEFAULT_PHONE = '+2250700000099';
const DEFAULT_TIMEOUT_S = 60;
/** One messages request per second keeps a chat well under the default 100 requests/min per key. */
const POLL_MS = 1_000;
const IDLE_POLL_MS = 3_000;
const SEND_ACTIONS = new Set(['reply', 'handoff', 'send']);
const PROMPT = 'you: ';

type Json = Record<string, unknown>;

/** Waits, or returns early once the session ends (Ctrl-D during a wait must not hang the exit). */
async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, signal ? { signal } : {});
  } catch {
    // Aborted: the caller checks the signal.
  }
}

/** Digits only: "+225 07 00…" and "2250700…" are the same customer. */
const digits = (phone: string) => phone.replace(/\D/g, '');

/** The API through SellifyClient (retries, Retry-After on 429, timeouts), with one-line errors. */
function apiClient(baseUrl: string, key: string): SellifyClient {
  return new SellifyClient({ baseUrl, apiKey: key, timeoutMs: 15_000 });
}

/** Runs one API call; its failure becomes a one-line CliError naming `what` failed. */
async function api<T>(what: string, baseUrl: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof SellifyError) throw problem(what, err.status, err.detail);
    if (err instanceof SellifyNetworkError) {
      // The system error code when there is one (ECONNREFUSED), else the client's own description.
      const code = (err.cause as { cause?: { code?: string } } | undefined)?.cause?.code;
      const cause = code ?? err.message.replace(`${err.method} ${err.url}: `, '');
      throw new CliError(
        `cannot reach Sellify at ${baseUrl} (${cause}): is it running? Start it with npm start`,
      );
    }
    throw err;
  }
}

/** Posts one customer line to the sandbox webhook (not an /api route, so not in the client). */
async function postSandbox(baseUrl: string, channelId: string, secret: string, body: Json) {
  let res: Response;
  try {
    res = await fetch(`${baseUrl}/webhooks/sandbox/${channelId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-sellify-token': secret },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new CliError(
      `cannot reach Sellify at ${baseUrl} (${cause}): is it running? Start it with npm start`,
    );
  }
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    // Not JSON: keep the text for the error message.
  }
  return { status: res.status, body: parsed };
}

function problem(what: string, status: number, body: unknown): CliError {
  const detail =
    typeof body === 'object' && body !== null && 'detail' in body
      ? String((body as Json).detail)
      : String(body).slice(0, 200);
  const hint = status === 401 ? ' (check --key, SELLIFY_API_KEY or the admin.key file)' : '';
  return new CliError(`${what}: HTTP ${status} ${detail}${hint}`);
}

function readSavedSecret(dataDir: string): { channelId: string; webhookSecret: string } | undefined {
  try {
    const saved = JSON.parse(readFileSync(join(dataDir, SANDBOX_SECRET_FILE), 'utf8')) as Json;
    if (typeof saved.channelId === 'string' && typeof saved.webhookSecret === 'string') {
      return { channelId: saved.channelId, webhookSecret: saved.webhookSecret };
    }
  } catch {
    // No file (remote server, production) or an unreadable one: fall back to a fresh channel.
  }
  return undefined;
}

function resolveKey(explicit: string | undefined, envKey: string | undefined, dataDir: string): string {
  if (explicit !== undefined) return explicit;
  if (envKey !== undefined) return envKey;
  try {
    const fromFile = readFileSync(join(dataDir, ADMIN_KEY_FILE), 'utf8').trim();
    if (fromFile !== '') return fromFile;
  } catch {
    // Handled below with a hint.
  }
  throw new CliError(
    `no API key: pass --key, set SELLIFY_API_KEY, or run where npm start created ${join(dataDir, ADMIN_KEY_FILE)}`,
  );
}

/** The sandbox channel to talk through and its webhook secret (see the file comment for the order). */
async function resolveChannel(
  client: SellifyClient,
  baseUrl: string,
  options: { channel?: string; secret?: string; dataDir: string },
  note: (line: string) => void,
): Promise<{ channel: Channel; secret: string }> {
  const saved = readSavedSecret(options.dataDir);
  if (options.channel !== undefined) {
    const id = options.channel;
    const channel = await api('cannot read the channel', baseUrl, () =>
      client.channels.get(id).catch((err: unknown) => {
        if (err instanceof SellifyError && err.status === 404) throw new CliError(`no channel ${id}`);
        throw err;
      }),
    );
    if (channel.transport !== 'sandbox') {
      throw new CliError(`${id} is a ${channel.transport} channel; chat talks through sandbox channels`);
    }
    const secret = options.secret ?? (saved?.channelId === channel.id ? saved.webhookSecret : undefined);
    if (secret === undefined) {
      throw new CliError(
        `the webhook secret of ${id} is unknown (it is shown once, at creation): pass --secret, or leave out --channel to use a new sandbox channel`,
      );
    }
    return { channel, secret };
  }
  const sandboxes = await api('cannot list the channels', baseUrl, async () => {
    const found: Channel[] = [];
    for await (const c of client.channels.all({ limit: 200 })) if (c.transport === 'sandbox') found.push(c);
    return found;
  });
  if (options.secret !== undefined && sandboxes[0] !== undefined) {
    return { channel: sandboxes[0], secret: options.secret };
  }
  const known = sandboxes.find((c) => c.id === saved?.channelId);
  if (known !== undefined && saved !== undefined) return { channel: known, secret: saved.webhookSecret };
  const created = await api('cannot create a sandbox channel', baseUrl, () =>
    client.channels.create({ name: 'Sandbox (sellify chat)', transport: 'sandbox' }),
  );
  if (created.webhookSecret === undefined) {
    throw new CliError('cannot create a sandbox channel: the answer has no webhook secret');
  }
  note(`Created the sandbox channel ${created.id} for this session (its secret stays in memory).`);
  return { channel: created, secret: created.webhookSecret };
}

export interface ChatOptions {
  url: string;
  key: string;
  phone: string;
  name?: string;
  timeoutMs: number;
  channel: Channel;
  secret: string;
  /** Where the conversation goes (stdout). */
  out: (line: string) => void;
  /** Notes and the typing hint (stderr when not interactive). */
  note: (line: string) => void;
  /** Shows or clears the "typing…" hint (interactive only). */
  typing: (on: boolean) => void;
  /** Aborted when the session ends: waits stop early. */
  signal: AbortSignal;
}

/**
 * One conversation: posts customer lines, and prints the bot's messages once they are sent. A line
 * is answered when the outbound message of its decision leaves the queue, or when its decision
 * sends nothing (the reason is printed instead).
 */
function conversation(client: SellifyClient, o: ChatOptions) {
  const seen = new Set<string>();
  let contactId: string | undefined;
  let typingShown = false;

  async function findContact(): Promise<string | undefined> {
    if (contactId !== undefined) return contactId;
    const match = await api('cannot list contacts', o.url, async () => {
      for await (const c of client.contacts.all({ channelId: o.channel.id, limit: 200 })) {
        if (c.phone !== null && digits(c.phone) === digits(o.phone)) return c;
      }
      return undefined;
    });
    contactId = match?.id;
    return contactId;
  }

  async function messages(): Promise<Message[]> {
    const id = contactId;
    if (id === undefined) return [];
    const page = await api('cannot read the conversation', o.url, () =>
      client.contacts.history(id, { limit: 50 }),
    );
    return page.items;
  }

  function show(m: Message): void {
    seen.add(m.id);
    if (typingShown) {
      o.typing(false);
      typingShown = false;
    }
    if (m.status === 'failed') {
      // The worker marks a reply failed instead of leaving it queued, so the wait ends here.
      o.note(`(a reply was not sent: ${m.errorCode ?? 'failed'}; the server's log says why)`);
      return;
    }
    const text = m.text ?? `[${m.type}]`;
    o.out(`bot: ${text.replace(/\n/g, '\n     ')}`);
  }

  /** Prints every outbound message sent since the last look, oldest first; says whether one is queued. */
  async function drain(): Promise<{ list: Message[]; queued: boolean }> {
    const list = await messages();
    let queued = false;
    for (const m of [...list].reverse()) {
      if (m.direction !== 'out' || seen.has(m.id)) continue;
      if (m.status === 'queued') queued = true;
      else show(m);
    }
    if (queued !== typingShown) {
      o.typing(queued);
      typingShown = queued;
    }
    return { list, queued };
  }

  return {
    /** Remembers what is already there, so an earlier session's history is not printed again. */
    async start(): Promise<void> {
      if ((await findContact()) === undefined) return;
      for (const m of await messages()) seen.add(m.id);
    },

    drain,

    /** Posts one customer message and waits until it is answered; false on timeout. */
    async say(text: string): Promise<boolean> {
      const providerId = `chat_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
      const res = await postSandbox(o.url, o.channel.id, o.secret, {
        from: o.phone,
        text,
        id: providerId,
        ...(o.name === undefined ? {} : { name: o.name }),
      });
      if (res.status === 401) throw new CliError(`the server refused the sandbox secret of ${o.channel.id}`);
      if (res.status !== 200) throw problem('the message was not accepted', res.status, res.body);
      if ((await findContact()) === undefined) {
        o.note('(the message was not stored: is the phone number valid?)');
        return true;
      }
      // The server stores, decides and queues the reply before it answers the webhook, so the
      // decision is already there; look it up once to know which outbound message answers us.
      const { list } = await drain();
      const inbound = list.find((m) => m.providerId === providerId);
      if (inbound === undefined) {
        o.note('(the message was not stored)');
        return true;
      }
      const decisions = await api('cannot read the decisions', o.url, () =>
        client.decisions.list({ contactId: inbound.contactId, limit: 20 }),
      );
      const decision = decisions.items.find((d) => d.messageId === inbound.id);
      if (decision === undefined) {
        o.note(
          '(no decision: the bot stays silent in this conversation, e.g. after a hand-off to a person; try another --phone)',
        );
        return true;
      }
      const reply = () => list.find((m) => m.direction === 'out' && m.decisionId === decision.id);
      if (!SEND_ACTIONS.has(decision.action) || reply() === undefined) {
        const last = decision.reasons[decision.reasons.length - 1];
        const when = decision.action === 'defer' && decision.sendAt ? ` until ${decision.sendAt}` : '';
        o.note(`(no reply: ${decision.action}${when}${last ? ` — ${last.code}: ${last.detail}` : ''})`);
        return true;
      }
      const deadline = Date.now() + o.timeoutMs;
      for (;;) {
        const answer = reply();
        if ((answer !== undefined && seen.has(answer.id)) || o.signal.aborted) return true;
        if (Date.now() > deadline) return false;
        await sleep(POLL_MS, o.signal);
        list.splice(0, list.length, ...(await drain()).list);
      }
    },
  };
}

async function interactive(
  chat: ReturnType<typeof conversation>,
  o: ChatOptions,
  rl: Interface,
  end: () => void,
): Promise<number> {
  let busy = false;
  const queue: string[] = [];
  const done = new Promise<void>((resolve) => rl.on('close', resolve));
  void done.then(end);
  rl.on('SIGINT', () => rl.close());

  // Replies that arrive later (follow-ups, a deferred answer) are printed by this background look.
  const idle = (async () => {
    while (!o.signal.aborted) {
      await sleep(IDLE_POLL_MS, o.signal);
      if (!o.signal.aborted && !busy) await chat.drain().catch(() => {});
    }
  })();

  const work = async () => {
    if (busy) return;
    busy = true;
    try {
      while (queue.length > 0 && !o.signal.aborted) {
        const line = queue.shift() ?? '';
        if (!(await chat.say(line))) o.note(`(no reply within ${o.timeoutMs / 1000} s)`);
      }
    } catch (err) {
      o.note(err instanceof CliError ? `error: ${err.message}` : String(err));
    } finally {
      busy = false;
    }
  };

  rl.on('line', (raw) => {
    const line = raw.trim();
    if (line === '/quit' || line === '/exit') {
      rl.close();
      return;
    }
    if (line !== '') {
      queue.push(line);
      void work();
    }
    rl.prompt();
  });
  rl.prompt();
  await done;
  await idle;
  process.stdout.write('\n');
  return 0;
}

async function batch(chat: ReturnType<typeof conversation>, o: ChatOptions): Promise<number> {
  const rl = createInterface({ input: process.stdin, terminal: false });
  let exitCode = 0;
  for await (const raw of rl) {
    const line = raw.trim();
    if (line === '/quit' || line === '/exit') break;
    if (line === '') continue;
    o.out(`you: ${line}`);
    if (!(await chat.say(line))) {
      o.note(`(no reply within ${o.timeoutMs / 1000} s)`);
      exitCode = 1;
    }
  }
  return exitCode;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string' },
      key: { type: 'string' },
      channel: { type: 'string' },
      secret: { type: 'string' },
      phone: { type: 'string' },
      name: { type: 'string' },
      timeout: { type: 'string' },
      fast: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message);
    throw err;
  }
  const timeoutS = values.timeout === undefined ? DEFAULT_TIMEOUT_S : Number(values.timeout);
  if (!(timeoutS > 0 && timeoutS <= 3600))
    throw new CliError('--timeout must be a number of seconds from 1 to 3600');
  const phone = values.phone ?? DEFAULT_PHONE;
  if (digits(phone).length < 8 || !/^\+?[\d\s().-]+$/.test(phone)) {
    throw new CliError(`--phone must be a phone number like ${DEFAULT_PHONE}, got "${phone}"`);
  }
  const url = (values.url ?? `http://127.0.0.1:${config.port === 0 ? 3000 : config.port}`).replace(
    /\/+$/,
    '',
  );
  const key = resolveKey(values.key, config.apiKey, config.dataDir);
  const tty = process.stdin.isTTY === true && process.stdout.isTTY === true;
  // In a pipe, stdout carries only the conversation; notes go to stderr.
  const early = tty ? (line: string) => console.log(line) : (line: string) => console.error(line);
  if (values.fast) {
    early(
      'Replies are paced like a person by the server, not by this command. For faster replies, restart the server with e.g. SELLIFY_PACING_SCALE=0.05 npm start (demos and tests only).',
    );
  }
  const client = apiClient(url, key);
  const { channel, secret } = await resolveChannel(
    client,
    url,
    {
      dataDir: config.dataDir,
      ...(values.channel === undefined ? {} : { channel: values.channel }),
      ...(values.secret === undefined ? {} : { secret: values.secret }),
    },
    early,
  );

  const session = new AbortController();
  const rl = tty
    ? createInterface({ input: process.stdin, output: process.stdout, prompt: PROMPT })
    : undefined;
  /** Prints above the prompt and redraws it with what the user has typed so far. */
  const above = (line: string) => {
    if (rl === undefined) return console.log(line);
    process.stdout.write('\r\x1b[K');
    console.log(line);
    rl.prompt(true);
  };
  const options: ChatOptions = {
    url,
    key,
    phone,
    ...(values.name === undefined ? {} : { name: values.name }),
    timeoutMs: timeoutS * 1000,
    channel,
    secret,
    out: above,
    note: rl === undefined ? early : above,
    typing: (on) => {
      if (rl === undefined) return;
      // The hint lives in the prompt, so it never leaves a stale line behind.
      rl.setPrompt(on ? `(bot is typing…) ${PROMPT}` : PROMPT);
      process.stdout.write('\r\x1b[K');
      rl.prompt(true);
    },
    signal: session.signal,
  };
  const chat = conversation(client, options);
  try {
    await chat.start();
  } catch (err) {
    rl?.close();
    throw err;
  }
  if (rl !== undefined) {
    early(`Chatting with ${url} on ${channel.id} (${channel.name}) as ${phone}.`);
    early('Replies are paced like a person: several seconds. /quit or Ctrl-D to leave.');
    return interactive(chat, options, rl, () => session.abort());
  }
  early(`Chatting with ${url} on ${channel.id} as ${phone}.`);
  return batch(chat, options);
}
