import type { Role } from '@liandong/contracts';

/**
 * Who may read after-action reports: the hub's REPORT_READERS (services/hub/src/routes/
 * reports.routes.ts) — operators, analysts and admins; a liaison is refused (403).
 */
export const REPORT_ROLES: readonly Role[] = ['operator', 'analyst', 'admin'];
export const canReadReports = (role: Role) => REPORT_ROLES.includes(role);
