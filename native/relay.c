// The userspace proxy's TCP data plane: listening sockets, endpoint choice, connects with timeout
// and retry, and the byte relay both ways, on one pthread per Node environment with edge-triggered
// epoll. JavaScript (src/proxy/userspace/tcp-native.ts) decides what listens where and which
// endpoints are usable; this file only carries bytes and counts them.
//
// Threads: the relay thread holds `mu` while it handles a batch of epoll events and releases it
// around epoll_wait; every call from JavaScript takes it. An object that an event already returned
// by epoll_wait may still point to is never freed at once: it is marked dead and put on a
// graveyard that the relay thread empties at the end of its batch.
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <node_api.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SCRATCH_SIZE (64 * 1024)
#define READ_BUDGET 16   /* reads per direction per turn (1 MiB), then other connections get theirs */
#define ACCEPT_BUDGET 64 /* accepts per listener event */
#define MAX_EVENTS 256
#define LISTEN_BACKLOG 4096
#define ACCEPT_PAUSE_MS 100 /* after EMFILE and the like, so the listener does not spin */
#define AFFINITY_PRUNE_AT 4096
#define FREELIST_MAX 1024
#define INLINE_TRIED 4
#define SLOT_BITS 20 /* ids: generation << SLOT_BITS | slot */
#define SLOT_MASK ((1u << SLOT_BITS) - 1)

enum { TAG_WAKE = 1, TAG_LISTENER, TAG_CLIENT, TAG_UPSTREAM };
enum { CONNECTING = 1, RELAYING, DEAD };

typedef struct {
  uint32_t ip; /* host byte order */
  uint16_t port;
} Endpoint;

typedef struct AffinityEntry {
  struct AffinityEntry *next;
  uint32_t client;
  Endpoint ep;
  int64_t last_ms;
} AffinityEntry;

/* The usable endpoints of one traffic class and its round-robin position. */
typedef struct {
  Endpoint *eps;
  uint32_t n;
  uint32_t next;
} Pool;

/* One service port: endpoint pools per traffic class and the ClientIP affinity table its listeners share. */
typedef struct {
  uint32_t id;
  int refs; /* JavaScript's handle + each listener */
  bool random;
  Pool pool[2];
  int64_t affinity_ms; /* 0: no affinity */
  AffinityEntry **buckets;
  uint32_t nbuckets;
  uint32_t size;
} Group;

/* One socket of a connection. `pend` holds bytes for this socket that it did not take yet. */
typedef struct {
  uint8_t tag;
  bool rd;    /* may have bytes (or EOF) to read */
  bool rdhup; /* the peer's FIN has arrived: read on until 0 */
  bool eof;   /* read returned 0 */
  bool shut;  /* shutdown(SHUT_WR) done: this socket gets nothing more */
  int fd;
  char *pend;
  uint32_t pend_off, pend_len;
} Side;

struct Listener;

typedef struct Conn {
  Side c; /* client */
  Side u; /* upstream (endpoint) */
  uint8_t state;
  bool in_run;
  struct Listener *l;
  struct Conn *lprev, *lnext; /* the listener's connections */
  struct Conn *qprev, *qnext; /* connecting, by deadline */
  struct Conn *rprev, *rnext; /* run queue: connections with reading left over */
  struct Conn *gnext;         /* graveyard, free list */
  uint32_t client_ip;
  Endpoint ep;
  int64_t deadline;
  uint32_t ntried, cap_tried;
  Endpoint *tried;
  Endpoint tried_inline[INLINE_TRIED];
} Conn;

typedef struct Listener {
  uint8_t tag;
  bool dead;
  bool paused;
  int fd;
  uint32_t id;
  Group *g;
  int cls;
  int timeout_ms;
  int64_t resume_ms;
  Conn *conns;
  struct Listener *gnext;
  double total, active, bytes_in, bytes_out, errors;
} Listener;

typedef struct {
  uint32_t listener;
  char text[200];
} Message;

typedef struct {
  napi_env env;
  pthread_mutex_t mu;
  pthread_t thread;
  bool running;
  bool stop;
  int ep;
  int wake;
  uint8_t wake_tag;
  char *scratch;
  uint32_t gen;
  Listener **listeners;
  uint32_t cap_listeners, nlisteners;
  Group **groups;
  uint32_t cap_groups, ngroups;
  uint32_t nconns;
  Conn *conn_head, *conn_tail; /* connecting, sorted by deadline */
  Conn *run_head, *run_tail;
  Conn *grave;
  Listener *grave_listeners;
  Conn *free_conns;
  uint32_t nfree;
  uint32_t npaused;
  uint64_t rng;
  napi_ref log_fn;
  napi_threadsafe_function tsfn;
} Relay;

/* ---- small helpers ---- */

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint32_t rand32(Relay *r) {
  uint64_t x = r->rng;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  r->rng = x;
  return (uint32_t)((x * 0x2545F4914F6CDD1DULL) >> 32);
}

static const char *errno_code(int e) {
  switch (e) {
    case EADDRINUSE: return "EADDRINUSE";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case EINVAL: return "EINVAL";
    case EMFILE: return "EMFILE";
    case ENFILE: return "ENFILE";
    case ENOBUFS: return "ENOBUFS";
    case ENOMEM: return "ENOMEM";
    case ECONNREFUSED: return "ECONNREFUSED";
    case ECONNRESET: return "ECONNRESET";
    case ETIMEDOUT: return "ETIMEDOUT";
    case ENETUNREACH: return "ENETUNREACH";
    case EHOSTUNREACH: return "EHOSTUNREACH";
    case ENETDOWN: return "ENETDOWN";
    case EHOSTDOWN: return "EHOSTDOWN";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    default: return "EIO";
  }
}

