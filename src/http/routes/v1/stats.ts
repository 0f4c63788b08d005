/**
 * GET /stats (issue 15.7): the numbers a seller reads for a period — conversations, messages,
 * hand-offs, opt-outs, orders and revenue, first response times (bot and people apart) — and, for
 * each channel now, today's sends against the quota and the warm-up allowance, and the health score.
 * The engines give the caps and the score, from the same inputs the send path uses.
 */

import { type Static, Type } from '@sinclair/typebox';
import { DAY_MS } from '../../../domain/time.ts';
import { presetConfig } from '../../../engines/config.ts';
import { DEFAULT_ORDER_WINDOW_DAYS, evaluateExperiment } from '../../../engines/experiments.ts';
import { evaluateHealth } from '../../../engines/health.ts';
import { evaluateWarmup } from '../../../engines/warmup.ts';
import { HEALTH_LOOKBACK_MS } from '../../../pipeline/context.ts';
import { type Channel, playbookFields } from '../../../store/index.ts';
import { problemResponses } from '../../errors.ts';
import {
  type Api,
  DateTime,
  idSchema,
  invalidField,
  msOrUndefined,
  notFound,
  type RouteContext,
  tx,
} from './common.ts';
import { ExperimentResultSchema, StatsSchema, type StatsView } from './views.ts';

/** Default period: the last 7 days. Longest: 366 days. */
export const DEFAULT_STATS_PERIOD_MS = 7 * DAY_MS;
export const MAX_STATS_PERIOD_MS = 366 * DAY_MS;

const StatsQuery = Type.Object(
  {
    from: Type.Optional(DateTime('Start of the period (inclusive); default: 7 days before `to`')),
    to: Type.Optional(DateTime('End of the period (exclusive); default: now')),
    channelId: Type.Optional(idSchema('chn', 'Only this channel')),
  },
  { additionalProperties: false },
);

type ChannelStats = StatsView['channels'][number];

function channelStats(
  channel: Channel,
  sends: { sentToday: number; coldToday: number; lastSentAtMs?: number },
  events: Parameters<typeof evaluateHealth>[0]['events'],
  nowMs: number,
): ChannelStats {
  const config = presetConfig(channel.preset);
  const stats = { sentLastMinute: 0, sentLastHour: 0, identicalLastHour: 0, ...sends };
  const warmup = evaluateWarmup(
    {
      kind: 'proactive',
      channelCreatedAtMs: channel.createdAtMs,
      ...(channel.warmupStartedAtMs !== null ? { warmupStartedAtMs: channel.warmupStartedAtMs } : {}),
      ...(sends.lastSentAtMs !== undefined ? { lastSentAtMs: sends.lastSentAtMs } : {}),
      isColdContact: false,
      stats,
      timeZone: channel.timezone,
    },
    config.warmup,
    nowMs,
  );
  const health = evaluateHealth({ events, paused: channel.paused, isNewContact: true }, config.health, nowMs);
  const proactiveCap = Math.min(config.quota.proactive.perDay, warmup.dailyCap);
  return {
    id: channel.id,
    name: channel.name,
    sentToday: sends.sentToday,
    quota: { proactivePerDay: config.quota.proactive.perDay, replyPerDay: config.quota.reply.perDay },
    warmup: {
      day: warmup.dayIndex,
      dailyCap: warmup.dailyCap,
      coldCap: warmup.coldCap,
      coldSentToday: sends.coldToday,
    },
    proactiveLeftToday: Math.max(0, proactiveCap - sends.sentToday),
    health: { score: health.score, level: health.level, paused: health.paused },
  };
}

export function statsRoutes(api: Api, ctx: RouteContext): void {
  api.get(
    '/stats',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['stats'],
        summary: "The seller's numbers for a period, and each channel's sending allowance and health now",
        querystring: StatsQuery,
        response: { 200: StatsSchema, ...problemResponses('validation_failed', 'not_found') },
      },
    },
    async (req): Promise<Static<typeof StatsSchema>> => {
      const nowMs = ctx.clock();
      const toMs = msOrUndefined(req.query.to) ?? nowMs;
      const fromMs = msOrUndefined(req.query.from) ?? toMs - DEFAULT_STATS_PERIOD_MS;
      if (fromMs >= toMs) throw invalidField('query.to', 'must be after from');
      if (toMs - fromMs > MAX_STATS_PERIOD_MS)
        throw invalidField('query.from', 'the period is at most 366 days');
      const channelId = req.query.channelId;
      const result = await tx(ctx, req, async (r) => {
        const channels =
          channelId === undefined
            ? await r.channels.list()
            : [await r.channels.get(channelId)].filter((c): c is Channel => c !== null);
        if (channelId !== undefined && channels.length === 0) return null;
        const activity = await r.stats.activity(fromMs, toMs, channelId === undefined ? {} : { channelId });
        const perChannel: ChannelStats[] = [];
        for (const channel of channels) {
          const sends = await r.stats.sendStats(channel.id, nowMs, channel.timezone);
          const events = await r.healthEvents.recent(channel.id, { sinceMs: nowMs - HEALTH_LOOKBACK_MS });
          perChannel.push(channelStats(channel, sends, events, nowMs));
        }
        return { activity, perChannel };
      });
      if (result === null) throw notFound('channel');
      const { activity, perChannel } = result;
      return {
        from: new Date(fromMs).toISOString(),
        to: new Date(toMs).toISOString(),
        channelId: channelId ?? null,
        conversations: activity.conversations,
        messages: { in: activity.messagesIn, out: activity.messagesOut },
        handoffs: activity.handoffs,
        optOuts: activity.optOuts,
        orders: activity.orders,
        firstResponse: activity.firstResponse,
        channels: perChannel,
      };
    },
  );

  api.get(
    '/experiments',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['stats'],
        summary: "The playbook's A/B experiments with their outcomes per variant",
        response: { 200: Type.Object({ items: Type.Array(ExperimentResultSchema) }) },
      },
    },
    async (req) => {
      const items = await tx(ctx, req, async (r) => {
        const { experiments } = playbookFields(await r.playbook.get());
        const out = [];
        for (const experiment of experiments) {
          const windowDays = experiment.orderWindowDays ?? DEFAULT_ORDER_WINDOW_DAYS;
          const counts = await r.stats.experimentCounts(experiment.id, windowDays);
          const verdict = evaluateExperiment(experiment, counts);
          out.push({
            id: experiment.id,
            template: experiment.template,
            active: experiment.active !== false,
            orderWindowDays: windowDays,
            ...verdict,
          });
        }
        return out;
      });
      return { items };
    },
  );
}
