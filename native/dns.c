// Cluster DNS's UDP fast path: the UDP socket, read and answered in batches (recvmmsg, sendmmsg)
// on a thread of its own, from a table of encoded answers that JavaScript fills
// (src/dns/native-udp.ts, src/dns/server.ts). A query is answered here only when it is plain (one
// question, no compression, at most one OPT, EDNS version 0), comes from an allowed IPv4 client,
// and its answer for this generation of the zone is in the table and fits the client's UDP limit;
// everything else goes to JavaScript unchanged, which answers it as it always did and sends the
// reply through this socket. The answer is the stored one with the client's ID, RD and CD bits and
// EDNS size patched in: byte for byte what JavaScript's cache would send.
//
// Threads: `mu` guards the table and the counters; JavaScript's calls take it, the UDP thread takes
// it once per batch. A generation change (any change to the zone) makes every older entry dead at
// once, so an answer from before a change is never served after it.
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <node_api.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define MAX_DGRAM 65536
#define TABLE_BITS 14 /* 16,384 entries */
#define TABLE_SIZE (1u << TABLE_BITS)
#define PROBES 8
#define MAX_KEY 260  /* question (<= 255 + 4) + the EDNS byte */
#define MAX_ANSWER 4096
#define HEADER 12
#define MIN_UDP 512
#define OUR_UDP 1232
#define QUEUE_MAX 4096 /* queries waiting for JavaScript; more are dropped (a client retries) */
#define NBUCKETS 20    /* server.ts LATENCY_BOUNDS_US, then +Inf */

static const double BOUNDS_US[NBUCKETS - 1] = {5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000, 5000000};

typedef struct {
  uint32_t hash;
  uint32_t gen;
  uint16_t klen, alen;
  uint8_t rcode;
  bool has_opt;
  uint16_t qtype;
  uint8_t *bytes; /* key, then answer */
} Entry;

typedef struct {
  uint32_t network, size;
} Cidr;

typedef struct {
  uint32_t ip; /* host order */
  uint16_t port;
  uint32_t len;
  uint8_t data[];
} Miss;

typedef struct {
  pthread_mutex_t mu;
  pthread_t thread;
  bool running, stop, closed;
  int fd, wake;
  uint32_t gen;
  bool caching;
  Entry *table;
  uint32_t entries;
  Cidr *allow;
  uint32_t nallow;
  napi_threadsafe_function tsfn;
  /* counters of what this side answered */
  double answered, dropped;
  double types[256];
  double rcodes[32];
  double lat[NBUCKETS];
  double lat_sum_us;
  /* batch buffers */
  uint8_t *in;  /* BATCH * MAX_DGRAM */
  uint8_t *out; /* BATCH * MAX_ANSWER */
} Server;

static uint32_t fnv1a(const uint8_t *p, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
  return h;
}

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* ---- the query: what server.ts's scanQuery would call SCAN_OK, in its plainest forms only ---- */

typedef struct {
  uint32_t qend;   /* end of the question */
  uint16_t qtype;
  uint16_t flags;
  uint32_t udp;    /* the client's UDP limit */
  uint8_t edns;    /* 0 none, 1 OPT, 2 OPT with DO */
} Query;

