// Domains: every monitored domain, soonest expiry first (GET /domains?sort=expires_at, ascending:
// the sooner of certificate chain and registration, which the "Days left" column shows).
// Search, status and tag filters, sorting and paging are the API's, so pages and totals are
// right under any filter. Add one domain, bulk add (POST /domains/bulk with per-line results),
// and select rows to delete, pause/resume or tag them.
import { useEffect, useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { api, unwrap, type Domain, type Schemas } from "../api/client";
import { GradeBadge, StatusBadge } from "../components/badges";
import { daysUntil, formatDays } from "../components/format";
import { Pager } from "../components/Pager";
import { useApi } from "../components/useApi";
import { usePageTitle } from "../components/usePageTitle";
import { parseBulkLines, type BulkLine } from "./bulkLines";

type SortKey = "hostname" | "ssl_days_remaining" | "whois_days_remaining" | "expires_at" | "created_at";
type StatusFilter = "all" | "valid" | "warning" | "critical" | "expired" | "error";
const STATUSES: StatusFilter[] = ["all", "valid", "warning", "critical", "expired", "error"];
const PER_PAGE = 25;

export function DomainsPage() {
  usePageTitle("Domains");
  const [params, setParams] = useSearchParams();
  const page = Number(params.get("page") ?? "1") || 1;
  const status = (params.get("status") ?? "all") as StatusFilter;
  const search = params.get("search") ?? "";
  const sort = (params.get("sort") ?? "expires_at") as SortKey;
  const order = (params.get("order") ?? "asc") as "asc" | "desc";
  const tag = params.get("tag") ?? "";
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [notice, setNotice] = useState<string | null>(null);

  const update = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) if (v === null || v === "") next.delete(k); else next.set(k, v);
    if (!("page" in changes)) next.delete("page");
    setParams(next, { replace: true });
  };

  const list = useApi(
    async () =>
      unwrap(
        await api.GET("/domains", {
          params: { query: { page, per_page: PER_PAGE, status, sort, order, ...(search ? { search } : {}), ...(tag ? { tag } : {}) } },
        }),
      ),
    [page, status, search, sort, order, tag],
  );
  // A domain just added is checked in the background (certificate and registration apart):
  // look again every 2 s while an active domain on the page has no certificate result yet, for
  // at most a minute after the page opened or the last change (a host that never answers
  // keeps it empty).
  const waiting = list.data?.data.some((d) => d.is_active && (d.status === "pending" || d.ssl_days_remaining === null)) ?? false;
  const [polls, setPolls] = useState(0);
  const { reload } = list;
  useEffect(() => {
    if (!waiting || polls >= 30) return;
    const timer = setTimeout(() => {
      setPolls((n) => n + 1);
      reload();
    }, 2000);
    return () => clearTimeout(timer);
  }, [waiting, polls, reload]);
  const rows = list.data?.data ?? [];
  // Suggestions only: the tags seen so far (there is no list of all tags); any tag can be typed.
  const [seenTags, setSeenTags] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => {
    const found = (list.data?.data ?? []).flatMap((d) => d.tags);
    if (found.some((t) => !seenTags.has(t))) setSeenTags(new Set([...seenTags, ...found]));
  }, [list.data, seenTags]);

  const sortBy = (key: SortKey) => update({ sort: key, order: sort === key && order === "asc" ? "desc" : "asc" });
  const ariaSort = (key: SortKey) => (sort === key ? (order === "asc" ? "ascending" : "descending") : "none");
  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id); else next.add(id);
    setSelected(next);
  };
  const done = (message: string) => {
    setNotice(message);
    setSelected(new Set());
    setPolls(0);
    list.reload();
  };

  return (
    <>
      <h1>Domains</h1>
      {notice && <p className="notice" role="status">{notice}</p>}
      <div className="toolbar" role="search">
        <label>
          Search
          <input type="search" defaultValue={search} placeholder="hostname" onChange={(e) => update({ search: e.target.value })} />
        </label>
        <label>
          Status
          <select value={status} onChange={(e) => update({ status: e.target.value })}>
            {STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <label>
          Tag
          <input type="search" list="domain-tags" defaultValue={tag} placeholder="any" onChange={(e) => update({ tag: e.target.value.trim() })} />
          <datalist id="domain-tags">
            {[...seenTags].sort().map((t) => <option key={t} value={t} />)}
          </datalist>
        </label>
      </div>

      <SelectionActions ids={[...selected]} onDone={done} />

      {list.error && <p role="alert" className="error">{list.error}</p>}
      <div className="table-wrap">
        <table className="domains" aria-busy={list.loading}>
          <caption className="visually-hidden">Monitored domains{list.loading ? " (loading)" : ""}</caption>
          <thead>
            <tr>
              <th scope="col"><span className="visually-hidden">Select</span></th>
              <SortHeader label="Hostname" sortKey="hostname" current={ariaSort("hostname")} onSort={sortBy} />
              <th scope="col">Status</th>
              <th scope="col">Grade</th>
              <SortHeader label="Certificate" sortKey="ssl_days_remaining" current={ariaSort("ssl_days_remaining")} onSort={sortBy} />
              <SortHeader label="Registration" sortKey="whois_days_remaining" current={ariaSort("whois_days_remaining")} onSort={sortBy} />
              <SortHeader label="Days left" sortKey="expires_at" current={ariaSort("expires_at")} onSort={sortBy} />
              <th scope="col">Tags</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((d) => <DomainRow key={d.id} domain={d} selected={selected.has(d.id)} onToggle={toggle} />)}
            {!list.loading && rows.length === 0 && (
              <tr><td colSpan={8} className="empty">No domains{search || status !== "all" || tag ? " match these filters" : " yet: add one below"}.</td></tr>
            )}
          </tbody>
        </table>
      </div>
      {list.data && <Pager label="Domains" pagination={list.data.pagination} onPage={(p) => update({ page: String(p) })} />}

      <div className="two-columns">
        <AddDomain onAdded={(hostname) => done(`Added ${hostname}.`)} />
        <BulkAdd onAdded={() => { setPolls(0); list.reload(); }} />
      </div>
    </>
  );
}

