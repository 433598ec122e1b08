// Throwaway PKI and TLS servers for tests: a root CA, intermediates and leaves issued with the
// openssl CLI (`openssl ca` because it is the only 3.0 command that takes exact validity dates),
// and HTTPS servers on loopback that serve a chosen chain. Nothing here touches the network
// beyond 127.0.0.0/8.
import { execFile } from "node:child_process";
import { generateKeyPair, randomBytes, X509Certificate } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import https from "node:https";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type tls from "node:tls";
import { promisify } from "node:util";

const run = promisify(execFile);
const DAY_MS = 86_400_000;

export type KeySpec = { type: "rsa"; bits: number } | { type: "ec"; curve: "P-256" | "P-384" };

export interface CertSpec {
  /** Common name; also the only subject attribute unless `subject` is given. */
  cn: string;
  /** Full subject in openssl's "/C=US/O=Org/CN=name" form (overrides `cn` in the DN). */
  subject?: string;
  /** DNS names or IP addresses for subjectAltName (leaves only). */
  sans?: string[];
  /** Default: one day ago (so clocks a little apart still agree). */
  notBefore?: Date;
  /** Default: notBefore + days. */
  notAfter?: Date;
  /** Validity length when notAfter is not given. Default 90 (leaf) or 3650 (CA). */
  days?: number;
  /** Default RSA 2048. */
  key?: KeySpec;
  /** Digest of the issuer's signature. Default sha256. */
  signatureHash?: "sha1" | "sha256" | "sha384" | "sha512";
  /** Hex serial number. Default: 16 random bytes. */
  serial?: string;
  /** Authority Information Access "CA Issuers" URL (where clients can fetch the issuer). */
  caIssuersUrl?: string;
  /** CRL Distribution Point URL (leaves only). */
  crlUrl?: string;
  /** Authority Information Access OCSP responder URL (leaves only). */
  ocspUrl?: string;
}

export interface IssuedCert {
  certPem: string;
  keyPem: string;
  x509: X509Certificate;
}

/** A CA that can issue further certificates. */
export interface CertificateAuthority extends IssuedCert {
  dir: string;
}

export interface Pki {
  /** Directory holding every generated file; removed by cleanup(). */
  readonly dir: string;
  createRootCa(spec: CertSpec): Promise<CertificateAuthority>;
  createIntermediateCa(issuer: CertificateAuthority, spec: CertSpec): Promise<CertificateAuthority>;
  createLeaf(issuer: CertificateAuthority, spec: CertSpec): Promise<IssuedCert>;
  /**
   * A cross-certificate: `subject`'s name and key, certified by `issuer` (e.g. a new root signed
   * by an old one, or a second copy of an intermediate). `spec` gives the validity; its subject
   * defaults to the subject CA's. The result issues as `subject` does.
   */
  crossSign(issuer: CertificateAuthority, subject: CertificateAuthority, spec?: Omit<CertSpec, "cn" | "subject" | "key">): Promise<CertificateAuthority>;
  /** A self-signed end-entity certificate (not a CA). */
  createSelfSigned(spec: CertSpec): Promise<IssuedCert>;
  /** Finite-field DH parameters (PEM) for DHE servers, e.g. deliberately weak 1024-bit ones. */
  createDhParams(bits: number): Promise<string>;
  /** Marks a certificate issued by `issuer` as revoked in the CA's database (`reason`: an RFC 5280 CRLReason name). */
  revoke(issuer: CertificateAuthority, cert: IssuedCert, reason?: string): Promise<void>;
  /** A DER OCSP response, signed by `issuer`, on `cert`'s current status (for stapling). */
  ocspResponse(issuer: CertificateAuthority, cert: IssuedCert): Promise<Buffer>;
  /** `issuer` as an OCSP responder: the DER response to a DER OCSPRequest, from the CA's database. */
  answerOcsp(issuer: CertificateAuthority, request: Buffer): Promise<Buffer>;
  /** A DER CRL of `issuer`'s revocations, signed with its key. Default: lastUpdate an hour ago, nextUpdate in a day. */
  crl(issuer: CertificateAuthority, validity?: { lastUpdate?: Date; nextUpdate?: Date }): Promise<Buffer>;
  cleanup(): Promise<void>;
}