/* true when the datagram is a query this side may answer from the table */
static bool parse(const uint8_t *m, uint32_t len, Query *q) {
  if (len < HEADER) return false;
  q->flags = (uint16_t)(m[2] << 8 | m[3]);
  if (q->flags & 0x8000) return false;            /* a response */
  if ((q->flags >> 11) & 0xf) return false;        /* opcode other than QUERY */
  uint16_t qd = (uint16_t)(m[4] << 8 | m[5]), an = (uint16_t)(m[6] << 8 | m[7]), ns = (uint16_t)(m[8] << 8 | m[9]), ar = (uint16_t)(m[10] << 8 | m[11]);
  if (qd != 1 || an != 0 || ns != 0 || ar > 1) return false;
  uint32_t off = HEADER, total = 1;
  for (;;) {
    if (off >= len) return false;
    uint8_t l = m[off];
    if (l == 0) {
      off++;
      break;
    }
    if (l > 63) return false;
    total += l + 1u;
    if (total > 255) return false;
    off += l + 1u;
  }
  if (off + 4 > len) return false;
  q->qtype = (uint16_t)(m[off] << 8 | m[off + 1]);
  if (q->qtype == 41) return false; /* OPT as a question */
  off += 4;
  q->qend = off;
  q->edns = 0;
  q->udp = MIN_UDP;
  if (ar == 0) return true;
  /* one OPT: root owner, options tiling the rdata exactly, version 0 */
  if (off + 11 > len || m[off] != 0) return false;
  if ((m[off + 1] << 8 | m[off + 2]) != 41) return false;
  uint32_t rdlen = (uint32_t)(m[off + 9] << 8 | m[off + 10]);
  uint32_t rdata = off + 11;
  if (rdata + rdlen > len) return false;
  uint32_t o = rdata;
  while (o < rdata + rdlen) {
    if (o + 4 > rdata + rdlen) return false;
    o += 4 + (uint32_t)(m[o + 2] << 8 | m[o + 3]);
  }
  if (o != rdata + rdlen) return false;
  if (m[off + 6] != 0) return false; /* EDNS version: BADVERS is JavaScript's */
  uint32_t size = (uint32_t)(m[off + 3] << 8 | m[off + 4]);
  q->udp = size > MIN_UDP ? size : MIN_UDP;
  q->edns = (m[off + 7] & 0x80) ? 2 : 1;
  return true;
}

/* ---- the table ---- */

static void entry_free(Entry *e) {
  free(e->bytes);
  memset(e, 0, sizeof *e);
}

/* the live entry for key, or NULL (mu held) */
static Entry *find(Server *s, const uint8_t *key, uint32_t klen, uint32_t hash) {
  for (uint32_t i = 0; i < PROBES; i++) {
    Entry *e = &s->table[(hash + i) & (TABLE_SIZE - 1)];
    if (e->bytes && e->gen == s->gen && e->hash == hash && e->klen == klen && memcmp(e->bytes, key, klen) == 0) return e;
  }
  return NULL;
}

static bool allowed(Server *s, uint32_t ip) {
  for (uint32_t i = 0; i < s->nallow; i++)
    if (ip - s->allow[i].network < s->allow[i].size) return true;
  return false;
}

/* ---- the UDP thread ---- */

static void to_js(Server *s, const uint8_t *data, uint32_t len, const struct sockaddr_in *from) {
  Miss *m = malloc(sizeof *m + len);
  if (!m) return;
  m->ip = ntohl(from->sin_addr.s_addr);
  m->port = ntohs(from->sin_port);
  m->len = len;
  memcpy(m->data, data, len);
  if (!s->tsfn || napi_call_threadsafe_function(s->tsfn, m, napi_tsfn_nonblocking) != napi_ok) {
    free(m);
    s->dropped++;
  }
}

