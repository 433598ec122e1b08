// A domain's check facts are those of its current target (issue #10, 4). Shared by the read
// models that keep a domain's latest facts under the same column names (the public domains
// table and analytics.domain_status_current): pure, so any projection contract can use it.

/**
 * The columns a DomainUpdated clears: a move to another hostname or port clears the SSL
 * facts, a new hostname the registration's too (port does not matter to a registration),
 * until the new target's checks land. `changes` carries only the fields that changed.
 */
export function factsClearedByMove(changes: { readonly hostname?: string; readonly port?: number }): Record<string, null> {
  const sslMoved = changes.hostname !== undefined || changes.port !== undefined;
  return {
    ...(sslMoved
      ? { ssl_grade: null, ssl_valid_to: null, ssl_earliest_expiry: null, ssl_chain_valid: null, ssl_check_failed: null, ssl_checked_at: null }
      : {}),
    ...(changes.hostname !== undefined ? { whois_expiry: null, whois_check_failed: null, whois_lapsed: null, whois_checked_at: null } : {}),
  };
}
