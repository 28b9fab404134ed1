import { Type } from '@sinclair/typebox';
import {
  CreatedKey,
  CreateKeyRequest,
  CreateUserRequest,
  IngestKeyList,
  Problem,
  UpdateUserRequest,
  User,
  UserList,
  UserWithPassword,
} from '@liandong/contracts';
import { AppError } from '@liandong/errors';
import type { HubDeps, HubServer } from '../deps.ts';
import { plain } from '../http/schema.ts';
import { principalOf } from '../http/security.ts';

const problems = {
  400: plain(Problem),
  401: plain(Problem),
  403: plain(Problem),
  404: plain(Problem),
  409: plain(Problem),
};
const ADMIN = { roles: ['admin'] as const };
const Username = Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }) });

/** Users and department keys (admins). Every change is audited. */
export function adminRoutes(app: HubServer, deps: HubDeps) {
  const actorOf = (request: Parameters<typeof principalOf>[0]) => {
    const p = principalOf(request);
    return { username: p.username, role: p.role, ip: request.ip };
  };

  app.get(
    '/api/v1/users',
    {
      config: { access: ADMIN },
      schema: { tags: ['admin'], summary: 'Every user', response: { 200: plain(UserList), ...problems } },
    },
    async () => ({ users: await deps.users.list() }),
  );

  app.post(
    '/api/v1/users',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['admin'],
        summary:
          'Create a user (a liaison names its unit); without a password one is generated and shown once',
        body: plain(CreateUserRequest),
        response: { 201: plain(UserWithPassword), ...problems },
      },
    },
    async (request, reply) => reply.status(201).send(await deps.users.create(request.body, actorOf(request))),
  );

  app.patch(
    '/api/v1/users/:username',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['admin'],
        summary: 'Disable (ends the user’s sessions) or re-enable a user, or rename it',
        params: Username,
        body: plain(UpdateUserRequest),
        response: { 200: plain(User), ...problems },
      },
    },
    async (request) => deps.users.update(request.params.username, request.body, actorOf(request)),
  );

  app.post(
    '/api/v1/users/:username/password',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['admin'],
        summary: 'Reset a user’s password: a new one is generated and shown once; the user’s sessions end',
        params: Username,
        response: { 200: plain(UserWithPassword), ...problems },
      },
    },
    async (request) => deps.users.resetPassword(request.params.username, actorOf(request)),
  );

  app.get(
    '/api/v1/keys',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['admin'],
        summary: 'Department keys (never the keys themselves)',
        response: { 200: plain(IngestKeyList), ...problems },
      },
    },
    async () => ({ keys: (await deps.keys.list()) as IngestKeyList['keys'] }),
  );

  app.post(
    '/api/v1/keys',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['admin'],
        summary: 'Create a department key: shown once, only its digest is stored',
        body: plain(CreateKeyRequest),
        response: { 201: plain(CreatedKey), ...problems },
      },
    },
    async (request, reply) => {
      const created = await deps.keys.create(
        request.body.department,
        request.body.label ?? '',
        actorOf(request),
      );
      return reply.status(201).send({ id: created.id, department: created.department, key: created.key });
    },
  );

  app.delete(
    '/api/v1/keys/:id',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['admin'],
        summary: 'Revoke a department key (takes effect within the ingest services’ key cache time)',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 204: Type.Null(), ...problems },
      },
    },
    async (request, reply) => {
      if (!(await deps.keys.revoke(request.params.id, actorOf(request))))
        throw new AppError('not_found', `no active key ${request.params.id}`);
      return reply.status(204).send(null);
    },
  );
}