static void *udp_main(void *arg) {
  Server *s = arg;
  struct mmsghdr in[BATCH], out[BATCH];
  struct iovec iin[BATCH], iout[BATCH];
  struct sockaddr_in from[BATCH];
  uint8_t key[MAX_KEY];
  for (int i = 0; i < BATCH; i++) {
    iin[i].iov_base = s->in + (size_t)i * MAX_DGRAM;
    iin[i].iov_len = MAX_DGRAM;
  }
  struct pollfd pfd[2] = {{.fd = s->fd, .events = POLLIN}, {.fd = s->wake, .events = POLLIN}};
  for (;;) {
    if (poll(pfd, 2, -1) < 0 && errno != EINTR) break;
    if (pfd[1].revents) break;
    for (;;) {
      for (int i = 0; i < BATCH; i++) {
        memset(&in[i].msg_hdr, 0, sizeof in[i].msg_hdr);
        in[i].msg_hdr.msg_iov = &iin[i];
        in[i].msg_hdr.msg_iovlen = 1;
        in[i].msg_hdr.msg_name = &from[i];
        in[i].msg_hdr.msg_namelen = sizeof from[i];
      }
      int n = recvmmsg(s->fd, in, BATCH, MSG_DONTWAIT, NULL);
      if (n <= 0) break;
      double t0 = now_us();
      int nout = 0;
      pthread_mutex_lock(&s->mu);
      for (int i = 0; i < n; i++) {
        const uint8_t *m = iin[i].iov_base;
        uint32_t len = in[i].msg_len;
        Query q;
        bool hit = false;
        if (s->caching && !(in[i].msg_hdr.msg_flags & MSG_TRUNC) && in[i].msg_hdr.msg_namelen == sizeof(struct sockaddr_in) &&
            allowed(s, ntohl(from[i].sin_addr.s_addr)) && parse(m, len, &q)) {
          uint32_t klen = q.qend - HEADER;
          memcpy(key, m + HEADER, klen);
          key[klen++] = q.edns;
          Entry *e = find(s, key, klen, fnv1a(key, klen));
          if (e && e->alen <= q.udp) {
            uint8_t *o = s->out + (size_t)nout * MAX_ANSWER;
            memcpy(o, e->bytes + e->klen, e->alen);
            o[0] = m[0];
            o[1] = m[1];
            o[2] |= (uint8_t)((q.flags & 0x0100) >> 8); /* RD */
            o[3] |= (uint8_t)(q.flags & 0x0010);        /* CD */
            if (e->has_opt) {
              uint32_t size = q.udp < OUR_UDP ? q.udp : OUR_UDP;
              o[e->alen - 8] = (uint8_t)(size >> 8);
              o[e->alen - 7] = (uint8_t)size;
            }
            iout[nout].iov_base = o;
            iout[nout].iov_len = e->alen;
            memset(&out[nout].msg_hdr, 0, sizeof out[nout].msg_hdr);
            out[nout].msg_hdr.msg_iov = &iout[nout];
            out[nout].msg_hdr.msg_iovlen = 1;
            out[nout].msg_hdr.msg_name = &from[i];
            out[nout].msg_hdr.msg_namelen = sizeof from[i];
            nout++;
            s->answered++;
            s->types[e->qtype < 256 ? e->qtype : 0]++;
            s->rcodes[e->rcode & 31]++;
            hit = true;
          }
        }
        if (!hit) to_js(s, m, len, &from[i]);
      }
      pthread_mutex_unlock(&s->mu);
      for (int sent = 0; sent < nout;) {
        int k = sendmmsg(s->fd, out + sent, (unsigned)(nout - sent), 0);
        if (k <= 0) {
          if (k < 0 && errno == EINTR) continue;
          break; /* a full send buffer: the rest are lost, as a datagram may be */
        }
        sent += k;
      }
      if (nout > 0) {
        double us = now_us() - t0;
        int b = 0;
        while (b < NBUCKETS - 1 && us > BOUNDS_US[b]) b++;
        pthread_mutex_lock(&s->mu);
        s->lat[b] += nout;
        s->lat_sum_us += us * nout;
        pthread_mutex_unlock(&s->mu);
      }
      if (n < BATCH) break;
    }
  }
  return NULL;
}

/* ---- to JavaScript ---- */

