// Dates and durations as people read them: UTC instants shown in the browser's time zone.

export const formatInstant = (iso: string | null | undefined): string =>
  iso ? new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : "—";

export const formatDate = (iso: string | null | undefined): string =>
  iso ? new Date(iso).toLocaleDateString(undefined, { dateStyle: "medium" }) : "—";

/**
 * "12 days", "1 day", "expired 3 days ago", or "—" when unknown. `days` is the API's floor of
 * days remaining (-1 all through the first day after expiry), so the whole days since are
 * -days - 1 (as the alerts' messages say it, src/monitoring/alertMessages.ts).
 */
export function formatDays(days: number | null | undefined): string {
  if (days === null || days === undefined) return "—";
  if (days < 0) return days === -1 ? "expired less than a day ago" : `expired ${-days - 1} day${days === -2 ? "" : "s"} ago`;
  return `${days} day${days === 1 ? "" : "s"}`;
}

/** Whole days (floor) from now until a UTC instant, as the API counts `*_days_remaining`; null when unknown. */
export function daysUntil(iso: string | null): number | null {
  return iso === null ? null : Math.floor((Date.parse(iso) - Date.now()) / 86_400_000);
}