/* "address already in use": strerror as libuv words it, first letter lower-case. */
static void errno_text(int e, char *buf, size_t n) {
  snprintf(buf, n, "%s", strerror(e));
  if (buf[0] >= 'A' && buf[0] <= 'Z') buf[0] = (char)(buf[0] - 'A' + 'a');
}

static void format_ip(uint32_t ip, char *buf) {
  snprintf(buf, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
}

static void close_reset(int fd) {
  struct linger lg = {1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  close(fd);
}

static Conn *conn_of(Side *s) {
  return s->tag == TAG_CLIENT ? (Conn *)((char *)s - offsetof(Conn, c)) : (Conn *)((char *)s - offsetof(Conn, u));
}

/* ---- id tables ---- */

static bool table_put(Relay *r, void ***table, uint32_t *cap, void *item, uint32_t *id) {
  uint32_t slot = 0;
  while (slot < *cap && (*table)[slot]) slot++;
  if (slot == *cap) {
    uint32_t ncap = *cap ? *cap * 2 : 16;
    if (ncap > SLOT_MASK + 1) return false;
    void **t = realloc(*table, ncap * sizeof *t);
    if (!t) return false;
    memset(t + *cap, 0, (ncap - *cap) * sizeof *t);
    *table = t;
    *cap = ncap;
  }
  (*table)[slot] = item;
  r->gen = (r->gen + 1) & ((1u << (32 - SLOT_BITS)) - 1);
  if (r->gen == 0) r->gen = 1;
  *id = (r->gen << SLOT_BITS) | slot;
  return true;
}

static Listener *listener_by_id(Relay *r, uint32_t id) {
  uint32_t slot = id & SLOT_MASK;
  if (slot >= r->cap_listeners) return NULL;
  Listener *l = r->listeners[slot];
  return l && l->id == id ? l : NULL;
}

static Group *group_by_id(Relay *r, uint32_t id) {
  uint32_t slot = id & SLOT_MASK;
  if (slot >= r->cap_groups) return NULL;
  Group *g = r->groups[slot];
  return g && g->id == id ? g : NULL;
}

/* ---- messages to JavaScript (failed connects), never blocking the relay thread ---- */

static void post(Relay *r, Listener *l, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void post(Relay *r, Listener *l, const char *fmt, ...) {
  if (!r->tsfn) return;
  Message *m = malloc(sizeof *m);
  if (!m) return;
  m->listener = l->id;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(m->text, sizeof m->text, fmt, ap);
  va_end(ap);
  if (napi_call_threadsafe_function(r->tsfn, m, napi_tsfn_nonblocking) != napi_ok) free(m);
}

static void call_js(napi_env env, napi_value js_cb, void *context, void *data) {
  (void)js_cb;
  Message *m = data;
  if (env && context) {
    Relay *r = context;
    napi_value fn, global, argv[2];
    if (r->log_fn && napi_get_reference_value(env, r->log_fn, &fn) == napi_ok && fn && napi_get_global(env, &global) == napi_ok &&
        napi_create_uint32(env, m->listener, &argv[0]) == napi_ok &&
        napi_create_string_utf8(env, m->text, NAPI_AUTO_LENGTH, &argv[1]) == napi_ok) {
      napi_call_function(env, global, fn, 2, argv, NULL);
    }
  }
  free(m);
}

/* ---- groups: endpoint choice and ClientIP affinity ---- */

static uint32_t hash_ip(uint32_t ip, uint32_t nbuckets) {
  return (uint32_t)((ip * 2654435761u) >> 7) & (nbuckets - 1);
}

static void affinity_clear(Group *g) {
  for (uint32_t i = 0; i < g->nbuckets; i++) {
    AffinityEntry *e = g->buckets[i];
    while (e) {
      AffinityEntry *next = e->next;
      free(e);
      e = next;
    }
  }
  free(g->buckets);
  g->buckets = NULL;
  g->nbuckets = 0;
  g->size = 0;
}

static AffinityEntry **affinity_find(Group *g, uint32_t client) {
  if (!g->nbuckets) return NULL;
  AffinityEntry **p = &g->buckets[hash_ip(client, g->nbuckets)];
  while (*p && (*p)->client != client) p = &(*p)->next;
  return p;
}

static void affinity_prune(Group *g, int64_t now) {
  for (uint32_t i = 0; i < g->nbuckets; i++) {
    AffinityEntry **p = &g->buckets[i];
    while (*p) {
      if (now - (*p)->last_ms > g->affinity_ms) {
        AffinityEntry *dead = *p;
        *p = dead->next;
        free(dead);
        g->size--;
      } else {
        p = &(*p)->next;
      }
    }
  }
}

static void affinity_grow(Group *g) {
  uint32_t n = g->nbuckets ? g->nbuckets * 2 : 64;
  AffinityEntry **b = calloc(n, sizeof *b);
  if (!b) return;
  for (uint32_t i = 0; i < g->nbuckets; i++) {
    AffinityEntry *e = g->buckets[i];
    while (e) {
      AffinityEntry *next = e->next;
      uint32_t h = hash_ip(e->client, n);
      e->next = b[h];
      b[h] = e;
      e = next;
    }
  }
  free(g->buckets);
  g->buckets = b;
  g->nbuckets = n;
}

/* `client` now uses `ep`: the affinity timeout counts from its last connection. */
static void affinity_used(Group *g, uint32_t client, Endpoint ep) {
  if (g->affinity_ms <= 0) return;
  int64_t now = now_ms();
  if (g->size >= g->nbuckets) affinity_grow(g);
  AffinityEntry **p = affinity_find(g, client);
  if (!p) return;
  if (*p) {
    (*p)->ep = ep;
    (*p)->last_ms = now;
    return;
  }
  AffinityEntry *e = malloc(sizeof *e);
  if (!e) return;
  e->next = NULL;
  e->client = client;
  e->ep = ep;
  e->last_ms = now;
  *p = e;
  if (++g->size > AFFINITY_PRUNE_AT) affinity_prune(g, now);
}

static bool same_ep(Endpoint a, Endpoint b) {
  return a.ip == b.ip && a.port == b.port;
}

static bool tried(const Conn *k, Endpoint ep) {
  for (uint32_t i = 0; i < k->ntried; i++)
    if (same_ep(k->tried[i], ep)) return true;
  return false;
}

static bool add_tried(Conn *k, Endpoint ep) {
  if (k->ntried == k->cap_tried) {
    uint32_t n = k->cap_tried * 2;
    Endpoint *t = malloc(n * sizeof *t);
    if (!t) return false;
    memcpy(t, k->tried, k->ntried * sizeof *t);
    if (k->tried != k->tried_inline) free(k->tried);
    k->tried = t;
    k->cap_tried = n;
  }
  k->tried[k->ntried++] = ep;
  return true;
}

/* The endpoint for connection `k`, never one it tried already: the affine one if still usable, else the next by mode. */
static bool pick(Relay *r, Conn *k, Endpoint *out) {
  Group *g = k->l->g;
  Pool *p = &g->pool[k->l->cls];
  if (g->affinity_ms > 0) {
    AffinityEntry **a = affinity_find(g, k->client_ip);
    if (a && *a) {
      bool fresh = now_ms() - (*a)->last_ms <= g->affinity_ms;
      bool usable = false;
      for (uint32_t i = 0; i < p->n && !usable; i++) usable = same_ep(p->eps[i], (*a)->ep);
      if (usable && fresh && !tried(k, (*a)->ep)) {
        *out = (*a)->ep;
        return true;
      }
      if (!fresh) {
        AffinityEntry *dead = *a;
        *a = dead->next;
        free(dead);
        g->size--;
      }
    }
  }
  uint32_t n = p->n;
  if (n == 0) return false;
  if (g->random) {
    uint32_t left = 0;
    for (uint32_t i = 0; i < n; i++) left += !tried(k, p->eps[i]);
    if (left == 0) return false;
    uint32_t want = rand32(r) % left;
    for (uint32_t i = 0; i < n; i++) {
      if (tried(k, p->eps[i])) continue;
      if (want-- == 0) {
        *out = p->eps[i];
        return true;
      }
    }
    return false;
  }
  for (uint32_t i = 0; i < n; i++) {
    Endpoint ep = p->eps[p->next++ % n];
    if (!tried(k, ep)) {
      *out = ep;
      return true;
    }
  }
  return false;
}

static void group_unref(Relay *r, Group *g) {
  if (--g->refs > 0) return;
  r->groups[g->id & SLOT_MASK] = NULL;
  r->ngroups--;
  free(g->pool[0].eps);
  free(g->pool[1].eps);
  affinity_clear(g);
  free(g);
}

/* ---- connection lists ---- */

static void connecting_remove(Relay *r, Conn *k) {
  if (k->qprev) k->qprev->qnext = k->qnext;
  else if (r->conn_head == k) r->conn_head = k->qnext;
  else return;
  if (k->qnext) k->qnext->qprev = k->qprev;
  else r->conn_tail = k->qprev;
  k->qprev = k->qnext = NULL;
}

/* Keeps the list sorted by deadline; with one timeout for all, that is an append. */
static void connecting_insert(Relay *r, Conn *k) {
  Conn *after = r->conn_tail;
  while (after && after->deadline > k->deadline) after = after->qprev;
  k->qprev = after;
  k->qnext = after ? after->qnext : r->conn_head;
  if (k->qnext) k->qnext->qprev = k;
  else r->conn_tail = k;
  if (after) after->qnext = k;
  else r->conn_head = k;
}

static void run_add(Relay *r, Conn *k) {
  if (k->in_run) return;
  k->in_run = true;
  k->rnext = NULL;
  k->rprev = r->run_tail;
  if (r->run_tail) r->run_tail->rnext = k;
  else r->run_head = k;
  r->run_tail = k;
}

static void run_remove(Relay *r, Conn *k) {
  if (!k->in_run) return;
  k->in_run = false;
  if (k->rprev) k->rprev->rnext = k->rnext;
  else r->run_head = k->rnext;
  if (k->rnext) k->rnext->rprev = k->rprev;
  else r->run_tail = k->rprev;
  k->rprev = k->rnext = NULL;
}

static Conn *conn_new(Relay *r) {
  Conn *k = r->free_conns;
  if (k) {
    r->free_conns = k->gnext;
    r->nfree--;
  } else {
    k = malloc(sizeof *k);
    if (!k) return NULL;
  }
  memset(k, 0, sizeof *k);
  k->c.tag = TAG_CLIENT;
  k->u.tag = TAG_UPSTREAM;
  k->c.fd = k->u.fd = -1;
  k->tried = k->tried_inline;
  k->cap_tried = INLINE_TRIED;
  return k;
}

/* Ends a connection: closes both sockets (with a reset if `reset`) and sends it to the graveyard. */
static void conn_close(Relay *r, Conn *k, bool reset) {
  if (k->state == DEAD) return;
  if (k->state == CONNECTING) connecting_remove(r, k);
  run_remove(r, k);
  Listener *l = k->l;
  if (k->lprev) k->lprev->lnext = k->lnext;
  else l->conns = k->lnext;
  if (k->lnext) k->lnext->lprev = k->lprev;
  if (k->c.fd >= 0) {
    if (reset) close_reset(k->c.fd);
    else close(k->c.fd);
  }
  if (k->u.fd >= 0) {
    if (reset && k->state == RELAYING) close_reset(k->u.fd);
    else close(k->u.fd);
  }
  k->c.fd = k->u.fd = -1;
  free(k->c.pend);
  free(k->u.pend);
  k->c.pend = k->u.pend = NULL;
  if (k->tried != k->tried_inline) free(k->tried);
  k->tried = k->tried_inline;
  l->active--;
  r->nconns--;
  k->state = DEAD;
  k->gnext = r->grave;
  r->grave = k;
}

/* ---- relaying ---- */

/* Moves what `src` has into `dst`; -1 when the connection was reset. `*more`: reading stopped on the budget. */
static int flow(Relay *r, Conn *k, Side *src, Side *dst, bool inbound, bool *more) {
  Listener *l = k->l;
  if (dst->shut) return 0;
  if (dst->pend_len) {
    ssize_t w = send(dst->fd, dst->pend + dst->pend_off, dst->pend_len, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EAGAIN || errno == EINTR) return 0;
      conn_close(r, k, true);
      return -1;
    }
    if (!inbound) l->bytes_out += (double)w;
    dst->pend_off += (uint32_t)w;
    dst->pend_len -= (uint32_t)w;
    if (dst->pend_len) return 0;
    free(dst->pend);
    dst->pend = NULL;
    dst->pend_off = 0;
  }
  for (int i = 0; src->rd && !src->eof; i++) {
    if (i == READ_BUDGET) {
      *more = true;
      break;
    }
    bool fin_in = src->rdhup; /* the FIN had arrived before this read */
    ssize_t n = recv(src->fd, r->scratch, SCRATCH_SIZE, 0);
    if (n > 0) {
      if (inbound) l->bytes_in += (double)n;
      // A short read emptied the socket: edge-triggered, wait for the next event; and if the FIN
      // was in before it, this was the last data (TCP delivers in order), so no read of 0 is needed.
      if (n < SCRATCH_SIZE) {
        if (fin_in) src->eof = true;
        else src->rd = false;
      }
      // The last bytes before the peer's FIN: MSG_MORE holds them for the shutdown() just below,
      // so data and FIN leave in one segment (one wakeup and one ACK less for the receiver).
      ssize_t w = send(dst->fd, r->scratch, (size_t)n, MSG_NOSIGNAL | (src->eof ? MSG_MORE : 0));
      if (w < 0) {
        if (errno != EAGAIN && errno != EINTR) {
          conn_close(r, k, true);
          return -1;
        }
        w = 0;
      }
      if (!inbound) l->bytes_out += (double)w;
      if (w < n) {
        dst->pend = malloc((size_t)(n - w));
        if (!dst->pend) {
          conn_close(r, k, true);
          return -1;
        }
        memcpy(dst->pend, r->scratch + w, (size_t)(n - w));
        dst->pend_off = 0;
        dst->pend_len = (uint32_t)(n - w);
        return 0;
      }
    } else if (n == 0) {
      src->eof = true;
    } else if (errno == EAGAIN) {
      src->rd = false;
    } else if (errno != EINTR) {
      conn_close(r, k, true);
      return -1;
    }
  }
  if (src->eof) {
    // With the other direction done too, the connection closes next, and close() sends the FIN.
    if (!src->shut) shutdown(dst->fd, SHUT_WR);
    dst->shut = true;
  }
  return 0;
}

static void conn_pump(Relay *r, Conn *k) {
  bool more = false;
  if (flow(r, k, &k->c, &k->u, true, &more) < 0) return;
  if (flow(r, k, &k->u, &k->c, false, &more) < 0) return;
  if (k->c.shut && k->u.shut) conn_close(r, k, false);
  else if (more) run_add(r, k);
}

/* ---- connecting ---- */

static void connect_failed(Relay *r, Conn *k, int err) {
  char ip[16];
  format_ip(k->ep.ip, ip);
  k->l->errors++;
  if (err == ETIMEDOUT)
    post(r, k->l, "connect to endpoint %s:%u failed: connect timeout after %d ms", ip, k->ep.port, k->l->timeout_ms);
  else
    post(r, k->l, "connect to endpoint %s:%u failed: connect %s %s:%u", ip, k->ep.port, errno_code(err), ip, k->ep.port);
}

static void established(Relay *r, Conn *k) {
  connecting_remove(r, k);
  k->state = RELAYING;
  affinity_used(k->l->g, k->client_ip, k->ep);
}

/* Tries endpoints, each at most once, until a connect is under way; resets the client when none is left. */
static void conn_connect(Relay *r, Conn *k) {
  for (;;) {
    Endpoint ep;
    if (!pick(r, k, &ep)) {
      if (k->ntried == 0) k->l->errors++; /* no endpoint at all (the listener closes at the next sync) */
      conn_close(r, k, true);
      return;
    }
    if (!add_tried(k, ep)) {
      conn_close(r, k, true);
      return;
    }
    k->ep = ep;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      connect_failed(r, k, errno);
      continue;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(ep.port), .sin_addr.s_addr = htonl(ep.ip)};
    int rc = connect(fd, (struct sockaddr *)&sa, sizeof sa);
    if (rc < 0 && errno != EINPROGRESS) {
      int e = errno;
      close(fd);
      connect_failed(r, k, e);
      continue;
    }
    Side *u = &k->u;
    u->fd = fd;
    u->rd = u->rdhup = u->eof = u->shut = false;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = u};
    if (epoll_ctl(r->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
      int e = errno;
      close(fd);
      u->fd = -1;
      connect_failed(r, k, e);
      continue;
    }
    k->state = CONNECTING;
    k->deadline = now_ms() + k->l->timeout_ms;
    connecting_insert(r, k);
    if (rc == 0) {
      established(r, k);
      conn_pump(r, k);
    }
    return;
  }
}

/* The connect under way failed (`err`) or timed out (ETIMEDOUT): on to the next endpoint. */
static void connect_retry(Relay *r, Conn *k, int err) {
  connecting_remove(r, k);
  close(k->u.fd);
  k->u.fd = -1;
  connect_failed(r, k, err);
  conn_connect(r, k);
}

/* ---- events ---- */

static void on_side(Relay *r, Side *s, uint32_t ev) {
  Conn *k = conn_of(s);
  if (k->state == DEAD) return;
  if (ev & EPOLLIN) s->rd = true;
  if (ev & (EPOLLRDHUP | EPOLLHUP)) s->rd = s->rdhup = true;
  if (k->state == CONNECTING) {
    if (s == &k->c) {
      // The client is not read until the upstream is connected; a reset ends it at once.
      if (ev & (EPOLLERR | EPOLLHUP)) conn_close(r, k, true);
      return;
    }
    if (ev & (EPOLLERR | EPOLLHUP)) {
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len);
      connect_retry(r, k, err ? err : ECONNREFUSED);
      return;
    }
    if (!(ev & EPOLLOUT)) return;
    established(r, k);
  } else if (ev & EPOLLERR) {
    conn_close(r, k, true);
    return;
  }
  conn_pump(r, k);
}