static void call_js(napi_env env, napi_value js_cb, void *context, void *data) {
  (void)context;
  Miss *m = data;
  if (env && js_cb) {
    napi_value argv[3], global;
    void *copy;
    char ip[16];
    uint32_t a = m->ip;
    snprintf(ip, sizeof ip, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
    if (napi_create_buffer_copy(env, m->len, m->data, &copy, &argv[0]) == napi_ok && napi_create_string_utf8(env, ip, NAPI_AUTO_LENGTH, &argv[1]) == napi_ok &&
        napi_create_uint32(env, m->port, &argv[2]) == napi_ok && napi_get_global(env, &global) == napi_ok)
      napi_call_function(env, global, js_cb, 3, argv, NULL);
  }
  free(m);
}

static void server_free(Server *s) {
  if (s->table)
    for (uint32_t i = 0; i < TABLE_SIZE; i++) entry_free(&s->table[i]);
  free(s->table);
  free(s->allow);
  free(s->in);
  free(s->out);
  pthread_mutex_destroy(&s->mu);
  free(s);
}

static void tsfn_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  server_free(data);
}

/* ---- the functions JavaScript calls ---- */

#define CHECK(call)                                                  \
  do {                                                               \
    if ((call) != napi_ok) {                                         \
      napi_throw_error(env, NULL, "dns addon: bad arguments");       \
      return NULL;                                                   \
    }                                                                \
  } while (0)

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char msg[200];
  const char *code = err == EADDRINUSE ? "EADDRINUSE" : err == EACCES ? "EACCES" : err == EADDRNOTAVAIL ? "EADDRNOTAVAIL" : "EIO";
  snprintf(msg, sizeof msg, "%s %s %s", what, code, strerror(err));
  napi_value e, c, m;
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m);
  napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &c);
  napi_create_error(env, c, m, &e);
  napi_throw(env, e);
  return NULL;
}

/* What JavaScript holds: the server until close(), then nothing (the server is freed later). */
typedef struct {
  Server *s;
} Handle;

static void handle_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  free(data);
}

static Handle *handle_of(napi_env env, napi_value v) {
  void *p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok || !p) {
    napi_throw_error(env, NULL, "dns addon: not a server handle");
    return NULL;
  }
  return p;
}

static Server *unwrap(napi_env env, napi_value v) {
  Handle *h = handle_of(env, v);
  if (!h) return NULL;
  if (!h->s) {
    napi_throw_error(env, NULL, "dns addon: the server is closed");
    return NULL;
  }
  return h->s;
}

