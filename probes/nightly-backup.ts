import { defineProbe } from "../src/probe/define-probe.ts";

/**
 * A heartbeat: the nightly database backup pings Afterlife when it ends. No success ping for a
 * day and two hours (period + grace) opens an incident; `/hb/nightly-backup/fail` opens one at once.
 * Locally, `npm start` plays the job and pings it. Private: the status page shows customers the
 * shop, not the back office (drop `public: false` to show it).
 */
export default defineProbe({
  kind: "heartbeat",
  id: "nightly-backup",
  name: "Nightly backup",
  description: "The database backup job ends with a ping to /hb/nightly-backup.",
  group: "Jobs",
  period: "1d",
  grace: "2h",
  slo: { availability: 0.99, window: "30d" },
  // An internal job: it counts, alerts and shows to token holders, but customers do not see it.
  public: false,
});
