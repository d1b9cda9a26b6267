import type { NgZone } from '@angular/core';

/**
 * The one timer that wakes the session for its next renewal (or its expiry),
 * outside Angular's zone so a pending timer never keeps an app "unstable".
 * (The early wake-ups of a renewal waiting after a failure, when the browser
 * comes back online or the tab becomes visible, are `wakeOnReturn` in
 * auth-actions.ts: only a failed renewal needs them.)
 */

/** Browsers cap `setTimeout` delays at 2^31 - 1 ms; longer ones fire at once. */
const MAX_TIMEOUT_MS = 2_147_483_647;

export class RenewalTimer {
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** @param zone - to run outside of. */
  constructor(private readonly zone: NgZone) {}

  /** Runs `task` in `delayMs` (0 or more), replacing any earlier schedule. */
  schedule(delayMs: number, task: () => void): void {
    this.clear();
    const delay = Math.min(Math.max(0, delayMs), MAX_TIMEOUT_MS);
    this.timer = this.zone.runOutsideAngular(() =>
      setTimeout(() => {
        this.timer = undefined;
        task();
      }, delay),
    );
  }

  /** Cancels the scheduled task. */
  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