const CA_EXTENSIONS = [
  "basicConstraints = critical,CA:TRUE",
  "keyUsage = critical,keyCertSign,cRLSign",
  "subjectKeyIdentifier = hash",
  "authorityKeyIdentifier = keyid:always",
];

function leafExtensions(spec: CertSpec): string[] {
  const names = (spec.sans ?? []).map((s) => (net.isIP(s) ? `IP:${s}` : `DNS:${s}`));
  return [
    "basicConstraints = critical,CA:FALSE",
    "keyUsage = critical,digitalSignature,keyEncipherment",
    "extendedKeyUsage = serverAuth",
    "subjectKeyIdentifier = hash",
    "authorityKeyIdentifier = keyid:always",
    ...(names.length > 0 ? [`subjectAltName = ${names.join(",")}`] : []),
    ...(spec.caIssuersUrl || spec.ocspUrl
      ? [`authorityInfoAccess = ${[spec.caIssuersUrl && `caIssuers;URI:${spec.caIssuersUrl}`, spec.ocspUrl && `OCSP;URI:${spec.ocspUrl}`].filter(Boolean).join(",")}`]
      : []),
    ...(spec.crlUrl ? [`crlDistributionPoints = URI:${spec.crlUrl}`] : []),
  ];
}

function caConfig(dir: string): string {
  return [
    "[ ca ]",
    "default_ca = CA_default",
    "[ CA_default ]",
    `dir = ${dir}`,
    "database = $dir/index.txt",
    "new_certs_dir = $dir/newcerts",
    "serial = $dir/serial",
    "policy = policy_any",
    "unique_subject = no",
    "email_in_dn = no",
    "default_md = sha256",
    "[ policy_any ]",
    "countryName = optional",
    "organizationName = optional",
    "organizationalUnitName = optional",
    "commonName = supplied",
    "",
  ].join("\n");
}

/** openssl's GeneralizedTime argument form, e.g. 20250101000000Z (seconds precision). */
function asn1Time(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, "").replace(/\.\d{3}Z$/, "Z");
}

/** 16 random bytes, top bit clear and non-zero first byte: positive and exactly 16 bytes in DER. */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x10;
  return bytes.toString("hex");
}

/** `openssl ca` reads the serial file as whole hex bytes. */
function evenHex(hex: string): string {
  return hex.length % 2 === 1 ? `0${hex}` : hex;
}

function generateKeyPem(spec: KeySpec): Promise<string> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, _publicKey: string, privateKey: string) => (err ? reject(err) : resolve(privateKey));
    const encoding = { privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } } as const;
    if (spec.type === "rsa") generateKeyPair("rsa", { modulusLength: spec.bits, ...encoding }, done);
    else generateKeyPair("ec", { namedCurve: spec.curve, ...encoding }, done);
  });
}

interface IssueRequest {
  /** Directory of the signing CA (its serial file and index). */
  caDir: string;
  issuer?: IssuedCert;
  signerKeyPem: string;
  keyPem: string;
  spec: CertSpec;
  extensions: string[];
  selfSign?: boolean;
  isCa: boolean;
}

class OpensslPki implements Pki {
  private counter = 0;
  // Leaves with the same key spec share one key: key generation dominates test time otherwise.
  private readonly leafKeys = new Map<string, Promise<string>>();
  // `openssl ca` keeps a serial file and index per CA directory: one issuance at a time each.
  private readonly caQueues = new Map<string, Promise<unknown>>();

  constructor(readonly dir: string) {}

  async createRootCa(spec: CertSpec): Promise<CertificateAuthority> {
    const caDir = await this.newCaDir();
    const keyPem = await generateKeyPem(spec.key ?? { type: "rsa", bits: 2048 });
    const issued = await this.issue({ caDir, signerKeyPem: keyPem, keyPem, spec, extensions: CA_EXTENSIONS, selfSign: true, isCa: true });
    return this.asAuthority(caDir, issued);
  }