static void listener_pause(Relay *r, Listener *l) {
  epoll_ctl(r->ep, EPOLL_CTL_DEL, l->fd, NULL);
  l->paused = true;
  l->resume_ms = now_ms() + ACCEPT_PAUSE_MS;
  r->npaused++;
}

static void on_accept(Relay *r, Listener *l) {
  for (int i = 0; i < ACCEPT_BUDGET && l->fd >= 0 && !l->paused; i++) {
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    // TCP_NODELAY comes from the listening socket.
    int fd = accept4(l->fd, (struct sockaddr *)&sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) listener_pause(r, l);
      return;
    }
    Conn *k = conn_new(r);
    if (!k) {
      close_reset(fd);
      continue;
    }
    k->l = l;
    k->c.fd = fd;
    k->c.rd = false;
    k->client_ip = sa.sin_family == AF_INET ? ntohl(sa.sin_addr.s_addr) : 0;
    k->state = CONNECTING;
    k->lnext = l->conns;
    if (l->conns) l->conns->lprev = k;
    l->conns = k;
    l->total++;
    l->active++;
    r->nconns++;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = &k->c};
    if (epoll_ctl(r->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
      l->errors++;
      conn_close(r, k, true);
      continue;
    }
    conn_connect(r, k);
  }
}

static void free_graveyard(Relay *r) {
  while (r->grave) {
    Conn *k = r->grave;
    r->grave = k->gnext;
    if (r->nfree < FREELIST_MAX) {
      k->gnext = r->free_conns;
      r->free_conns = k;
      r->nfree++;
    } else {
      free(k);
    }
  }
  while (r->grave_listeners) {
    Listener *l = r->grave_listeners;
    r->grave_listeners = l->gnext;
    free(l);
  }
}

