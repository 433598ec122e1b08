import { useEffect } from "react";

export interface Pagination {
  readonly page: number;
  readonly total_pages: number;
  readonly total: number;
}

/**
 * Previous/next paging over an API list's pagination block. A page past the end (its last rows
 * just deleted or revoked, alerts leaving a state filter, an old link) would show an empty list
 * and no pager to leave it, so every list moves to the last page there is.
 */
export function Pager({ pagination, onPage, label }: { pagination: Pagination; onPage: (page: number) => void; label: string }) {
  const last = Math.max(pagination.total_pages, 1);
  useEffect(() => {
    if (pagination.page > last) onPage(last);
  }, [pagination.page, last, onPage]);
  if (pagination.total_pages <= 1) return null;
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      <button type="button" disabled={pagination.page <= 1} onClick={() => onPage(pagination.page - 1)}>Previous</button>
      <span>
        Page {pagination.page} of {pagination.total_pages} ({pagination.total} in all)
      </span>
      <button type="button" disabled={pagination.page >= pagination.total_pages} onClick={() => onPage(pagination.page + 1)}>Next</button>
    </nav>
  );
}