  async createIntermediateCa(issuer: CertificateAuthority, spec: CertSpec): Promise<CertificateAuthority> {
    const caDir = await this.newCaDir();
    const keyPem = await generateKeyPem(spec.key ?? { type: "rsa", bits: 2048 });
    const issued = await this.issue({ caDir: issuer.dir, issuer, signerKeyPem: issuer.keyPem, keyPem, spec, extensions: CA_EXTENSIONS, isCa: true });
    return this.asAuthority(caDir, issued);
  }

  async crossSign(issuer: CertificateAuthority, subject: CertificateAuthority, spec: Omit<CertSpec, "cn" | "subject" | "key"> = {}): Promise<CertificateAuthority> {
    // "/C=US/O=Org/CN=name" from Node's "C=US\nO=Org\nCN=name" (test names have no special characters).
    const dn = `/${subject.x509.subject.split("\n").join("/")}`;
    const full: CertSpec = { ...spec, cn: dn, subject: dn };
    const issued = await this.issue({ caDir: issuer.dir, issuer, signerKeyPem: issuer.keyPem, keyPem: subject.keyPem, spec: full, extensions: CA_EXTENSIONS, isCa: true });
    return { ...issued, dir: subject.dir };
  }

  /** Keeps the CA's own certificate and key in its directory, for revocation and OCSP. */
  private async asAuthority(caDir: string, issued: IssuedCert): Promise<CertificateAuthority> {
    await Promise.all([writeFile(join(caDir, "ca.pem"), issued.certPem), writeFile(join(caDir, "ca.key"), issued.keyPem)]);
    return { ...issued, dir: caDir };
  }

  revoke(issuer: CertificateAuthority, cert: IssuedCert, reason?: string): Promise<void> {
    return this.withCa(issuer.dir, async () => {
      const file = join(this.dir, `revoke${++this.counter}.pem`);
      await writeFile(file, cert.certPem);
      const ca = (name: string) => join(issuer.dir, name);
      await run("openssl", ["ca", "-config", ca("ca.cnf"), "-keyfile", ca("ca.key"), "-cert", ca("ca.pem"), "-revoke", file, ...(reason ? ["-crl_reason", reason] : [])]);
    });
  }

  answerOcsp(issuer: CertificateAuthority, request: Buffer): Promise<Buffer> {
    return this.withCa(issuer.dir, async () => {
      const base = join(this.dir, `ocspreq${++this.counter}`);
      await writeFile(`${base}.der`, request);
      const ca = (name: string) => join(issuer.dir, name);
      // With -index and -reqin, openssl ocsp answers the request from the CA's database.
      await run("openssl", [
        "ocsp", "-index", ca("index.txt"), "-CA", ca("ca.pem"), "-rsigner", ca("ca.pem"), "-rkey", ca("ca.key"),
        "-reqin", `${base}.der`, "-respout", `${base}.resp`, "-ndays", "1",
      ]);
      return readFile(`${base}.resp`);
    });
  }

  crl(issuer: CertificateAuthority, validity: { lastUpdate?: Date; nextUpdate?: Date } = {}): Promise<Buffer> {
    return this.withCa(issuer.dir, async () => {
      const base = join(this.dir, `crl${++this.counter}`);
      const ca = (name: string) => join(issuer.dir, name);
      const lastUpdate = validity.lastUpdate ?? new Date(Date.now() - 3_600_000);
      const nextUpdate = validity.nextUpdate ?? new Date(Date.now() + DAY_MS);
      await run("openssl", [
        "ca", "-gencrl", "-config", ca("ca.cnf"), "-keyfile", ca("ca.key"), "-cert", ca("ca.pem"), "-md", "sha256",
        "-crl_lastupdate", asn1Time(lastUpdate), "-crl_nextupdate", asn1Time(nextUpdate), "-out", `${base}.pem`,
      ]);
      await run("openssl", ["crl", "-in", `${base}.pem`, "-outform", "DER", "-out", `${base}.der`]);
      return readFile(`${base}.der`);
    });
  }