static int next_timeout(Relay *r) {
  if (r->run_head) return 0;
  int64_t next = -1;
  if (r->conn_head) next = r->conn_head->deadline;
  if (r->npaused) {
    for (uint32_t i = 0; i < r->cap_listeners; i++) {
      Listener *l = r->listeners[i];
      if (l && l->paused && (next < 0 || l->resume_ms < next)) next = l->resume_ms;
    }
  }
  if (next < 0) return -1;
  int64_t wait = next - now_ms();
  if (wait < 0) return 0;
  return wait > 60000 ? 60000 : (int)wait + 1;
}

static void on_timers(Relay *r) {
  int64_t now = now_ms();
  while (r->conn_head && r->conn_head->deadline <= now) connect_retry(r, r->conn_head, ETIMEDOUT);
  if (!r->npaused) return;
  for (uint32_t i = 0; i < r->cap_listeners; i++) {
    Listener *l = r->listeners[i];
    if (!l || !l->paused || l->resume_ms > now) continue;
    l->paused = false;
    r->npaused--;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = l};
    if (l->fd >= 0) epoll_ctl(r->ep, EPOLL_CTL_ADD, l->fd, &ev);
  }
}

static void *relay_main(void *arg) {
  Relay *r = arg;
  struct epoll_event evs[MAX_EVENTS];
  pthread_mutex_lock(&r->mu);
  while (!r->stop) {
    int timeout = next_timeout(r);
    pthread_mutex_unlock(&r->mu);
    int n = epoll_wait(r->ep, evs, MAX_EVENTS, timeout);
    pthread_mutex_lock(&r->mu);
    if (r->stop) break;
    for (int i = 0; i < n; i++) {
      uint8_t tag = *(uint8_t *)evs[i].data.ptr;
      if (tag == TAG_WAKE) {
        uint64_t v;
        ssize_t rc = read(r->wake, &v, sizeof v);
        (void)rc;
      } else if (tag == TAG_LISTENER) {
        Listener *l = evs[i].data.ptr;
        if (!l->dead) on_accept(r, l);
      } else {
        on_side(r, evs[i].data.ptr, evs[i].events);
      }
    }
    // Connections that stopped on their read budget get another turn (new events come first).
    Conn *run = r->run_head;
    r->run_head = r->run_tail = NULL;
    while (run) {
      Conn *k = run;
      run = k->rnext;
      k->in_run = false;
      k->rprev = k->rnext = NULL;
      if (k->state == RELAYING) conn_pump(r, k);
    }
    on_timers(r);
    free_graveyard(r);
  }
  pthread_mutex_unlock(&r->mu);
  return NULL;
}

