/**
 * CAP out: every warning and each of its revisions as OASIS CAP 1.2 (GB/T 35965.1 identifiers
 * from the ledger), and an Atom feed of them. Same access as the warnings (a liaison sees what
 * is routed to its unit); every read is audited.
 */
import { Type } from '@sinclair/typebox';
import { Problem, type WarningView } from '@liandong/contracts';
import {
  ATOM_MEDIA_TYPE,
  CAP_MEDIA_TYPE,
  capMessagesOf,
  createCapLedger,
  renderAtom,
  renderCap,
  type CapMessage,
} from '@liandong/cap-publish';
import { AppError } from '@liandong/errors';
import { EVERYONE, maySeeWarning } from '../domain/access.ts';
import type { HubDeps, HubServer } from '../deps.ts';
import { plain } from '../http/schema.ts';
import { principalOf } from '../http/security.ts';

const problems = { 400: plain(Problem), 401: plain(Problem), 403: plain(Problem), 404: plain(Problem) };
const Xml = (description: string) => Type.String({ description });

/** Where a message can be fetched again (relative to the hub). */
export function capPath(message: CapMessage): string {
  const base = `/api/v1/warnings/${encodeURIComponent(message.plan.warningId)}/cap`;
  return message.plan.part === 'closing'
    ? `${base}?closing=true`
    : `${base}?revision=${message.plan.revision}`;
}

export function capRoutes(app: HubServer, deps: HubDeps) {
  const ledger = createCapLedger(deps.pool);
  const issuer = deps.settings.capIssuer;
  const messagesOf = async (warning: WarningView) =>
    capMessagesOf(ledger, issuer, await deps.warnings.revisions(warning.id), warning.resolution);

  app.get(
    '/api/v1/warnings/:id/cap',
    {
      config: { access: EVERYONE },
      schema: {
        tags: ['cap'],
        summary: 'A warning as CAP 1.2 XML (application/cap+xml): the latest message, or the one asked for',
        description:
          'The first revision is an Alert, each later revision an Update whose references name every earlier message, a cancelled revision or a resolution as false alarm or duplicate a Cancel, any other resolution an Update with responseType AllClear. Identifiers follow GB/T 35965.1 and are issued once.',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 300 }) }),
        querystring: Type.Object({
          revision: Type.Optional(Type.Integer({ minimum: 1, description: 'the message of this revision' })),
          closing: Type.Optional(
            Type.Boolean({ description: 'true: the closing message of a resolved warning' }),
          ),
        }),
        response: { 200: Xml('a CAP 1.2 alert'), ...problems },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { id } = request.params;
      const { revision, closing } = request.query;
      if (revision !== undefined && closing)
        throw new AppError('validation_failed', 'ask for a revision or for the closing message, not both', {
          errors: [{ pointer: '/closing', code: 'invalid_field', message: 'not together with revision' }],
        });
      const warning = await deps.warnings.get(id);
      if (!warning) throw new AppError('not_found', `no warning ${id}`);
      if (!maySeeWarning(principal, warning.departments))
        throw new AppError('forbidden', `warning ${id} is not routed to ${principal.unit ?? 'your unit'}`);
      const messages = await messagesOf(warning);
      const message =
        revision !== undefined
          ? messages.find((m) => m.plan.part === `r${revision}`)
          : closing
            ? messages.find((m) => m.plan.part === 'closing')
            : messages.at(-1);
      if (!message)
        throw new AppError(
          'not_found',
          revision !== undefined
            ? `warning ${id} has no CAP message for revision ${revision} (revisions 1–${warning.revision}${messages.some((m) => m.plan.msgType === 'Cancel' && m.plan.part !== 'closing') ? ', cancelled' : ''})`
            : `warning ${id} has no closing CAP message: it is not resolved`,
        );
      await deps.audit({
        actor: principal.username,
        actorRole: principal.role,
        action: 'cap.read',
        target: `warning:${id}`,
        outcome: 'ok',
        detail: { identifier: message.identifier, msgType: message.plan.msgType, part: message.plan.part },
        ip: request.ip,
      });
      return reply.type(`${CAP_MEDIA_TYPE}; charset=utf-8`).send(renderCap(message));
    },
  );

  app.get(
    '/api/v1/cap/feed.atom',
    {
      config: { access: EVERYONE },
      schema: {
        tags: ['cap'],
        summary: 'Atom feed of the CAP messages of the most recently raised warnings, newest first',
        description:
          'Each entry carries its CAP alert inline (content type application/cap+xml) and links to it; exercises are marked (status Exercise, category term Exercise). A liaison’s feed holds its unit’s warnings.',
        querystring: Type.Object({
          exercise: Type.Optional(Type.Boolean({ description: 'true: drills only; false: real only' })),
          warnings: Type.Integer({
            minimum: 1,
            maximum: 200,
            default: 50,
            description: 'how many of the most recently raised warnings',
          }),
        }),
        response: { 200: Xml('an Atom feed'), ...problems },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const q = request.query;
      const unit = principal.role === 'liaison' ? (principal.unit ?? '-') : undefined;
      const warnings = await deps.warnings.list({
        limit: q.warnings,
        ...(unit ? { unit } : {}),
        ...(q.exercise !== undefined ? { exercise: q.exercise } : {}),
      });
      const messages: CapMessage[] = [];
      for (const warning of warnings) messages.push(...(await messagesOf(warning)));
      messages.sort(
        (a, b) => b.plan.sent.getTime() - a.plan.sent.getTime() || b.identifier.localeCompare(a.identifier),
      );
      const origin = `${request.protocol}://${request.host}`;
      const xml = renderAtom({
        self: `${origin}${request.url}`,
        title: `联动 预警信息 CAP 1.2 / Liandong warnings — ${issuer.name.zh}`,
        authorName: issuer.name.zh,
        updated: messages[0]?.plan.sent ?? new Date(0),
        entries: messages.map((message) => ({ message, link: `${origin}${capPath(message)}` })),
      });
      await deps.audit({
        actor: principal.username,
        actorRole: principal.role,
        action: 'cap.feed_read',
        target: 'cap_feed',
        outcome: 'ok',
        detail: { exercise: q.exercise ?? null, warnings: warnings.length, entries: messages.length },
        ip: request.ip,
      });
      return reply.type(`${ATOM_MEDIA_TYPE}; charset=utf-8`).send(xml);
    },
  );
}
