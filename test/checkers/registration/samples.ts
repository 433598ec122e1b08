// Hand-written WHOIS answers in the layouts real registries use. They keep these tests
// running where the shared corpus is absent; the corpus tests cover the real variety.

/** A thin registry (Verisign style): "{REFERRAL}" is replaced by the registrar's server. */
export const THIN_REGISTRY = `   Domain Name: EXAMPLE.COM
   Registry Domain ID: 2336799_DOMAIN_COM-VRSN
   Registrar WHOIS Server: {REFERRAL}
   Registrar URL: http://www.registrar.test
   Updated Date: 2024-08-14T07:01:34Z
   Creation Date: 1995-08-14T04:00:00Z
   Registry Expiry Date: 2025-08-13T04:00:00Z
   Registrar: Example Registrar, Inc.
   Registrar IANA ID: 376
   Domain Status: clientDeleteProhibited https://icann.org/epp#clientDeleteProhibited
   Domain Status: clientTransferProhibited https://icann.org/epp#clientTransferProhibited
   Name Server: A.IANA-SERVERS.NET
   Name Server: B.IANA-SERVERS.NET
   DNSSEC: signedDelegation
   URL of the ICANN Whois Inaccuracy Complaint Form: https://www.icann.org/wicf/
>>> Last update of whois database: 2024-09-01T00:00:00Z <<<

TERMS OF USE: You are not authorized to access or query our Whois database through
the use of high-volume, automated processes. Exceeding query rate limits may lead to
your access being blocked.
`;

/** The registrar's answer: its own (later, auto-renewed) expiry and GDPR redactions. */
export const REGISTRAR_ANSWER = `Domain Name: example.com
Registry Domain ID: 2336799_DOMAIN_COM-VRSN
Registrar WHOIS Server: whois.registrar.test
Creation Date: 1995-08-13T21:00:00-0700
Registrar Registration Expiration Date: 2026-08-13T04:00:00Z
Registrar: Example Registrar, Inc.
Registrant Name: REDACTED FOR PRIVACY
Registrant Organization: REDACTED FOR PRIVACY
Name Server: a.iana-servers.net.
Name Server: b.iana-servers.net.
DNSSEC: signedDelegation
`;

/** Nominet (.uk) layout: headings with indented values. */
export const NOMINET = `
    Domain name:
        example.co.uk

    Registrar:
        Example Registrar Ltd [Tag = EXAMPLE]
        URL: https://registrar.example

    Relevant dates:
        Registered on: 14-Feb-1999
        Expiry date:  14-Feb-2030
        Last updated:  13-Jan-2024

    Name servers:
        NS1.EXAMPLE.NET.
        ns2.example.net
        ns1.example.net

    WHOIS lookup made at 21:25:26 18-Nov-2024
`;

/** JPRS (.jp) layout: bracketed keys, an empty signing key for an unsigned delegation. */
export const JPRS = `[ JPRS database provides information on network administration. ]
Domain Information:
[Domain Name]                   EXAMPLE.JP
[Name Server]                   ns1.example.jp
[Name Server]                   ns2.example.jp
[Signing Key]
[Created on]                    2005/05/30
[Expires on]                    2030/05/31
[Status]                        Active
[Last Updated]                  2024/06/01 01:05:09 (JST)
`;

/** RIPE-like ccTLD answer with a non-ASCII registrar name, to be sent as Latin-1. */
export const LATIN1_REGISTRY = `domain:      example.ee
status:      ok (paid and in zone)
registered:  2011-01-23 00:00:07 +02:00
expire:      2030-01-24
Registrar:
name:        Société Générale Domaines OÜ
url:         http://www.registrar.example
nserver:     ns1.example.ee
nserver:     ns2.example.ee
`;

export const THROTTLED_ANSWERS = [
  "WHOIS LIMIT EXCEEDED - SEE WWW.PIR.ORG/WHOIS FOR DETAILS\r\n",
  "%% Too many queries from your IP address, please try again later.\n",
  "Your connection limit exceeded. Please slow down and try again later.\n",
  "% Query rate limit exceeded. Access temporarily denied.\n",
];

export const NOT_FOUND_ANSWERS = [
  'No match for "NOPE-EXAMPLE.COM".\r\n>>> Last update of whois database: 2024-09-01T00:00:00Z <<<\r\n',
  "Domain: nope-example.de\nStatus: free\n",
  "%%\n%% This is the AFNIC Whois server.\n%%\n\n%% NOT FOUND\n",
  "NOT FOUND\n>>> Last update of WHOIS database: 2024-09-01T00:00:00Z <<<\n",
];