/* ---- relay thread start and stop ---- */

static int relay_start(Relay *r) {
  if (r->running) return 0;
  r->scratch = malloc(SCRATCH_SIZE);
  r->ep = epoll_create1(EPOLL_CLOEXEC);
  r->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  r->wake_tag = TAG_WAKE;
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &r->wake_tag};
  int err = 0;
  if (!r->scratch) err = ENOMEM;
  else if (r->ep < 0 || r->wake < 0) err = errno;
  else if (epoll_ctl(r->ep, EPOLL_CTL_ADD, r->wake, &ev) < 0) err = errno;
  if (!err) {
    napi_value name;
    if (napi_create_string_utf8(r->env, "tinykube relay log", NAPI_AUTO_LENGTH, &name) == napi_ok &&
        napi_create_threadsafe_function(r->env, NULL, NULL, name, 256, 1, NULL, NULL, r, call_js, &r->tsfn) == napi_ok) {
      napi_unref_threadsafe_function(r->env, r->tsfn);
    } else {
      r->tsfn = NULL;
    }
    r->stop = false;
    err = pthread_create(&r->thread, NULL, relay_main, r);
    if (!err) pthread_setname_np(r->thread, "tinykube-relay");
  }
  if (err) {
    if (r->tsfn) napi_release_threadsafe_function(r->tsfn, napi_tsfn_abort);
    r->tsfn = NULL;
    free(r->scratch);
    r->scratch = NULL;
    if (r->ep >= 0) close(r->ep);
    if (r->wake >= 0) close(r->wake);
    r->ep = r->wake = -1;
    return err;
  }
  r->running = true;
  return 0;
}