/* open(ip, port, allow: Uint32Array [network, size]..., onQuery(buf, ip, port)) -> [handle, port] */
static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char ip[64];
  size_t iplen;
  uint32_t port;
  CHECK(napi_get_value_string_utf8(env, argv[0], ip, sizeof ip, &iplen));
  CHECK(napi_get_value_uint32(env, argv[1], &port));
  napi_typedarray_type tt;
  size_t alen;
  void *adata;
  CHECK(napi_get_typedarray_info(env, argv[2], &tt, &alen, &adata, NULL, NULL));
  if (tt != napi_uint32_array || alen % 2) {
    napi_throw_error(env, NULL, "dns addon: allow must be a Uint32Array of [network, size] pairs");
    return NULL;
  }
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (port > 65535 || inet_pton(AF_INET, ip, &sa.sin_addr) != 1) {
    napi_throw_error(env, NULL, "dns addon: not an IPv4 address and port");
    return NULL;
  }
  Server *s = calloc(1, sizeof *s);
  if (!s) return throw_errno(env, "dns", ENOMEM);
  pthread_mutex_init(&s->mu, NULL);
  s->fd = s->wake = -1;
  s->table = calloc(TABLE_SIZE, sizeof *s->table);
  s->in = malloc((size_t)BATCH * MAX_DGRAM);
  s->out = malloc((size_t)BATCH * MAX_ANSWER);
  s->nallow = (uint32_t)(alen / 2);
  s->allow = malloc((s->nallow ? s->nallow : 1) * sizeof *s->allow);
  if (!s->table || !s->in || !s->out || !s->allow) {
    server_free(s);
    return throw_errno(env, "dns", ENOMEM);
  }
  for (uint32_t i = 0; i < s->nallow; i++) {
    s->allow[i].network = ((uint32_t *)adata)[2 * i];
    s->allow[i].size = ((uint32_t *)adata)[2 * i + 1];
  }
  int one = 1, buf = 4 << 20;
  s->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  int err = s->fd < 0 ? errno : 0;
  if (!err) {
    setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    setsockopt(s->fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    if (bind(s->fd, (struct sockaddr *)&sa, sizeof sa) < 0) err = errno;
  }
  socklen_t slen = sizeof sa;
  if (!err && getsockname(s->fd, (struct sockaddr *)&sa, &slen) < 0) err = errno;
  if (!err && (s->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) err = errno;
  if (err) {
    if (s->fd >= 0) close(s->fd);
    if (s->wake >= 0) close(s->wake);
    server_free(s);
    return throw_errno(env, "bind", err);
  }
  napi_value name;
  napi_create_string_utf8(env, "tinykube dns", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, argv[3], NULL, name, QUEUE_MAX, 1, s, tsfn_finalize, NULL, call_js, &s->tsfn) != napi_ok) {
    close(s->fd);
    close(s->wake);
    server_free(s);
    napi_throw_error(env, NULL, "dns addon: cannot create the thread-safe function");
    return NULL;
  }
  napi_unref_threadsafe_function(env, s->tsfn);
  if (pthread_create(&s->thread, NULL, udp_main, s) != 0) {
    close(s->fd);
    close(s->wake);
    s->closed = true;
    napi_release_threadsafe_function(s->tsfn, napi_tsfn_abort); /* frees s */
    napi_throw_error(env, NULL, "dns addon: cannot start the UDP thread");
    return NULL;
  }
  s->running = true;
  Handle *h = malloc(sizeof *h);
  if (!h) {
    napi_throw_error(env, NULL, "dns addon: out of memory");
    return NULL;
  }
  h->s = s;
  napi_value handle, p, result;
  CHECK(napi_create_external(env, h, handle_finalize, NULL, &handle));
  CHECK(napi_create_uint32(env, ntohs(sa.sin_port), &p));
  CHECK(napi_create_array_with_length(env, 2, &result));
  napi_set_element(env, result, 0, handle);
  napi_set_element(env, result, 1, p);
  return result;
}

/* send(handle, buf, ip, port): a reply made by JavaScript, from this socket */
static napi_value js_send(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Server *s = unwrap(env, argv[0]);
  if (!s) return NULL;
  void *data;
  size_t len;
  char ip[64];
  size_t iplen;
  uint32_t port;
  CHECK(napi_get_buffer_info(env, argv[1], &data, &len));
  CHECK(napi_get_value_string_utf8(env, argv[2], ip, sizeof ip, &iplen));
  CHECK(napi_get_value_uint32(env, argv[3], &port));
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (inet_pton(AF_INET, ip, &sa.sin_addr) != 1) return NULL; /* no IPv4 client: nothing to send */
  sendto(s->fd, data, len, MSG_DONTWAIT, (struct sockaddr *)&sa, sizeof sa);
  return NULL;
}

/* generation(handle, gen): the zone's generation now; older entries are dead from here on */
static napi_value js_generation(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Server *s = unwrap(env, argv[0]);
  if (!s) return NULL;
  uint32_t gen;
  CHECK(napi_get_value_uint32(env, argv[1], &gen));
  pthread_mutex_lock(&s->mu);
  s->gen = gen;
  s->caching = true;
  pthread_mutex_unlock(&s->mu);
  return NULL;
}

