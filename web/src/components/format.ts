// Dates and durations as people read them: UTC instants shown in the browser's time zone.

export const formatInstant = (iso: string | null | undefined): string =>
  iso ? new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : "—";

export const formatDate = (iso: string | null | undefined): string =>
  iso ? new Date(iso).toLocaleDateString(undefined, { dateStyle: "medium" }) : "—";

/** "12 days", "1 day", "expired 3 days ago", or "—" when unknown. */
export function formatDays(days: number | null | undefined): string {
  if (days === null || days === undefined) return "—";
  if (days < 0) return `expired ${-days} day${days === -1 ? "" : "s"} ago`;
  return `${days} day${days === 1 ? "" : "s"}`;
}

/** Whole days (floor) from now until a UTC instant, as the API counts `*_days_remaining`; null when unknown. */
export function daysUntil(iso: string | null): number | null {
  return iso === null ? null : Math.floor((Date.parse(iso) - Date.now()) / 86_400_000);
}