static void wake(Relay *r) {
  uint64_t one = 1;
  if (r->wake >= 0) {
    ssize_t rc = write(r->wake, &one, sizeof one);
    (void)rc;
  }
}

/* Stops the thread; with `teardown`, the environment is going and Node closes the log channel itself. */
static void relay_stop(Relay *r, bool teardown) {
  if (!r->running) return;
  pthread_mutex_lock(&r->mu);
  r->stop = true;
  pthread_mutex_unlock(&r->mu);
  wake(r);
  pthread_join(r->thread, NULL);
  r->running = false;
  free_graveyard(r);
  while (r->free_conns) {
    Conn *k = r->free_conns;
    r->free_conns = k->gnext;
    free(k);
  }
  r->nfree = 0;
  close(r->ep);
  close(r->wake);
  r->ep = r->wake = -1;
  free(r->scratch);
  r->scratch = NULL;
  if (r->tsfn && !teardown) napi_release_threadsafe_function(r->tsfn, napi_tsfn_release);
  r->tsfn = NULL;
}

/* Closes the listening socket and resets every connection that came through it. */
static void listener_kill(Relay *r, Listener *l) {
  if (l->fd >= 0) close(l->fd);
  l->fd = -1;
  if (l->paused) r->npaused--;
  l->paused = false;
  while (l->conns) conn_close(r, l->conns, true);
  l->dead = true;
  r->listeners[l->id & SLOT_MASK] = NULL;
  r->nlisteners--;
  group_unref(r, l->g);
  l->gnext = r->grave_listeners;
  r->grave_listeners = l;
}

static void relay_cleanup(void *arg) {
  Relay *r = arg;
  pthread_mutex_lock(&r->mu);
  for (uint32_t i = 0; i < r->cap_listeners; i++)
    if (r->listeners[i]) listener_kill(r, r->listeners[i]);
  for (uint32_t i = 0; i < r->cap_groups; i++) {
    Group *g = r->groups[i];
    if (g) {
      g->refs = 1;
      group_unref(r, g);
    }
  }
  pthread_mutex_unlock(&r->mu);
  relay_stop(r, true);
  free_graveyard(r);
  free(r->listeners);
  free(r->groups);
  pthread_mutex_destroy(&r->mu);
  free(r);
}

/* ---- JavaScript API ---- */

#define ARGS(n)                                                                    \
  size_t argc = n;                                                                 \
  napi_value argv[n > 0 ? n : 1];                                                  \
  Relay *r;                                                                        \
  if (napi_get_cb_info(env, info, &argc, argv, NULL, (void **)&r) != napi_ok) return NULL; \
  if (argc < n) return throw_msg(env, "EINVAL", "tinykube_relay: missing arguments")

static napi_value throw_msg(napi_env env, const char *code, const char *msg) {
  napi_throw_error(env, code, msg);
  return NULL;
}

static bool get_u32(napi_env env, napi_value v, uint32_t *out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || !(d >= 0 && d <= 4294967295.0)) {
    napi_throw_type_error(env, "EINVAL", "tinykube_relay: expected an unsigned integer");
    return false;
  }
  *out = (uint32_t)d;
  return true;
}

static napi_value counters_value(napi_env env, Listener *l) {
  void *data;
  napi_value ab, out;
  if (napi_create_arraybuffer(env, 5 * sizeof(double), &data, &ab) != napi_ok) return NULL;
  double *d = data;
  d[0] = l->total;
  d[1] = l->active;
  d[2] = l->bytes_in;
  d[3] = l->bytes_out;
  d[4] = l->errors;
  if (napi_create_typedarray(env, napi_float64_array, 5, ab, 0, &out) != napi_ok) return NULL;
  return out;
}

/* group(random: boolean) -> group id */
static napi_value js_group(napi_env env, napi_callback_info info) {
  ARGS(1);
  bool random;
  if (napi_get_value_bool(env, argv[0], &random) != napi_ok) return throw_msg(env, "EINVAL", "tinykube_relay: group(random: boolean)");
  Group *g = calloc(1, sizeof *g);
  if (!g) return throw_msg(env, "ENOMEM", "tinykube_relay: out of memory");
  g->random = random;
  g->refs = 1;
  pthread_mutex_lock(&r->mu);
  bool ok = table_put(r, (void ***)&r->groups, &r->cap_groups, g, &g->id);
  if (ok) r->ngroups++;
  pthread_mutex_unlock(&r->mu);
  if (!ok) {
    free(g);
    return throw_msg(env, "ENOMEM", "tinykube_relay: out of memory");
  }
  napi_value out;
  napi_create_uint32(env, g->id, &out);
  return out;
}

