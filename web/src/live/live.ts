/**
 * The live link: Socket.IO with the session cookie. Every push carries a sequence; on reconnect
 * the client hands its last one (`auth.afterSeq`) and the hub replays what it missed; told to
 * reload, or back after a break, the console refetches everything from the REST API.
 */
import { useEffect, useState, useSyncExternalStore } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { QueryClient } from '@tanstack/react-query';
import {
  SOCKET_EVENTS,
  levelRank,
  type LiveHello,
  type LivePush,
  type LiveReload,
  type Warning,
} from '@liandong/contracts';
import { keys } from '../api/queries.ts';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

export interface Announcement {
  id: number;
  kind: 'new' | 'raised';
  warning: Warning;
}

/** Back after a break: how long it lasted and how the console caught up. */
export interface Resumed {
  at: number;
  awayMs: number;
  /** Pushes the hub replayed on the resume. */
  replayed: number;
  /** Too far behind for a replay: everything was fetched again. */
  reloaded: boolean;
}

interface LiveState {
  connection: ConnectionState;
  lastSeq: number;
  /** Pushes replayed on the last resume (shown briefly). */
  replayed: number;
  reloaded: number;
  /** When the live link was lost (the first failure), while it is down; else null. */
  lostAt: number | null;
  /** The browser's own view of the network (navigator.onLine). */
  browserOnline: boolean;
  resumed: Resumed | null;
  announcements: Announcement[];
}

let state: LiveState = {
  connection: 'connecting',
  lastSeq: 0,
  replayed: 0,
  reloaded: 0,
  lostAt: null,
  browserOnline: navigator.onLine,
  resumed: null,
  announcements: [],
};
const listeners = new Set<() => void>();
function set(patch: Partial<LiveState>) {
  state = { ...state, ...patch };
  for (const l of listeners) l();
}
const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

export function useLive(): LiveState {
  return useSyncExternalStore(subscribe, () => state);
}

export function dismissAnnouncement(id: number) {
  set({ announcements: state.announcements.filter((a) => a.id !== id) });
}

export function dismissResumed() {
  set({ resumed: null });
}

window.addEventListener('online', () => set({ browserOnline: true }));
window.addEventListener('offline', () => set({ browserOnline: false }));

let nextAnnouncement = 1;
/** Levels seen per warning id, so a revision that raises a warning to orange or red is announced. */
const knownLevels = new Map<string, Warning['level']>();

function announce(warning: Warning) {
  const before = knownLevels.get(warning.id);
  knownLevels.set(warning.id, warning.level);
  if (warning.status !== 'active' || levelRank(warning.level) < levelRank('orange')) return;
  const kind: Announcement['kind'] | undefined =
    before === undefined && warning.revision === 1
      ? 'new'
      : before !== undefined && levelRank(before) < levelRank(warning.level)
        ? 'raised'
        : undefined;
  if (!kind) return;
  set({ announcements: [...state.announcements, { id: nextAnnouncement++, kind, warning }].slice(-5) });
  if (soundEnabled()) beep();
}

const SOUND_KEY = 'liandong.sound';
export function soundEnabled() {
  return localStorage.getItem(SOUND_KEY) === 'on';
}
export function useSound(): [boolean, (on: boolean) => void] {
  const [on, setOn] = useState(soundEnabled);
  return [
    on,
    (value) => {
      localStorage.setItem(SOUND_KEY, value ? 'on' : 'off');
      setOn(value);
      if (value) beep();
    },
  ];
}

let audio: AudioContext | undefined;
function beep() {
  try {
    audio ??= new AudioContext();
    const ctx = audio;
    for (const [i, freq] of [880, 660, 880].entries()) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = freq;
      gain.gain.value = 0.15;
      osc.connect(gain).connect(ctx.destination);
      osc.start(ctx.currentTime + i * 0.25);
      osc.stop(ctx.currentTime + i * 0.25 + 0.2);
    }
  } catch {
    // No audio device: the banner still shows.
  }
}

function refetchAll(client: QueryClient) {
  void client.invalidateQueries({ queryKey: ['warnings'] });
  void client.invalidateQueries({ queryKey: ['warning'] });
  void client.invalidateQueries({ queryKey: keys.feeds });
  void client.invalidateQueries({ queryKey: ['events'] });
}

/**
 * Connects while signed in; closes on sign-out. Known warning levels are seeded from the list —
 * but not while the link is down or catching up: the list fetched on the way back (the browser's
 * "online" refetches it at once) may already hold the warnings raised meanwhile, and seeding them
 * would keep the replay from announcing them (an orange warning raised while away came back
 * without its banner when the list won the race).
 */
export function useLiveConnection(
  client: QueryClient,
  signedIn: boolean,
  known: readonly Warning[] | undefined,
) {
  const { lostAt } = useLive();
  useEffect(() => {
    if (lostAt !== null) return;
    for (const w of known ?? []) if (!knownLevels.has(w.id)) knownLevels.set(w.id, w.level);
  }, [known, lostAt]);

  useEffect(() => {
    if (!signedIn) return;
    let everConnected = false;
    const socket: Socket = io({
      path: '/socket.io/',
      transports: ['websocket'],
      withCredentials: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
      auth: (cb) => cb(state.lastSeq > 0 ? { afterSeq: state.lastSeq } : {}),
    });
    set({ connection: 'connecting', lostAt: null, resumed: null });
    const lost = () =>
      set({
        connection: socket.active ? 'reconnecting' : 'disconnected',
        lostAt: state.lostAt ?? Date.now(),
      });
    socket.on('connect', () => {
      set({ connection: 'connected' });
      // Back after a break: besides the replay, refetch what is not pushed (events, feed health).
      if (everConnected) refetchAll(client);
      everConnected = true;
    });
    socket.on('disconnect', lost);
    socket.on('connect_error', lost);
    // The network is back (the browser says so): try at once, not at the end of the back-off
    // (up to 5 s). Closing a socket that is not connected emits nothing; connect() starts afresh.
    const online = () => {
      if (!socket.connected && socket.active) socket.disconnect().connect();
    };
    window.addEventListener('online', online);
    // A resume too far behind is told to reload (then hello): everything is fetched again.
    let reloadedOnResume = false;
    socket.on(SOCKET_EVENTS.reload, (reload: LiveReload) => {
      reloadedOnResume = true;
      set({ lastSeq: reload.latestSeq, reloaded: state.reloaded + 1 });
      refetchAll(client);
    });
    // The hub says where the console stands once the replay is through: it has caught up.
    socket.on(SOCKET_EVENTS.hello, (hello: LiveHello) => {
      const away = state.lostAt;
      const now = Date.now();
      set({
        lastSeq: hello.seq,
        replayed: hello.replayed,
        lostAt: null,
        ...(away !== null
          ? {
              resumed: {
                at: now,
                awayMs: now - away,
                replayed: hello.replayed,
                reloaded: reloadedOnResume,
              },
            }
          : {}),
      });
      reloadedOnResume = false;
    });
    socket.on(SOCKET_EVENTS.push, (push: LivePush) => {
      if (push.seq <= state.lastSeq) return;
      set({ lastSeq: push.seq });
      if (push.type === 'warning') announce(push.data);
      const id = push.type === 'warning' ? push.data.id : push.data.warningId;
      void client.invalidateQueries({ queryKey: ['warnings'] });
      void client.invalidateQueries({ queryKey: keys.warning(id) });
    });
    return () => {
      window.removeEventListener('online', online);
      socket.close();
      set({ connection: 'disconnected', lastSeq: 0, lostAt: null, resumed: null });
    };
  }, [client, signedIn]);
}
