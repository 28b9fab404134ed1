/** Who may do what: roles, the audiences of live pushes, what a liaison may see. Pure. */
import { UNIT_CODES, type Role, type UnitCode } from '@liandong/contracts';

export interface Principal {
  userId: string;
  username: string;
  role: Role;
  /** A liaison's unit; null for every other role. */
  unit: UnitCode | null;
  sessionId: string;
}

/** A route's access rule, declared on every route (an undeclared route cannot be registered). */
export type Access = { public: true } | { roles: readonly Role[] };

export const ALL_ROLES: readonly Role[] = ['operator', 'liaison', 'analyst', 'admin'];
export const EVERYONE: Access = { roles: ALL_ROLES };
export const PUBLIC: Access = { public: true };

/** Operators, analysts and admins see every push; a liaison sees its unit's. */
export const ALL_AUDIENCE = 'all';
export function audienceOf(principal: Pick<Principal, 'role' | 'unit'>): string {
  return principal.role === 'liaison' && principal.unit ? `unit:${principal.unit}` : ALL_AUDIENCE;
}

/** Every audience there is, in lock order. */
export const AUDIENCES: readonly string[] = [ALL_AUDIENCE, ...UNIT_CODES.map((u) => `unit:${u}`)].sort();

/** The audiences a warning's pushes go to: everyone who sees everything, and each routed unit. */
export function audiencesFor(departments: readonly string[]): string[] {
  return [ALL_AUDIENCE, ...new Set(departments.map((d) => `unit:${d}`))].sort();
}

/** Whether the principal may see a warning routed to these units. */
export function maySeeWarning(
  principal: Pick<Principal, 'role' | 'unit'>,
  departments: readonly string[],
): boolean {
  if (principal.role !== 'liaison') return true;
  return principal.unit !== null && departments.includes(principal.unit);
}
