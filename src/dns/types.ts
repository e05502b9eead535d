// What the cluster DNS server's parts agree on: a question, the records of an answer, and the
// lookup that turns one into the other. The wire codec and sockets (server.ts, wire.ts) know
// nothing of Kubernetes; the cluster zone (zone.ts) knows nothing of packets.

/** Record types by their IANA numbers (the ones cluster DNS answers or forwards). */
export const RRType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  ANY: 255,
} as const;

/** Response codes (RFC 1035, 6895). */
export const Rcode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
} as const;

export interface Question {
  /** The name as asked, case preserved, without the trailing dot ("" for the root). */
  name: string;
  type: number;
  /** 1 (IN) for everything the cluster zone answers. */
  class: number;
}

export interface SOAData {
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

export interface SRVData {
  priority: number;
  weight: number;
  port: number;
  target: string;
}

/** One resource record; names without the trailing dot. */
export type RR =
  | { name: string; type: 1; ttl: number; data: string } // A: dotted quad
  | { name: string; type: 28; ttl: number; data: string } // AAAA
  | { name: string; type: 2 | 5 | 12; ttl: number; data: string } // NS, CNAME, PTR: a name
  | { name: string; type: 6; ttl: number; data: SOAData }
  | { name: string; type: 16; ttl: number; data: string[] } // TXT: character-strings
  | { name: string; type: 33; ttl: number; data: SRVData };

export interface Answer {
  rcode: number;
  /** AA: the cluster zone is authoritative for its names. */
  authoritative: boolean;
  answer: RR[];
  authority: RR[];
  additional: RR[];
  /**
   * Set when the answer ends in a name outside the cluster zone that must be resolved upstream
   * (an ExternalName Service asked for A/AAAA): the server resolves `name`/`type` through its
   * upstreams and appends those records to `answer` (when upstream fails, the CNAME stands
   * alone with NOERROR, as CoreDNS answers).
   */
  chase?: { name: string; type: number };
}

/** The cluster zone as the server sees it. */
export interface Lookup {
  /**
   * The answer for a question in one of the zones the cluster serves (the cluster domain and the
   * reverse zones of its addresses), with owner names echoing the question's case; undefined for
   * a name outside them (the server forwards it upstream).
   */
  resolve(q: Question): Answer | undefined;
  /** False until the first full sync from the API: the server answers SERVFAIL meanwhile. */
  ready(): boolean;
  /** Bumps whenever an answer may have changed: the server's answer cache keys on it. */
  generation(): number;
  /** Calls `listener` with the new generation at every change, synchronously (a cache kept outside JavaScript needs the moment). */
  onChange?(listener: (generation: number) => void): void;
}
