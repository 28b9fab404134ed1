/**
 * Notification channels (admins: list, create, change, disable; every change audited), the
 * channels' health beside the feeds' (a dead channel shows there), and a warning's deliveries.
 */
import { Type } from '@sinclair/typebox';
import {
  CHANNEL_TARGETS,
  ChannelHealthList,
  ChannelTargetEnvelope,
  type ChannelTarget,
  CreateChannelRequest,
  CreatedChannel,
  NotificationChannel,
  NotificationChannelList,
  NotificationDeliveryList,
  Problem,
  UpdateChannelRequest,
  validator,
} from '@liandong/contracts';
import { AppError } from '@liandong/errors';
import { EVERYONE, maySeeWarning } from '../domain/access.ts';
import type { HubDeps, HubServer } from '../deps.ts';
import { plain } from '../http/schema.ts';
import { principalOf } from '../http/security.ts';
import type { ChannelRepository } from './notification.channels.ts';

const problems = {
  400: plain(Problem),
  401: plain(Problem),
  403: plain(Problem),
  404: plain(Problem),
  409: plain(Problem),
};
const ADMIN = { roles: ['admin'] as const };
const ChannelId = Type.Object({ id: Type.String({ format: 'uuid' }) });

// The bodies as fastify reads them: the target's kind first, then the whole target checked
// against its kind's schema here (a union of closed objects in the route schema would have ajv
// strip the fields of one kind while trying another).
const CreateBody = plain(
  Type.Object(
    { ...CreateChannelRequest.properties, target: ChannelTargetEnvelope },
    { additionalProperties: false },
  ),
);
const UpdateBody = plain(
  Type.Object(
    { ...UpdateChannelRequest.properties, target: Type.Optional(ChannelTargetEnvelope) },
    { additionalProperties: false },
  ),
);

function checkedTarget(target: { kind: ChannelTarget['kind'] }): ChannelTarget {
  const v = validator(CHANNEL_TARGETS[target.kind]);
  if (v.check(target)) return target;
  throw new AppError('validation_failed', `the ${target.kind} channel's target is not valid`, {
    errors: v
      .issues(target)
      .map((i) => ({ pointer: `/target${i.pointer}`, code: 'invalid_field', message: i.message })),
  });
}

/** Whether a liaison of `unit` may see a channel for this recipient (its own unit's, or its supervisor's). */
function liaisonSees(unit: string | null, recipient: string): boolean {
  return unit !== null && (recipient === `unit:${unit}` || recipient === `supervisor:${unit}`);
}

export function notificationRoutes(app: HubServer, deps: HubDeps, channels: ChannelRepository) {
  const actorOf = (request: Parameters<typeof principalOf>[0]) => {
    const p = principalOf(request);
    return { username: p.username, role: p.role, ip: request.ip };
  };

  app.get(
    '/api/v1/notification-channels',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['notifications'],
        summary: 'Every notification channel (secrets are never returned)',
        response: { 200: plain(NotificationChannelList), ...problems },
      },
    },
    async () => ({ channels: await channels.list() }),
  );

  app.post(
    '/api/v1/notification-channels',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['notifications'],
        summary:
          'Create a channel for a recipient (unit:<code>, supervisor:<code>, operators, duty-leader, or a pattern) and levels; ' +
          'a webhook or SMS channel without a secret gets one generated, shown this once',
        body: CreateBody,
        response: { 201: plain(CreatedChannel), ...problems },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await channels.create(
            { ...request.body, target: checkedTarget(request.body.target) },
            actorOf(request),
          ),
        ),
  );

  app.patch(
    '/api/v1/notification-channels/:id',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['notifications'],
        summary: 'Change a channel (its kind stays); a target without a secret keeps the stored one',
        params: ChannelId,
        body: UpdateBody,
        response: { 200: plain(NotificationChannel), ...problems },
      },
    },
    async (request) => {
      const { target, ...rest } = request.body;
      return channels.update(
        request.params.id,
        { ...rest, ...(target ? { target: checkedTarget(target) } : {}) },
        actorOf(request),
      );
    },
  );

  app.delete(
    '/api/v1/notification-channels/:id',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['notifications'],
        summary: 'Disable a channel (kept for the delivery record; its pending messages are given up)',
        params: ChannelId,
        response: { 204: Type.Null(), ...problems },
      },
    },
    async (request, reply) => {
      if (!(await channels.disable(request.params.id, actorOf(request))))
        throw new AppError('not_found', `no enabled notification channel ${request.params.id}`);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/feeds/health/channels',
    {
      config: { access: EVERYONE },
      schema: {
        tags: ['events', 'notifications'],
        summary:
          'Notification channels’ health beside the feeds’: ok, idle, failing (retrying), dead (a message given up, or failing in a row), disabled',
        response: { 200: plain(ChannelHealthList), ...problems },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const now = deps.now();
      const all = await channels.health(now);
      return {
        at: now.toISOString(),
        channels:
          principal.role === 'liaison' ? all.filter((c) => liaisonSees(principal.unit, c.recipient)) : all,
      };
    },
  );

  app.get(
    '/api/v1/warnings/:id/notifications',
    {
      config: { access: EVERYONE },
      schema: {
        tags: ['warnings', 'notifications'],
        summary:
          'Who was told about a warning, through which channel, and every attempt (the delivery timeline)',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: { 200: plain(NotificationDeliveryList), ...problems },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const warning = await deps.warnings.get(request.params.id);
      if (!warning) throw new AppError('not_found', `no warning ${request.params.id}`);
      if (!maySeeWarning(principal, warning.departments))
        throw new AppError(
          'forbidden',
          `warning ${warning.id} is not routed to ${principal.unit ?? 'your unit'}`,
        );
      const deliveries = await channels.deliveries(warning.id);
      return {
        warningId: warning.id,
        deliveries:
          principal.role === 'liaison'
            ? deliveries.filter((d) => liaisonSees(principal.unit, d.recipient))
            : deliveries,
      };
    },
  );
}
