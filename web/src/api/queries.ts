/** Server data through TanStack Query: every payload typed from @liandong/contracts. */
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import {
  DEPARTMENT_CODES,
  type AcknowledgeRequest,
  type AuthSession,
  type DepartmentCode,
  type EventPointPage,
  type EventPoint,
  type EventView,
  type FeedHealthList,
  type LoginRequest,
  type PeriodReport,
  type ReportFormat,
  type ResolveRequest,
  type WarningDetail,
  type WarningPage,
  type WarningReport,
  type WarningView,
} from '@liandong/contracts';
import { api, ApiError, newKey, query, setCsrfToken } from './client.ts';

export const keys = {
  session: ['session'] as const,
  warnings: (closed: boolean) => ['warnings', { closed }] as const,
  warning: (id: string) => ['warning', id] as const,
  events: (from: string, to: string | undefined) => ['events', from, to ?? 'now'] as const,
  feeds: ['feeds'] as const,
  periodReport: (from: string, to: string) => ['report', 'period', from, to] as const,
  warningReport: (id: string) => ['report', 'warning', id] as const,
};

export function useSession() {
  return useQuery({
    queryKey: keys.session,
    queryFn: async () => {
      try {
        const session = await api<AuthSession>('GET', '/api/v1/auth/session', { quiet401: true });
        setCsrfToken(session.csrfToken);
        return session;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: 60_000,
    retry: false,
  });
}

export function useLogin() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: LoginRequest) =>
      api<AuthSession>('POST', '/api/v1/auth/login', { body, quiet401: true }),
    onSuccess: (session) => {
      setCsrfToken(session.csrfToken);
      client.setQueryData(keys.session, session);
    },
  });
}

export function useLogout() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api<unknown>('POST', '/api/v1/auth/logout').catch(() => undefined),
    onSettled: () => {
      setCsrfToken(undefined);
      client.clear();
      client.setQueryData(keys.session, null);
    },
  });
}

/** Active warnings (all pages), or also the closed ones of the last day. */
export function useWarnings(includeClosed = false) {
  return useQuery({
    queryKey: keys.warnings(includeClosed),
    queryFn: async ({ signal }) => {
      const items: WarningView[] = [];
      let cursor: string | undefined;
      const from = includeClosed ? new Date(Date.now() - 24 * 3600_000).toISOString() : undefined;
      do {
        const page = await api<WarningPage>(
          'GET',
          `/api/v1/warnings${query({ status: includeClosed ? undefined : 'active', from, cursor, limit: 500 })}`,
          { signal },
        );
        items.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor && items.length < 5000);
      return items;
    },
  });
}

export function useWarningDetail(id: string) {
  return useQuery({
    queryKey: keys.warning(id),
    queryFn: ({ signal }) =>
      api<WarningDetail>('GET', `/api/v1/warnings/${encodeURIComponent(id)}`, { signal }),
  });
}

/** When the last events fetch ran (performance.now()), for the map's render measurement. */
export let lastEventsFetch = { fetchStart: 0, fetchEnd: 0 };

/** The map's points: one request per department, in parallel (a day fits one page each). */
export function useEventPoints(
  from: string,
  to: string | undefined,
  departments: readonly DepartmentCode[] | null,
) {
  return useQuery({
    queryKey: keys.events(from, to),
    queryFn: async ({ signal }) => {
      const fetchStart = performance.now();
      const chains = (departments ?? DEPARTMENT_CODES).map(async (department) => {
        const items: EventPoint[] = [];
        let cursor: string | undefined;
        do {
          const page = await api<EventPointPage>(
            'GET',
            `/api/v1/events/points${query({ from, to, department, cursor, limit: 20_000 })}`,
            { signal },
          );
          items.push(...page.items);
          cursor = page.nextCursor ?? undefined;
        } while (cursor && items.length < 200_000);
        return items;
      });
      const points = (await Promise.all(chains)).flat();
      lastEventsFetch = { fetchStart, fetchEnd: performance.now() };
      return points;
    },
    staleTime: 30_000,
  });
}

/** One event's full record. */
export function useEvent(id: string) {
  return useQuery({
    queryKey: ['event', id],
    queryFn: ({ signal }) => api<EventView>('GET', `/api/v1/events/${encodeURIComponent(id)}`, { signal }),
    staleTime: 60_000,
  });
}

export function useFeedHealth() {
  return useQuery({
    queryKey: keys.feeds,
    queryFn: ({ signal }) => api<FeedHealthList>('GET', '/api/v1/feeds/health', { signal }),
    refetchInterval: 15_000,
  });
}

function storeWarning(client: QueryClient, view: WarningView) {
  client.setQueryData<WarningDetail>(keys.warning(view.id), (old) => (old ? { ...old, warning: view } : old));
  void client.invalidateQueries({ queryKey: ['warnings'] });
  void client.invalidateQueries({ queryKey: keys.warning(view.id) });
}

export function useAcknowledge() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { id: string; body: AcknowledgeRequest }) =>
      api<WarningView>('POST', `/api/v1/warnings/${encodeURIComponent(input.id)}/acknowledge`, {
        body: input.body,
        idempotencyKey: newKey(),
      }),
    onSuccess: (view) => storeWarning(client, view),
  });
}

export function useResolve() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { id: string; body: ResolveRequest }) =>
      api<WarningView>('POST', `/api/v1/warnings/${encodeURIComponent(input.id)}/resolve`, {
        body: input.body,
      }),
    onSuccess: (view) => storeWarning(client, view),
  });
}

/**
 * After-action reports. Every read is audited by the hub (report.viewed), so a report is fetched
 * when a screen asks for it and kept: live pushes and reconnects do not refetch it (the screens
 * have a refresh button).
 */
const REPORT_QUERY = { staleTime: Number.POSITIVE_INFINITY, gcTime: 10 * 60_000, retry: false } as const;

export function usePeriodReport(from: string, to: string) {
  return useQuery({
    queryKey: keys.periodReport(from, to),
    queryFn: ({ signal }) => api<PeriodReport>('GET', periodReportUrl(from, to, 'json'), { signal }),
    ...REPORT_QUERY,
  });
}

export function useWarningReport(id: string) {
  return useQuery({
    queryKey: keys.warningReport(id),
    queryFn: ({ signal }) => api<WarningReport>('GET', warningReportUrl(id, 'json'), { signal }),
    ...REPORT_QUERY,
  });
}

export const periodReportUrl = (from: string, to: string, format: ReportFormat) =>
  `/api/v1/reports/period${query({ from, to, format })}`;
export const warningReportUrl = (id: string, format: ReportFormat) =>
  `/api/v1/reports/warnings/${encodeURIComponent(id)}${query({ format })}`;
