import type { TSchema } from '@sinclair/typebox';
import { WarningActivity } from './activity.ts';
import { AuditHead } from './audit-head.ts';
import { DeadLetter } from './dead-letter.ts';
import { DepartmentEntrySchema } from './departments.ts';
import { NormalizedEvent } from './event.ts';
import { HealthRecord } from './feeds/health.ts';
import { MarketRecord } from './feeds/market.ts';
import { Open311ServiceRequest } from './feeds/open311.ts';
import { PoliceRecord } from './feeds/police.ts';
import { TrafficRecord } from './feeds/traffic.ts';
import { GaugeStation, SensorThingsObservation } from './feeds/water.ts';
import { IngestResponse } from './ingest.ts';
import { Problem } from './problem.ts';
import { RuleFile } from './rules.ts';
import { LiveHello, LivePush, LiveReload, LiveResume } from './socket.ts';
import {
  AcknowledgeRequest,
  AuditVerification,
  AuthSession,
  CreateUserRequest,
  EventPage,
  FeedHealthList,
  LoginRequest,
  ResolveRequest,
  SessionList,
  User,
  WarningDetail,
  WarningView,
} from './hub.ts';
import { Warning } from './warning.ts';

export type ContractKind = 'message' | 'http' | 'socket' | 'feed' | 'data';

export interface CatalogEntry {
  readonly id: string;
  readonly kind: ContractKind;
  readonly schema: TSchema;
  readonly description: string;
}

function entry(kind: ContractKind, schema: TSchema, description: string): CatalogEntry {
  const id = schema.$id;
  if (!id) throw new Error('catalog schemas need an $id');
  return { id, kind, schema, description };
}

/**
 * The published contracts: every message on a topic, HTTP body, socket payload, feed record and
 * shared data file. JSON Schema files and the AsyncAPI document are generated from this list, and
 * each entry has fixtures that must pass and fixtures that must fail.
 */
export const CONTRACT_CATALOG: readonly CatalogEntry[] = [
  entry('message', NormalizedEvent, 'A normalized event on events.<department>.v1'),
  entry('message', DeadLetter, 'A refused record on ingest.dlq.v1'),
  entry('message', Warning, 'A warning or its revision on warnings.v1'),
  entry('message', WarningActivity, 'An acknowledgement, escalation or resolution on warning-activity.v1'),
  entry('message', AuditHead, 'The head of an audit log (last sequence number and hash) on audit-head.v1'),
  entry('http', Problem, 'RFC 9457 problem details of every error reply'),
  entry('http', IngestResponse, 'The reply of POST /v1/events'),
  entry('socket', LivePush, 'What the hub pushes to consoles'),
  entry('socket', LiveResume, 'What a reconnecting console sends (event live:resume, or handshake auth)'),
  entry('socket', LiveHello, 'Where a console’s sequence stands after it (re)connected'),
  entry('socket', LiveReload, 'A console too far behind to be replayed must reload'),
  entry('http', LoginRequest, 'The body of POST /api/v1/auth/login'),
  entry('http', AuthSession, 'Who is signed in, with the CSRF token (login, GET /api/v1/auth/session)'),
  entry('http', SessionList, 'The caller’s own sessions (GET /api/v1/auth/sessions)'),
  entry('http', User, 'A user as the admin API returns it'),
  entry('http', CreateUserRequest, 'The body of POST /api/v1/users'),
  entry('http', AcknowledgeRequest, 'The body of POST /api/v1/warnings/{id}/acknowledge'),
  entry('http', ResolveRequest, 'The body of POST /api/v1/warnings/{id}/resolve'),
  entry('http', WarningView, 'A warning with its acknowledgement matrix (GET /api/v1/warnings)'),
  entry('http', WarningDetail, 'A warning with revisions, evidence, escalations and timeline'),
  entry('http', EventPage, 'A page of events (GET /api/v1/events)'),
  entry('http', FeedHealthList, 'Feed health per department (GET /api/v1/feeds/health)'),
  entry('http', AuditVerification, 'The answer of GET /api/v1/audit/verify'),
  entry('feed', PoliceRecord, 'A 110 call for service or incident (police JSON)'),
  entry('feed', MarketRecord, 'A 12315 complaint, inspection or special-equipment report (market JSON)'),
  entry('feed', HealthRecord, 'A case report, syndromic count or 120 dispatch (health JSON)'),
  entry('feed', TrafficRecord, 'An accident, congestion or closure (traffic JSON, DATEX II vocabulary)'),
  entry(
    'feed',
    Open311ServiceRequest,
    'An Open311 GeoReport v2 service request (urban, market; JSON or XML)',
  ),
  entry('feed', SensorThingsObservation, 'An OGC SensorThings 1.1 Observation (water)'),
  entry('data', GaugeStation, 'A station of the water gauge registry'),
  entry(
    'data',
    RuleFile,
    'A correlation rule file (JSON or YAML): rules of the five families, rivers, places, region',
  ),
  entry('data', DepartmentEntrySchema, 'An entry of the department registry'),
];
