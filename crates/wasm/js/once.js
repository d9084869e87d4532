// Exposures exactly once across tabs. Each tab's engine reports a user's
// first exposure to a variation once, and tells the other tabs (sync.js);
// but two tabs deciding within the same few milliseconds, before either
// hears of the other, would each report it. So the report is made under a
// Web Lock named for the user, experiment and variation, asked for with
// `ifAvailable`: exactly one tab gets it, reports, and keeps holding it
// while it lives, so a tab that has not yet heard of the exposure finds the
// lock taken and stays silent. By the time the holder is gone, the
// exposure is in the stored state and in every tab's engine.
//
// Without Web Locks (Node, old browsers, insecure origins) the report is
// made at once: the cross-tab message then covers all but the same-moment
// race.

export class ExposureGate {
  #locks;
  #releases = [];

  /** `shared`: whether other tabs share this user's state (storage mode). */
  constructor(shared) {
    const locks = shared ? globalThis.navigator?.locks : undefined;
    this.#locks = typeof locks?.request === 'function' ? locks : null;
  }

  /** Calls `report()` unless another tab of this user reports the same exposure. */
  deliver(lockName, report) {
    if (this.#locks === null) {
      report();
      return;
    }
    let reported = false;
    const once = () => {
      if (!reported) {
        reported = true;
        report();
      }
    };
    try {
      this.#locks
        .request(lockName, { ifAvailable: true }, (lock) => {
          if (lock === null) return undefined; // another tab holds it: that tab reports
          once();
          return new Promise((release) => this.#releases.push(release));
        })
        .catch(once);
    } catch {
      once();
    }
  }

  /** Releases the locks held (the instance is destroyed or switches user). */
  close() {
    for (const release of this.#releases.splice(0)) release();
  }
}
