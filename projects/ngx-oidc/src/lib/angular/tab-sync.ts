import type { ResolvedOidcConfig } from '../core/config';
import type { OidcAuth } from './oidc-auth';

/**
 * Browser glue for several tabs of one app: a channel that tells the other
 * tabs when the session changed. The cross-tab lock for refreshes is in
 * tab-lock.ts (only renewals use it: it loads with them).
 */

/** A message between tabs: the session changed (re-read storage), or ended. */
export interface TabMessage {
  readonly type: 'session' | 'logout';
}

function isTabMessage(value: unknown): value is TabMessage {
  const type = (value as { type?: unknown } | null)?.type;
  return type === 'session' || type === 'logout';
}

/** A BroadcastChannel for one config id; silent where BroadcastChannel is missing. */
export class TabChannel {
  private readonly channel: BroadcastChannel | undefined;

  /** @param name - the channel name, one per config id. */
  constructor(name: string) {
    this.channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(name) : undefined;
  }

  /** Tells the other tabs. */
  post(message: TabMessage): void {
    this.channel?.postMessage(message);
  }

  /** Calls `handler` for each valid message from another tab. */
  listen(handler: (message: TabMessage) => void): void {
    if (this.channel) this.channel.onmessage = (event: MessageEvent<unknown>) => isTabMessage(event.data) && handler(event.data);
  }

  /** Stops listening. */
  close(): void {
    this.channel?.close();
  }
}

/**
 * Follows the other tabs of this config: a logout there ends the session
 * here; a renewal or a new login there is read from shared storage (the
 * signals follow, and a renewal waiting here is dropped).
 */
export function listenToOtherTabs(auth: OidcAuth, config: ResolvedOidcConfig): void {
  auth.channel = new TabChannel(`ngx-oidc.${config.configId}`);
  auth.channel.listen((message) => {
    if (message.type === 'logout') {
      void auth.loaded?.session.logoutLocal();
      auth.retryAt = undefined;
      auth.renewalPhase.set(null);
      auth.setSession(null);
      auth.emit({ type: 'LoggedOut' });
    } else {
      // Shared storage (localStorage) holds the other tab's new tokens; per-tab storage keeps its own.
      const stored = auth.loaded?.session.restore() ?? null;
      if (!stored || !auth.loaded?.session.needsRenewal(stored)) {
        // The other tab renewed (or ended) the shared session: nothing is waiting here any more.
        auth.retryAt = undefined;
        auth.renewalPhase.set(null);
      }
      auth.setSession(stored);
      auth.emit({ type: 'SessionChangedInOtherTab' });
    }
  });
}
