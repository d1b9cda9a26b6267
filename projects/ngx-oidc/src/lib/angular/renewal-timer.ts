import type { NgZone } from '@angular/core';

/**
 * The one timer that wakes the session for its next renewal (or its expiry),
 * outside Angular's zone so a pending timer never keeps an app "unstable";
 * plus early wake-ups when the browser comes back online or the tab becomes
 * visible again, for a renewal that is waiting after a failure.
 */

/** Browsers cap `setTimeout` delays at 2^31 - 1 ms; longer ones fire at once. */
const MAX_TIMEOUT_MS = 2_147_483_647;

export class RenewalTimer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly detach: () => void;

  /**
   * @param zone - to run outside of.
   * @param view - the window whose `online` and `visibilitychange` events wake the session; `null` on the server.
   * @param onWake - called on those events.
   */
  constructor(
    private readonly zone: NgZone,
    view: Window | null,
    onWake: () => void,
  ) {
    if (!view) {
      this.detach = () => undefined;
      return;
    }
    const onOnline = () => onWake();
    const onVisibility = () => view.document.visibilityState === 'visible' && onWake();
    this.zone.runOutsideAngular(() => {
      view.addEventListener('online', onOnline);
      view.document.addEventListener('visibilitychange', onVisibility);
    });
    this.detach = () => {
      view.removeEventListener('online', onOnline);
      view.document.removeEventListener('visibilitychange', onVisibility);
    };
  }

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

  /** Cancels the task and stops listening. */
  close(): void {
    this.clear();
    this.detach();
  }
}