  ocspResponse(issuer: CertificateAuthority, cert: IssuedCert): Promise<Buffer> {
    return this.withCa(issuer.dir, async () => {
      const base = join(this.dir, `ocsp${++this.counter}`);
      await writeFile(`${base}.pem`, cert.certPem);
      const ca = (name: string) => join(issuer.dir, name);
      // With -index and no -url, openssl ocsp builds the request and answers it itself.
      await run("openssl", [
        "ocsp", "-index", ca("index.txt"), "-CA", ca("ca.pem"), "-rsigner", ca("ca.pem"), "-rkey", ca("ca.key"),
        "-issuer", ca("ca.pem"), "-cert", `${base}.pem`, "-respout", `${base}.der`, "-ndays", "1",
      ]);
      return readFile(`${base}.der`);
    });
  }

  async createLeaf(issuer: CertificateAuthority, spec: CertSpec): Promise<IssuedCert> {
    const keyPem = await this.leafKey(spec.key ?? { type: "rsa", bits: 2048 });
    return this.issue({ caDir: issuer.dir, issuer, signerKeyPem: issuer.keyPem, keyPem, spec, extensions: leafExtensions(spec), isCa: false });
  }

  async createSelfSigned(spec: CertSpec): Promise<IssuedCert> {
    const caDir = await this.newCaDir();
    const keyPem = await this.leafKey(spec.key ?? { type: "rsa", bits: 2048 });
    return this.issue({ caDir, signerKeyPem: keyPem, keyPem, spec, extensions: leafExtensions(spec), selfSign: true, isCa: false });
  }

  async createDhParams(bits: number): Promise<string> {
    const file = join(this.dir, `dh${++this.counter}.pem`);
    // -dsaparam: generating safe primes takes seconds; DSA-style groups are instant.
    await run("openssl", ["dhparam", "-dsaparam", "-out", file, String(bits)]);
    return readFile(file, "utf8");
  }

  async cleanup(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }

  private leafKey(spec: KeySpec): Promise<string> {
    const id = spec.type === "rsa" ? `rsa-${spec.bits}` : `ec-${spec.curve}`;
    let key = this.leafKeys.get(id);
    if (!key) {
      key = generateKeyPem(spec);
      this.leafKeys.set(id, key);
    }
    return key;
  }

  private async newCaDir(): Promise<string> {
    const caDir = join(this.dir, `ca${++this.counter}`);
    await mkdir(join(caDir, "newcerts"), { recursive: true });
    await writeFile(join(caDir, "index.txt"), "");
    await writeFile(join(caDir, "ca.cnf"), caConfig(caDir));
    return caDir;
  }

  private withCa<T>(caDir: string, work: () => Promise<T>): Promise<T> {
    const previous = this.caQueues.get(caDir) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.caQueues.set(caDir, next);
    return next;
  }

  private issue(req: IssueRequest): Promise<IssuedCert> {
    return this.withCa(req.caDir, () => this.issueNow(req));
  }

  private async issueNow(req: IssueRequest): Promise<IssuedCert> {
    const { caDir, spec } = req;
    const base = join(this.dir, `cert${++this.counter}`);
    const notBefore = spec.notBefore ?? new Date(Date.now() - DAY_MS);
    const notAfter = spec.notAfter ?? new Date(notBefore.getTime() + (spec.days ?? (req.isCa ? 3650 : 90)) * DAY_MS);
    const serial = evenHex(spec.serial ?? randomSerial());
    await Promise.all([
      writeFile(`${base}.key`, req.keyPem),
      writeFile(`${base}.signer.key`, req.signerKeyPem),
      writeFile(`${base}.ext`, `[ v3 ]\n${req.extensions.join("\n")}\n`),
      writeFile(join(caDir, "serial"), `${serial}\n`),
      req.issuer ? writeFile(`${base}.issuer.pem`, req.issuer.certPem) : Promise.resolve(),
    ]);
    await run("openssl", ["req", "-new", "-key", `${base}.key`, "-subj", spec.subject ?? `/CN=${spec.cn}`, "-out", `${base}.csr`]);
    await run("openssl", [
      "ca", "-batch", "-notext", "-preserveDN",
      "-config", join(caDir, "ca.cnf"),
      "-keyfile", `${base}.signer.key`,
      ...(req.selfSign ? ["-selfsign"] : ["-cert", `${base}.issuer.pem`]),
      "-in", `${base}.csr`, "-out", `${base}.pem`,
      "-startdate", asn1Time(notBefore), "-enddate", asn1Time(notAfter),
      "-md", spec.signatureHash ?? "sha256",
      "-extfile", `${base}.ext`, "-extensions", "v3",
    ]);
    const certPem = await readFile(`${base}.pem`, "utf8");
    return { certPem, keyPem: req.keyPem, x509: new X509Certificate(certPem) };
  }
}

