/**
 * The seller's team (admin scope: an owner signed in, or an admin key): who can sign in to the
 * dashboard, and invite links for new agents, viewers or owners. An invite link is shown once, in
 * the response that creates it; only its SHA-256 is stored. It works once, for INVITE_TTL_MS.
 */

import { Type } from '@sinclair/typebox';
import { newToken, type User } from '../../../store/index.ts';
import { problemResponses } from '../../errors.ts';
import { type Api, iso, type RouteContext, tx } from './common.ts';

export const INVITE_TTL_MS = 7 * 24 * 3600_000;

const Role = Type.Union([Type.Literal('owner'), Type.Literal('agent'), Type.Literal('viewer')]);

const UserSchema = Type.Object(
  { id: Type.String(), email: Type.String(), role: Role, createdAt: Type.String({ format: 'date-time' }) },
  { title: 'User' },
);

const InviteSchema = Type.Object(
  {
    id: Type.String(),
    role: Role,
    token: Type.String({ description: 'Shown in this response only' }),
    path: Type.String({
      description: 'Open it on this server: the dashboard asks for an email and a password',
    }),
    expiresAt: Type.String({ format: 'date-time' }),
  },
  { title: 'Invite' },
);

function userView(u: User) {
  return { id: u.id, email: u.email, role: u.role, createdAt: iso(u.createdAtMs) };
}

/** The dashboard's invite screen for a token. */
export function invitePath(token: string): string {
  return `/#/invite/${token}`;
}

export function userRoutes(api: Api, ctx: RouteContext): void {
  const tags = ['users'];
  api.get(
    '/users',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'List the people who can sign in to the dashboard',
        response: { 200: Type.Object({ items: Type.Array(UserSchema) }) },
      },
    },
    async (req) => {
      const users = await tx(ctx, req, (r) => r.users.list());
      return { items: users.map(userView) };
    },
  );

  api.post(
    '/users/invites',
    {
      config: { scope: 'admin', oneTimeSecrets: ['token', 'path'] },
      schema: {
        tags,
        summary: 'Create a one-time invite link (the link is in this response only)',
        body: Type.Object({ role: Role }, { additionalProperties: false }),
        response: {
          201: InviteSchema,
          ...problemResponses(
            'validation_failed',
            'idempotency_mismatch',
            'idempotency_in_flight',
            'idempotency_secret_withheld',
          ),
        },
      },
    },
    async (req, reply) => {
      const { token, tokenHash } = newToken();
      const expiresAtMs = ctx.clock() + INVITE_TTL_MS;
      const invite = await tx(ctx, req, (r) =>
        r.users.createInvite({ tokenHash, role: req.body.role, expiresAtMs }),
      );
      return reply.code(201).send({
        id: invite.id,
        role: invite.role,
        token,
        path: invitePath(token),
        expiresAt: iso(invite.expiresAtMs),
      });
    },
  );
}
