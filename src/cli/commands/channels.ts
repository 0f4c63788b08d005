/**
 * `sellify channels`: the operator's tools for channels across tenants. `release` frees a Cloud
 * phone number id another tenant registered first (a squatter, or a seller who moved), so its
 * real owner can create their channel: the holding channel keeps its data but stops receiving
 * that number's webhooks. `show` says which channel holds a number. Talks to the database
 * directly; with the embedded database, stop the server first.
 */
import { parseArgs } from 'node:util';
import { findChannelByRouteKey } from '../../store/index.ts';
import { CliError, printable } from '../io.ts';
import { openOperatorStore } from '../store.ts';

export const usage = `Usage:
  sellify channels show PHONE_NUMBER_ID
  sellify channels release PHONE_NUMBER_ID

show prints which tenant and channel serve a Cloud API phone number id. release detaches it from
that channel (the channel keeps its contacts and history, loses its credentials and no longer
receives the number's webhooks), so the number's owner can register it: POST /api/v1/channels
answers 409 number_unavailable until then. Running servers may route the number to the old
channel for up to 30 s (their cache). With the embedded database, stop the server first.`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  const [action, phoneNumberId] = positionals;
  if (values.help || action === undefined) {
    console.log(usage);
    return values.help ? 0 : 2;
  }
  if (action !== 'show' && action !== 'release') throw new CliError(`unknown action "${action}"\n\n${usage}`);
  if (phoneNumberId === undefined || !/^\d{1,64}$/.test(phoneNumberId))
    throw new CliError(`channels ${action} needs a Cloud API phone number id (digits)`);

  const { store } = await openOperatorStore();
  try {
    const route = await findChannelByRouteKey(store.db, `cloud:${phoneNumberId}`);
    if (route === null) {
      console.log(`No channel serves phone number id ${phoneNumberId}.`);
      return action === 'show' ? 0 : 1;
    }
    const channel = await store.tx(route.tenantId, (r) => r.channels.get(route.channelId));
    const label = `${route.channelId} ("${printable(channel?.name ?? '?')}") of tenant ${route.tenantId}`;
    if (action === 'show') {
      console.log(`Phone number id ${phoneNumberId} is served by channel ${label}.`);
      return 0;
    }
    // The credentials go too: they hold the number's token and app secret, which are not this
    // tenant's to keep using, and a channel without a route key must not send as that number.
    await store.tx(route.tenantId, (r) =>
      r.channels.update(route.channelId, { routeKey: null, credentials: null, status: 'released' }),
    );
    console.log(`Released phone number id ${phoneNumberId} from channel ${label}.`);
    console.log('Its owner can now create a Cloud API channel for it.');
    return 0;
  } finally {
    await store.close();
  }
}