/* put(handle, gen, key, answer, rcode, qtype, hasOpt): an answer JavaScript made for that generation */
static napi_value js_put(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Server *s = unwrap(env, argv[0]);
  if (!s) return NULL;
  uint32_t gen, rcode, qtype;
  void *key, *ans;
  size_t klen, alen;
  bool has_opt;
  CHECK(napi_get_value_uint32(env, argv[1], &gen));
  CHECK(napi_get_buffer_info(env, argv[2], &key, &klen));
  CHECK(napi_get_buffer_info(env, argv[3], &ans, &alen));
  CHECK(napi_get_value_uint32(env, argv[4], &rcode));
  CHECK(napi_get_value_uint32(env, argv[5], &qtype));
  CHECK(napi_get_value_bool(env, argv[6], &has_opt));
  if (klen == 0 || klen > MAX_KEY || alen < HEADER || alen > MAX_ANSWER || (has_opt && alen < HEADER + 11)) return NULL;
  uint8_t *bytes = malloc(klen + alen);
  if (!bytes) return NULL;
  memcpy(bytes, key, klen);
  memcpy(bytes + klen, ans, alen);
  uint32_t hash = fnv1a(key, klen);
  pthread_mutex_lock(&s->mu);
  if (gen != s->gen) {
    pthread_mutex_unlock(&s->mu);
    free(bytes);
    return NULL;
  }
  Entry *slot = NULL;
  for (uint32_t i = 0; i < PROBES && !slot; i++) {
    Entry *e = &s->table[(hash + i) & (TABLE_SIZE - 1)];
    bool same = e->bytes && e->hash == hash && e->klen == klen && memcmp(e->bytes, key, klen) == 0;
    if (same || !e->bytes || e->gen != s->gen) slot = e;
  }
  if (!slot) slot = &s->table[hash & (TABLE_SIZE - 1)]; /* all probes live: the first gives way */
  if (slot->bytes) entry_free(slot);
  else s->entries++;
  *slot = (Entry){.hash = hash, .gen = gen, .klen = (uint16_t)klen, .alen = (uint16_t)alen, .rcode = (uint8_t)rcode, .has_opt = has_opt, .qtype = (uint16_t)qtype, .bytes = bytes};
  pthread_mutex_unlock(&s->mu);
  return NULL;
}

/* stats(handle) -> Float64Array: answered, dropped, types[256], rcodes[32], latency[20], latency sum (µs) */
static napi_value js_stats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Server *s = unwrap(env, argv[0]);
  if (!s) return NULL;
  size_t n = 2 + 256 + 32 + NBUCKETS + 1;
  napi_value ab, arr;
  double *d;
  CHECK(napi_create_arraybuffer(env, n * sizeof(double), (void **)&d, &ab));
  pthread_mutex_lock(&s->mu);
  size_t k = 0;
  d[k++] = s->answered;
  d[k++] = s->dropped;
  for (int i = 0; i < 256; i++) d[k++] = s->types[i];
  for (int i = 0; i < 32; i++) d[k++] = s->rcodes[i];
  for (int i = 0; i < NBUCKETS; i++) d[k++] = s->lat[i];
  d[k++] = s->lat_sum_us;
  pthread_mutex_unlock(&s->mu);
  CHECK(napi_create_typedarray(env, napi_float64_array, n, ab, 0, &arr));
  return arr;
}

/* close(handle): the thread stops and the socket closes; queries still queued for JavaScript are dropped */
static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Handle *h = handle_of(env, argv[0]);
  if (!h) return NULL;
  Server *s = h->s;
  if (!s) return NULL; /* closed already */
  h->s = NULL;
  s->closed = true;
  uint64_t one = 1;
  ssize_t w = write(s->wake, &one, sizeof one);
  (void)w;
  if (s->running) pthread_join(s->thread, NULL);
  s->running = false;
  close(s->fd);
  close(s->wake);
  napi_release_threadsafe_function(s->tsfn, napi_tsfn_abort); /* its finalizer frees s */
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL},
      {"send", NULL, js_send, NULL, NULL, NULL, napi_default, NULL},
      {"generation", NULL, js_generation, NULL, NULL, NULL, napi_default, NULL},
      {"put", NULL, js_put, NULL, NULL, NULL, napi_default, NULL},
      {"stats", NULL, js_stats, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