/* releaseGroup(group): JavaScript's hold on it ends (its listeners keep it until they go). */
static napi_value js_release_group(napi_env env, napi_callback_info info) {
  ARGS(1);
  uint32_t id;
  if (!get_u32(env, argv[0], &id)) return NULL;
  pthread_mutex_lock(&r->mu);
  Group *g = group_by_id(r, id);
  if (g) group_unref(r, g);
  pthread_mutex_unlock(&r->mu);
  return NULL;
}

/* setBackends(group, cls 0|1, Uint32Array [ip, port, ip, port, ...], affinityTimeoutMs 0 = none) */
static napi_value js_set_backends(napi_env env, napi_callback_info info) {
  ARGS(4);
  uint32_t id, cls, affinity_ms;
  if (!get_u32(env, argv[0], &id) || !get_u32(env, argv[1], &cls) || !get_u32(env, argv[3], &affinity_ms)) return NULL;
  napi_typedarray_type type;
  size_t len;
  void *data;
  bool is_ta = false;
  napi_is_typedarray(env, argv[2], &is_ta);
  if (!is_ta || napi_get_typedarray_info(env, argv[2], &type, &len, &data, NULL, NULL) != napi_ok || type != napi_uint32_array || len % 2 || cls > 1)
    return throw_msg(env, "EINVAL", "tinykube_relay: setBackends(group, 0|1, Uint32Array, ms)");
  uint32_t n = (uint32_t)(len / 2);
  Endpoint *eps = NULL;
  if (n) {
    eps = malloc(n * sizeof *eps);
    if (!eps) return throw_msg(env, "ENOMEM", "tinykube_relay: out of memory");
    const uint32_t *v = data;
    for (uint32_t i = 0; i < n; i++) eps[i] = (Endpoint){v[2 * i], (uint16_t)v[2 * i + 1]};
  }
  pthread_mutex_lock(&r->mu);
  Group *g = group_by_id(r, id);
  if (g) {
    Pool *p = &g->pool[cls];
    free(p->eps);
    p->eps = eps;
    p->n = n;
    eps = NULL;
    if (affinity_ms == 0 && g->affinity_ms) affinity_clear(g);
    g->affinity_ms = affinity_ms;
  }
  pthread_mutex_unlock(&r->mu);
  free(eps);
  if (!g) return throw_msg(env, "EINVAL", "tinykube_relay: no such group");
  return NULL;
}

/* create(group, cls 0|1, connectTimeoutMs) -> listener id (not listening yet) */
static napi_value js_create(napi_env env, napi_callback_info info) {
  ARGS(3);
  uint32_t gid, cls, timeout_ms;
  if (!get_u32(env, argv[0], &gid) || !get_u32(env, argv[1], &cls) || !get_u32(env, argv[2], &timeout_ms)) return NULL;
  if (cls > 1) return throw_msg(env, "EINVAL", "tinykube_relay: traffic class is 0 or 1");
  Listener *l = calloc(1, sizeof *l);
  if (!l) return throw_msg(env, "ENOMEM", "tinykube_relay: out of memory");
  l->tag = TAG_LISTENER;
  l->fd = -1;
  l->cls = (int)cls;
  l->timeout_ms = timeout_ms < 1 ? 1 : timeout_ms > 86400000 ? 86400000 : (int)timeout_ms;
  int err = relay_start(r);
  if (err) {
    free(l);
    char msg[160];
    snprintf(msg, sizeof msg, "tinykube_relay: cannot start the relay thread: %s", strerror(err));
    return throw_msg(env, errno_code(err), msg);
  }
  pthread_mutex_lock(&r->mu);
  Group *g = group_by_id(r, gid);
  bool ok = g && table_put(r, (void ***)&r->listeners, &r->cap_listeners, l, &l->id);
  if (ok) {
    l->g = g;
    g->refs++;
    r->nlisteners++;
  }
  bool idle = r->nlisteners == 0;
  pthread_mutex_unlock(&r->mu);
  if (!ok) {
    free(l);
    if (idle) relay_stop(r, false);
    return throw_msg(env, "EINVAL", g ? "tinykube_relay: out of memory" : "tinykube_relay: no such group");
  }
  napi_value out;
  napi_create_uint32(env, l->id, &out);
  return out;
}

static napi_value throw_errno(napi_env env, int e, const char *syscall, const char *ip, uint32_t port) {
  char text[64], msg[200];
  errno_text(e, text, sizeof text);
  snprintf(msg, sizeof msg, "%s %s: %s %s:%u", syscall, errno_code(e), text, ip, port);
  napi_value code, message, err, v;
  napi_create_string_utf8(env, errno_code(e), NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, code, message, &err);
  napi_create_int32(env, -e, &v);
  napi_set_named_property(env, err, "errno", v);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, err, "syscall", v);
  napi_create_string_utf8(env, ip, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, err, "address", v);
  napi_create_uint32(env, port, &v);
  napi_set_named_property(env, err, "port", v);
  napi_throw(env, err);
  return NULL;
}