function SortHeader({ label, sortKey, current, onSort }: { label: string; sortKey: SortKey; current: "ascending" | "descending" | "none"; onSort: (key: SortKey) => void }) {
  return (
    <th scope="col" aria-sort={current}>
      <button type="button" className="sort" onClick={() => onSort(sortKey)}>
        {label}
        <span aria-hidden="true">{current === "ascending" ? " ▲" : current === "descending" ? " ▼" : ""}</span>
      </button>
    </th>
  );
}

function DomainRow({ domain: d, selected, onToggle }: { domain: Domain; selected: boolean; onToggle: (id: string) => void }) {
  const soonest = daysUntil(d.expires_at);
  return (
    <tr className={d.is_active ? undefined : "paused"}>
      <td>
        <input type="checkbox" checked={selected} onChange={() => onToggle(d.id)} aria-label={`Select ${d.hostname}`} />
      </td>
      <th scope="row">
        <Link to={`/domains/${d.id}`}>{d.hostname}{d.port !== 443 ? `:${d.port}` : ""}</Link>
        {!d.is_active && <span className="badge paused-badge">paused</span>}
      </th>
      <td><StatusBadge status={d.status} /></td>
      <td><GradeBadge grade={d.ssl_grade} /></td>
      <td className="num wide-only">{formatDays(d.ssl_days_remaining)}</td>
      <td className="num wide-only">{formatDays(d.whois_days_remaining)}</td>
      <td className={`num days ${soonest !== null && soonest <= 7 ? "soon" : ""}`} data-label="Days left">{formatDays(soonest)}</td>
      <td>{d.tags.map((t) => <span key={t} className="tag">{t}</span>)}</td>
    </tr>
  );
}