/** Creates an empty PKI in a fresh temporary directory. Call cleanup() when done. */
export async function createPki(): Promise<Pki> {
  return new OpensslPki(await mkdtemp(join(tmpdir(), "ssltrackr-pki-")));
}

export interface TlsServerOptions {
  /** Loopback address to listen on. Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  leaf: IssuedCert;
  /** Certificates sent after the leaf, in order (usually the intermediates). */
  chain?: IssuedCert[];
  /** Value of the Strict-Transport-Security response header, if any. */
  hsts?: string;
  /** Extra TLS settings (minVersion, maxVersion, ciphers, dhparam, ...). */
  tls?: tls.TlsOptions;
  /** DER OCSP response to staple when a client asks for one. */
  ocspResponse?: Buffer;
}

export interface RunningServer {
  host: string;
  port: number;
  /** SNI names received, in connection order (undefined entries: no SNI). */
  servernames: (string | undefined)[];
  /** TCP connections accepted so far. */
  connectionCount(): number;
  /** When each connection was accepted (ms, performance.now()), and the most open at once. */
  connectionStats?(): { acceptedAt: number[]; peakOpen: number };
  close(): Promise<void>;
}

function listen(server: net.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

function closer(server: net.Server, sockets: Set<net.Socket>): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
}

function trackSockets(server: net.Server): Set<net.Socket> & { accepted: number; acceptedAt: number[]; peakOpen: number } {
  const sockets = Object.assign(new Set<net.Socket>(), { accepted: 0, acceptedAt: [] as number[], peakOpen: 0 });
  server.on("connection", (socket: net.Socket) => {
    sockets.accepted++;
    sockets.acceptedAt.push(performance.now());
    sockets.add(socket);
    // Counted once this loop turn's other events (closes that arrived with this connection)
    // are handled, so a busy test process does not see a closed peer as still open.
    setImmediate(() => (sockets.peakOpen = Math.max(sockets.peakOpen, sockets.size)));
    socket.on("close", () => sockets.delete(socket));
  });
  return sockets;
}

/** An HTTPS server answering every request with 200 (and the HSTS header when given). */
export async function startTlsServer(options: TlsServerOptions): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  const servernames: (string | undefined)[] = [];
  const cert = [options.leaf, ...(options.chain ?? [])].map((c) => c.certPem).join("");
  const server = https.createServer({ key: options.leaf.keyPem, cert, ...options.tls }, (req, res) => {
    if (options.hsts !== undefined) res.setHeader("Strict-Transport-Security", options.hsts);
    res.end("ok\n");
  });
  server.on("secureConnection", (socket: tls.TLSSocket) => {
    const name = (socket as tls.TLSSocket & { servername?: string | false }).servername;
    servernames.push(name || undefined);
  });
  const staple = options.ocspResponse;
  if (staple) server.on("OCSPRequest", (_cert: Buffer, _issuer: Buffer, done: (err: Error | null, response: Buffer) => void) => done(null, staple));
  // Probes that abort handshakes on purpose must not crash the test process.
  server.on("tlsClientError", () => undefined);
  const sockets = trackSockets(server);
  const port = await listen(server, host, options.port ?? 0);
  return {
    host,
    port,
    servernames,
    connectionCount: () => sockets.accepted,
    connectionStats: () => ({ acceptedAt: [...sockets.acceptedAt], peakOpen: sockets.peakOpen }),
    close: closer(server, sockets),
  };
}

/** Accepts TCP connections and never answers: a TLS handshake against it cannot finish. */
export async function startStallingServer(options: { host?: string; port?: number } = {}): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  const server = net.createServer(() => undefined);
  const sockets = trackSockets(server);
  const port = await listen(server, host, options.port ?? 0);
  return { host, port, servernames: [], connectionCount: () => sockets.accepted, close: closer(server, sockets) };
}