/* listen(id, ip, port): binds and listens now; throws an Error with .code (EADDRINUSE, EACCES, ...). */
static napi_value js_listen(napi_env env, napi_callback_info info) {
  ARGS(3);
  uint32_t id, port;
  char ip[64];
  size_t iplen;
  if (!get_u32(env, argv[0], &id) || !get_u32(env, argv[2], &port)) return NULL;
  if (napi_get_value_string_utf8(env, argv[1], ip, sizeof ip, &iplen) != napi_ok) return throw_msg(env, "EINVAL", "tinykube_relay: listen(id, ip, port)");
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (port > 65535 || inet_pton(AF_INET, ip, &sa.sin_addr) != 1) return throw_errno(env, EINVAL, "listen", ip, port);
  pthread_mutex_lock(&r->mu);
  Listener *l = listener_by_id(r, id);
  int err = 0;
  if (!l) err = EINVAL;
  else if (l->fd < 0) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0) err = errno;
    else if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 || setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) err = errno;
    else if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) err = errno;
    else if (listen(fd, LISTEN_BACKLOG) < 0) err = errno;
    else {
      struct epoll_event ev = {.events = EPOLLIN, .data.ptr = l};
      if (epoll_ctl(r->ep, EPOLL_CTL_ADD, fd, &ev) < 0) err = errno;
    }
    if (err && fd >= 0) close(fd);
    if (!err) l->fd = fd;
  }
  pthread_mutex_unlock(&r->mu);
  if (err) return throw_errno(env, err, "listen", ip, port);
  return NULL;
}

/* unlisten(id): closes the listening socket only; its connections go on. */
static napi_value js_unlisten(napi_env env, napi_callback_info info) {
  ARGS(1);
  uint32_t id;
  if (!get_u32(env, argv[0], &id)) return NULL;
  pthread_mutex_lock(&r->mu);
  Listener *l = listener_by_id(r, id);
  if (l && l->fd >= 0) {
    close(l->fd);
    l->fd = -1;
    if (l->paused) r->npaused--;
    l->paused = false;
  }
  pthread_mutex_unlock(&r->mu);
  return NULL;
}

/* destroy(id) -> its final counters: closes it, resets its connections; the thread stops with the last listener. */
static napi_value js_destroy(napi_env env, napi_callback_info info) {
  ARGS(1);
  uint32_t id;
  if (!get_u32(env, argv[0], &id)) return NULL;
  pthread_mutex_lock(&r->mu);
  Listener *l = listener_by_id(r, id);
  napi_value out = NULL;
  if (l) {
    listener_kill(r, l);
    out = counters_value(env, l);
  }
  bool idle = r->nlisteners == 0;
  pthread_mutex_unlock(&r->mu);
  if (idle) relay_stop(r, false);
  else wake(r); /* so the thread frees the graveyard soon */
  if (!l) return throw_msg(env, "EINVAL", "tinykube_relay: no such listener");
  return out;
}

/* stats(id) -> Float64Array [connectionsTotal, activeConnections, bytesIn, bytesOut, errors] */
static napi_value js_stats(napi_env env, napi_callback_info info) {
  ARGS(1);
  uint32_t id;
  if (!get_u32(env, argv[0], &id)) return NULL;
  pthread_mutex_lock(&r->mu);
  Listener *l = listener_by_id(r, id);
  napi_value out = l ? counters_value(env, l) : NULL;
  pthread_mutex_unlock(&r->mu);
  if (!l) return throw_msg(env, "EINVAL", "tinykube_relay: no such listener");
  return out;
}

/* setLog(fn(listenerId, text) | null): where failed connects are reported. */
static napi_value js_set_log(napi_env env, napi_callback_info info) {
  ARGS(1);
  napi_valuetype t;
  napi_typeof(env, argv[0], &t);
  if (r->log_fn) napi_delete_reference(env, r->log_fn);
  r->log_fn = NULL;
  if (t == napi_function) napi_create_reference(env, argv[0], 1, &r->log_fn);
  return NULL;
}

/* info() -> { running, listeners, groups, connections } */
static napi_value js_info(napi_env env, napi_callback_info info) {
  Relay *r;
  if (napi_get_cb_info(env, info, NULL, NULL, NULL, (void **)&r) != napi_ok) return NULL;
  pthread_mutex_lock(&r->mu);
  bool running = r->running;
  uint32_t nl = r->nlisteners, ng = r->ngroups, nc = r->nconns;
  pthread_mutex_unlock(&r->mu);
  napi_value out, v;
  napi_create_object(env, &out);
  napi_get_boolean(env, running, &v);
  napi_set_named_property(env, out, "running", v);
  napi_create_uint32(env, nl, &v);
  napi_set_named_property(env, out, "listeners", v);
  napi_create_uint32(env, ng, &v);
  napi_set_named_property(env, out, "groups", v);
  napi_create_uint32(env, nc, &v);
  napi_set_named_property(env, out, "connections", v);
  return out;
}

NAPI_MODULE_INIT() {
  Relay *r = calloc(1, sizeof *r);
  if (!r) {
    napi_throw_error(env, "ENOMEM", "tinykube_relay: out of memory");
    return NULL;
  }
  r->env = env;
  r->ep = r->wake = -1;
  r->rng = ((uint64_t)now_ms() << 20) ^ (uint64_t)(uintptr_t)r ^ 0x9E3779B97F4A7C15ULL;
  pthread_mutex_init(&r->mu, NULL);
  napi_add_env_cleanup_hook(env, relay_cleanup, r);
  napi_property_descriptor props[] = {
      {"group", NULL, js_group, NULL, NULL, NULL, napi_enumerable, r},
      {"releaseGroup", NULL, js_release_group, NULL, NULL, NULL, napi_enumerable, r},
      {"setBackends", NULL, js_set_backends, NULL, NULL, NULL, napi_enumerable, r},
      {"create", NULL, js_create, NULL, NULL, NULL, napi_enumerable, r},
      {"listen", NULL, js_listen, NULL, NULL, NULL, napi_enumerable, r},
      {"unlisten", NULL, js_unlisten, NULL, NULL, NULL, napi_enumerable, r},
      {"destroy", NULL, js_destroy, NULL, NULL, NULL, napi_enumerable, r},
      {"stats", NULL, js_stats, NULL, NULL, NULL, napi_enumerable, r},
      {"setLog", NULL, js_set_log, NULL, NULL, NULL, napi_enumerable, r},
      {"info", NULL, js_info, NULL, NULL, NULL, napi_enumerable, r},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