/** Delete, pause, resume or tag the selected domains (one API call each, in turn). */
function SelectionActions({ ids, onDone }: { ids: string[]; onDone: (message: string) => void }) {
  const [tag, setTag] = useState("");
  const [error, setError] = useState<string | null>(null);
  if (ids.length === 0) return null;

  async function each(what: string, action: (id: string) => Promise<void>) {
    setError(null);
    try {
      for (const id of ids) await action(id);
      onDone(`${what}: ${ids.length} domain${ids.length === 1 ? "" : "s"}.`);
    } catch (e) {
      setError((e as Error).message);
    }
  }
  const put = async (id: string, body: { is_active?: boolean; tags?: string[] }) => {
    unwrap(await api.PUT("/domains/{id}", { params: { path: { id } }, body }));
  };
  const addTag = async (id: string) => {
    const domain = unwrap(await api.GET("/domains/{id}", { params: { path: { id } } }));
    if (!domain.tags.includes(tag)) await put(id, { tags: [...domain.tags, tag] });
  };
  const remove = async (id: string) => {
    unwrap(await api.DELETE("/domains/{id}", { params: { path: { id } } }));
  };

  return (
    <section className="selection" aria-label="Selected domains">
      <span>{ids.length} selected</span>
      <button type="button" onClick={() => void each("Paused", (id) => put(id, { is_active: false }))}>Pause</button>
      <button type="button" onClick={() => void each("Resumed", (id) => put(id, { is_active: true }))}>Resume</button>
      <form className="inline" onSubmit={(e) => { e.preventDefault(); if (tag) void each(`Tagged ${tag}`, addTag); }}>
        <label>
          <span className="visually-hidden">Tag to add</span>
          <input value={tag} onChange={(e) => setTag(e.target.value.trim())} placeholder="tag" />
        </label>
        <button type="submit" disabled={!tag}>Add tag</button>
      </form>
      <button
        type="button"
        className="danger"
        onClick={() => { if (window.confirm(`Delete ${ids.length} domain(s)? Their history is kept.`)) void each("Deleted", remove); }}
      >
        Delete
      </button>
      {error && <p role="alert" className="error">{error}</p>}
    </section>
  );
}

function AddDomain({ onAdded }: { onAdded: (hostname: string) => void }) {
  const [error, setError] = useState<string | null>(null);
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const port = String(form.get("port") ?? "").trim();
    const tags = String(form.get("tags") ?? "").split(/[,\s]+/).filter(Boolean);
    setError(null);
    try {
      const created = unwrap(
        await api.POST("/domains", {
          body: { hostname: String(form.get("hostname")).trim(), ...(port ? { port: Number(port) } : {}), ...(tags.length ? { tags } : {}) },
        }),
      );
      formElement.reset();
      onAdded(created.hostname);
    } catch (e) {
      setError((e as Error).message);
    }
  }
  return (
    <form className="card" onSubmit={(e) => void submit(e)} aria-labelledby="add-domain">
      <h2 id="add-domain">Add a domain</h2>
      <label>Hostname<input name="hostname" required placeholder="example.com" /></label>
      <label>Port<input name="port" inputMode="numeric" pattern="\d*" placeholder="443" /></label>
      <label>Tags<input name="tags" placeholder="prod, web" /></label>
      {error && <p role="alert" className="error">{error}</p>}
      <button type="submit" className="primary">Add</button>
    </form>
  );
}

type BulkResult = Schemas["BulkDomainResult"];

function BulkAdd({ onAdded }: { onAdded: () => void }) {
  const [text, setText] = useState("");
  const [sent, setSent] = useState<{ lines: BulkLine[]; results: BulkResult[]; summary: string } | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const lines = parseBulkLines(text);
    if (lines.length === 0) return setError("Paste at least one hostname.");
    setError(null);
    try {
      const result = unwrap(await api.POST("/domains/bulk", { body: { domains: lines.map((l) => l.domain) } }));
      setSent({ lines, results: result.results, summary: `${result.created} added, ${result.conflicts} already monitored, ${result.invalid} invalid.` });
      onAdded();
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <form className="card" onSubmit={(e) => void submit(e)} aria-labelledby="bulk-add">
      <h2 id="bulk-add">Bulk add</h2>
      <label>
        <span>Hostnames, one a line (<code>hostname[,port[,tags]]</code>)</span>
        <textarea name="bulk" rows={5} value={text} onChange={(e) => setText(e.target.value)} placeholder={"example.com\nexample.org,8443,prod"} />
      </label>
      <label>
        <span>Or a CSV file (same columns)</span>
        <input type="file" accept=".csv,text/csv,text/plain" onChange={(e) => void e.target.files?.[0]?.text().then(setText)} />
      </label>
      {error && <p role="alert" className="error">{error}</p>}
      <button type="submit" className="primary">Add all</button>
      {sent && (
        <div className="bulk-results" role="status">
          <p>{sent.summary}</p>
          <ol className="plain">
            {sent.results.map((r) => {
              const line = sent.lines[r.index];
              return (
                <li key={r.index} className={r.status === 201 ? "ok" : "failed"}>
                  Line {line?.line}: <code>{line?.text}</code> — {r.status === 201 ? "added" : r.error}
                </li>
              );
            })}
          </ol>
        </div>
      )}
    </form>
  );
}
