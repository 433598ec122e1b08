// A delivery whose message was composed when it was queued, not rendered from alert facts
// when sent: the e-mail digest (src/reports/digestRunner.ts). Its outbox row has this event
// type and the mail as its payload; only `email` channels send it.
export const DIGEST_EVENT = "digest";

export interface PreparedMail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** The digest period ("2026-12-01", "2026-W49"), for the X-SSLTrackr-Digest header. */
  readonly period: string;
}
