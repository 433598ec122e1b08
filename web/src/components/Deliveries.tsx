// A delivery log (webhooks, notification channels): newest first, a page at a time, each
// delivery's status, attempts and the receiver's last answer.
import { useState } from "react";
import type { Schemas } from "../api/client";
import { formatInstant } from "./format";
import { Pager } from "./Pager";
import { useApi } from "./useApi";

type Delivery = Pick<Schemas["NotificationDelivery"], "id" | "created_at" | "test" | "status" | "attempts" | "last_status_code" | "last_error"> & { event?: string };
type DeliveryPage = { data: Delivery[]; pagination: Schemas["NotificationDeliveryList"]["pagination"] };

/** `load` fetches one page of the log; `deps` name what it depends on besides the page. */
export function Deliveries({ load, deps }: { load: (page: number) => Promise<DeliveryPage>; deps: readonly unknown[] }) {
  const [page, setPage] = useState(1);
  const deliveries = useApi(() => load(page), [...deps, page]);
  return (
    <div className="table-wrap">
      {deliveries.error && <p role="alert" className="error">{deliveries.error}</p>}
      <table>
        <caption className="visually-hidden">Deliveries</caption>
        <thead><tr><th scope="col">Created</th><th scope="col">Event</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Last answer</th></tr></thead>
        <tbody>
          {deliveries.data?.data.map((d) => (
            <tr key={d.id}>
              <td>{formatInstant(d.created_at)}{d.test ? " (test)" : ""}</td>
              <td>{d.event ?? "—"}</td>
              <td>{d.status}</td>
              <td className="num">{d.attempts}</td>
              <td>{d.last_status_code ?? d.last_error ?? "—"}</td>
            </tr>
          ))}
          {deliveries.data?.data.length === 0 && <tr><td colSpan={5} className="empty">No deliveries yet.</td></tr>}
        </tbody>
      </table>
      {deliveries.data && <Pager label="Deliveries" pagination={deliveries.data.pagination} onPage={setPage} />}
    </div>
  );
}
