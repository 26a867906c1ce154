// bench/media RTP load generator: N calls, each with a "caller" and a "callee" UDP socket on
// 127.0.0.1, sending G.711 A-law (PT 8, 160-byte payload = 20 ms at 8 kHz) every 20 ms both
// ways through the relay under test, and measuring at the receiving socket: loss (by our own
// sequence number, in a measuring window), duplicates, misrouted packets and added latency.
//
// Written in C, not Node, so that the generator costs far less per packet than the relays it
// measures: a Node generator pays what a Node relay pays (one 'message' event and one send per
// packet) and would saturate its core at the same call count as the target.
//
// Latency = kernel receive timestamp (SO_TIMESTAMPNS, taken when the relay's send reaches
// our socket) - CLOCK_REALTIME read just before our send(). Both are the same clock of the
// same machine, so no clock sync is involved, and the generator's own scheduling delays on
// the receive side are not counted against the relay.
//
// Control: one command per line on stdin, answers on stdout (one line each):
//   open K            -> "opened FIRST pA pB pA pB ..." (K new calls, caller/callee RTP ports;
//                     each has an RTCP socket on the next port, which counts what arrives)
//   connect I PA PB   connect call I's caller socket to PA and its callee socket to PB
//                     (the relay's ports facing each) and start sending at its phase
//   close I           stop call I and close its sockets
//   begin | end       open / close the measuring window (sequence ranges per stream)
//   report            -> "report {json}" for the last window
//   sync              -> "ok"
//   quit
// Build: gcc -O2 -o rtp-generator rtp-generator.c
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define MAX_CALLS 4800           /* 4 sockets per call, under the usual 20000 open files */
#define TICK_NS 250000LL          /* pacing resolution: 0.25 ms */
#define PERIOD_NS 20000000LL      /* 20 ms packetization (RFC 3551 §4.5.14: PCMA 20 ms default) */
#define SLOTS (PERIOD_NS / TICK_NS)
#define RTP_HEADER 12
#define PAYLOAD 160
#define PACKET (RTP_HEADER + PAYLOAD)
#define MAGIC 0x484c424dU         /* "HLBM" */
#define RING 1024                 /* per-stream duplicate detector: 20 s of sequence numbers */
#define HIST_US 10                /* latency histogram bucket width */
#define HIST_N 20000              /* up to 200 ms; above goes to the last bucket */
#define OPEN UINT32_MAX

struct stream {                   /* one direction: sent by sockets[dir], received by the other */
  uint32_t next_seq, s0, s1;      /* window = [s0, s1) of next_seq values */
  uint16_t rtp_seq;
  uint32_t rtp_ts, ssrc;
  uint32_t seen[RING];
};

struct call {
  int fd[2];                      /* 0 = caller socket, 1 = callee socket */
  int rtcp_fd[2];                 /* their RTCP sockets, on RTP port + 1 (RFC 3550 §11) */
  int active;
  int next_in_slot;
  struct stream st[2];            /* st[0]: caller -> callee, st[1]: callee -> caller */
  uint32_t drops_seen[2];         /* last SO_RXQ_OVFL value per socket */
};

static struct call *calls;
static int ncalls;
static int slot_head[SLOTS];
static int epfd, tfd;
static int64_t t_start_mono;
static int64_t slot_done = -1;

/* Window statistics. */
static uint64_t hist[HIST_N];
static uint64_t received, dups, misrouted, bad, stale, send_errors, recv_errors, kernel_drops, skipped_slots, rtcp_packets;
static uint64_t late_hist[200];   /* pacing lateness, 0.1 ms buckets up to 20 ms */
static int64_t max_lat_ns, max_late_ns;
static int64_t win_t0, win_t1;
static struct rusage ru0, ru1;
static int window_open;

static int64_t now_ns(clockid_t c) {
  struct timespec ts;
  clock_gettime(c, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Van der Corput radix-2: any prefix of calls 0..n-1 gets phases spread over the 20 ms. */
static int slot_of(int i) {
  double v = 0, f = 0.5;
  for (unsigned x = (unsigned)i; x; x >>= 1, f /= 2) if (x & 1) v += f;
  return (int)(v * SLOTS) % SLOTS;
}

static void put32(uint8_t *p, uint32_t v) { p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v; }
static uint32_t get32(const uint8_t *p) { return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3]; }

static void send_one(struct call *c, int idx, int dir) {
  uint8_t b[PACKET];
  struct stream *s = &c->st[dir];
  /* RFC 3550 §5.1: V=2, no padding/extension/CSRC, PT 8 (PCMA), marker on the first packet. */
  b[0] = 0x80;
  b[1] = (uint8_t)(8 | (s->next_seq == 0 ? 0x80 : 0));
  b[2] = s->rtp_seq >> 8; b[3] = s->rtp_seq & 0xff;
  put32(b + 4, s->rtp_ts);
  put32(b + 8, s->ssrc);
  memset(b + RTP_HEADER, 0xd5, PAYLOAD); /* A-law "silence" */
  uint8_t *p = b + RTP_HEADER;
  put32(p, MAGIC);
  put32(p + 4, (uint32_t)idx);
  p[8] = (uint8_t)dir;
  put32(p + 9, s->next_seq);
  int64_t t = now_ns(CLOCK_REALTIME);
  put32(p + 13, (uint32_t)((uint64_t)t >> 32));
  put32(p + 17, (uint32_t)t);
  if (send(c->fd[dir], b, PACKET, MSG_DONTWAIT) != PACKET) send_errors++;
  s->next_seq++;
  s->rtp_seq++;
  s->rtp_ts += PAYLOAD;
}

static void on_tick(void) {
  uint64_t exp;
  if (read(tfd, &exp, sizeof exp) < 0) return;
  int64_t now = now_ns(CLOCK_MONOTONIC);
  int64_t due = (now - t_start_mono) / TICK_NS;
  if (due - slot_done > SLOTS) { /* more than a whole period behind: skip, and say so */
    if (window_open) skipped_slots += (uint64_t)(due - slot_done - SLOTS);
    slot_done = due - SLOTS;
  }
  for (int64_t k = slot_done + 1; k <= due; k++) {
    int64_t late = now - (t_start_mono + k * TICK_NS);
    if (window_open) {
      int b = (int)(late / 100000);
      late_hist[b < 200 ? b : 199]++;
      if (late > max_late_ns) max_late_ns = late;
    }
    for (int i = slot_head[k % SLOTS]; i >= 0; i = calls[i].next_in_slot) {
      if (!calls[i].active) continue;
      send_one(&calls[i], i, 0);
      send_one(&calls[i], i, 1);
    }
  }
  slot_done = due;
}

static void on_packet(int idx, int side, const uint8_t *b, ssize_t n, int64_t rx) {
  if (n < RTP_HEADER + 21 || get32(b + RTP_HEADER) != MAGIC) { bad++; return; }
  const uint8_t *p = b + RTP_HEADER;
  uint32_t from = get32(p + 4);
  int dir = p[8];
  /* Socket `side` receives the stream the other socket sends. */
  if ((int)from != idx || dir != 1 - side || from >= (uint32_t)ncalls) { misrouted++; return; }
  struct stream *s = &calls[from].st[dir];
  uint32_t seq = get32(p + 9);
  if (s->s0 == OPEN || seq < s->s0 || (s->s1 != OPEN && seq >= s->s1)) { stale++; return; }
  uint32_t *slot = &s->seen[seq % RING];
  if (*slot == seq) { dups++; return; }
  *slot = seq;
  received++;
  int64_t tx = (int64_t)(((uint64_t)get32(p + 13) << 32) | get32(p + 17));
  int64_t lat = rx - tx;
  if (lat < 0) lat = 0;
  if (lat > max_lat_ns) max_lat_ns = lat;
  int64_t bucket = lat / (HIST_US * 1000);
  hist[bucket < HIST_N ? bucket : HIST_N - 1]++;
}

static void on_readable(int idx, int side) {
  enum { BATCH = 16 };
  struct mmsghdr m[BATCH];
  struct iovec iov[BATCH];
  uint8_t bufs[BATCH][256];
  char ctl[BATCH][CMSG_SPACE(sizeof(struct timespec)) + CMSG_SPACE(sizeof(uint32_t))];
  struct call *c = &calls[idx];
  for (;;) {
    for (int i = 0; i < BATCH; i++) {
      iov[i].iov_base = bufs[i];
      iov[i].iov_len = sizeof bufs[i];
      memset(&m[i].msg_hdr, 0, sizeof m[i].msg_hdr);
      m[i].msg_hdr.msg_iov = &iov[i];
      m[i].msg_hdr.msg_iovlen = 1;
      m[i].msg_hdr.msg_control = ctl[i];
      m[i].msg_hdr.msg_controllen = sizeof ctl[i];
    }
    int n = recvmmsg(c->fd[side], m, BATCH, MSG_DONTWAIT, NULL);
    if (n < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK) recv_errors++; /* e.g. ECONNREFUSED: ICMP from a closed relay port */
      return;
    }
    for (int i = 0; i < n; i++) {
      int64_t rx = -1;
      for (struct cmsghdr *h = CMSG_FIRSTHDR(&m[i].msg_hdr); h; h = CMSG_NXTHDR(&m[i].msg_hdr, h)) {
        if (h->cmsg_level != SOL_SOCKET) continue;
        if (h->cmsg_type == SCM_TIMESTAMPNS) {
          struct timespec ts;
          memcpy(&ts, CMSG_DATA(h), sizeof ts);
          rx = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
        } else if (h->cmsg_type == SO_RXQ_OVFL) {
          uint32_t d;
          memcpy(&d, CMSG_DATA(h), sizeof d);
          if (window_open && d > c->drops_seen[side]) kernel_drops += d - c->drops_seen[side];
          c->drops_seen[side] = d;
        }
      }
      if (rx < 0) rx = now_ns(CLOCK_REALTIME);
      on_packet(idx, side, bufs[i], (ssize_t)m[i].msg_len, rx);
    }
    if (n < BATCH) return;
  }
}

static int bind_port(int port) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/* An RTP socket on an even port and its RTCP socket on the next one, in the ephemeral range
   (the relays under test allocate below it), like a phone would. */
static int open_pair(int *rtp_fd, int *rtcp_fd) {
  for (int tries = 0; tries < 1000; tries++) {
    int port = 32768 + 2 * (int)(random() % 14000);
    int a = bind_port(port);
    if (a < 0) continue;
    int b = bind_port(port + 1);
    if (b < 0) { close(a); continue; }
    *rtp_fd = a;
    *rtcp_fd = b;
    return port;
  }
  return -1;
}

static void on_rtcp(int fd) {
  uint8_t b[1500];
  while (recv(fd, b, sizeof b, MSG_DONTWAIT) >= 0) rtcp_packets++;
}

static void cmd_open(int k) {
  int first = ncalls;
  size_t cap = 64 + (size_t)k * 14;
  char *out = malloc(cap);
  size_t len = (size_t)snprintf(out, cap, "opened %d", first);
  for (int j = 0; j < k; j++) {
    if (ncalls >= MAX_CALLS) { printf("error too many calls (max %d)\n", MAX_CALLS); free(out); return; }
    struct call *c = &calls[ncalls];
    memset(c, 0, sizeof *c);
    int ports[2];
    for (int side = 0; side < 2; side++) {
      ports[side] = open_pair(&c->fd[side], &c->rtcp_fd[side]);
      if (ports[side] < 0) { printf("error no free port pair: %s\n", strerror(errno)); free(out); return; }
      struct epoll_event ev = { .events = EPOLLIN, .data.u64 = ((uint64_t)ncalls << 2) | (uint64_t)side };
      epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd[side], &ev);
      ev.data.u64 = ((uint64_t)ncalls << 2) | (uint64_t)(2 + side);
      epoll_ctl(epfd, EPOLL_CTL_ADD, c->rtcp_fd[side], &ev);
      c->st[side].s0 = c->st[side].s1 = OPEN;
      c->st[side].ssrc = (uint32_t)random();
      c->st[side].rtp_seq = (uint16_t)random();
      c->st[side].rtp_ts = (uint32_t)random();
      memset(c->st[side].seen, 0xff, sizeof c->st[side].seen);
    }
    c->next_in_slot = -1;
    ncalls++;
    len += (size_t)snprintf(out + len, cap - len, " %d %d", ports[0], ports[1]);
  }
  printf("%s\n", out);
  free(out);
}

static void cmd_connect(int i, int pa, int pb) {
  if (i < 0 || i >= ncalls) { printf("error no call %d\n", i); return; }
  struct call *c = &calls[i];
  int ports[2] = { pa, pb };
  for (int side = 0; side < 2; side++) {
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)ports[side]), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (connect(c->fd[side], (struct sockaddr *)&a, sizeof a) < 0) { printf("error connect: %s\n", strerror(errno)); return; }
  }
  int s = slot_of(i);
  c->next_in_slot = slot_head[s];
  slot_head[s] = i;
  c->active = 1;
}

static void cmd_close(int i) {
  if (i < 0 || i >= ncalls || calls[i].fd[0] < 0) return;
  calls[i].active = 0; /* stays in its slot list, skipped */
  for (int side = 0; side < 2; side++) {
    epoll_ctl(epfd, EPOLL_CTL_DEL, calls[i].fd[side], NULL);
    epoll_ctl(epfd, EPOLL_CTL_DEL, calls[i].rtcp_fd[side], NULL);
    close(calls[i].fd[side]);
    close(calls[i].rtcp_fd[side]);
    calls[i].fd[side] = calls[i].rtcp_fd[side] = -1;
  }
}

static double cpu_s(const struct rusage *r) {
  return (double)r->ru_utime.tv_sec + r->ru_utime.tv_usec / 1e6 + (double)r->ru_stime.tv_sec + r->ru_stime.tv_usec / 1e6;
}

static void cmd_begin(void) {
  memset(hist, 0, sizeof hist);
  memset(late_hist, 0, sizeof late_hist);
  received = dups = misrouted = bad = stale = send_errors = recv_errors = kernel_drops = skipped_slots = rtcp_packets = 0;
  max_lat_ns = max_late_ns = 0;
  for (int i = 0; i < ncalls; i++)
    for (int d = 0; d < 2; d++) {
      calls[i].st[d].s0 = calls[i].active ? calls[i].st[d].next_seq : OPEN;
      calls[i].st[d].s1 = OPEN;
    }
  window_open = 1;
  win_t0 = now_ns(CLOCK_MONOTONIC);
  getrusage(RUSAGE_SELF, &ru0);
}

static void cmd_end(void) {
  for (int i = 0; i < ncalls; i++)
    for (int d = 0; d < 2; d++)
      if (calls[i].st[d].s0 != OPEN) calls[i].st[d].s1 = calls[i].st[d].next_seq;
  win_t1 = now_ns(CLOCK_MONOTONIC);
  getrusage(RUSAGE_SELF, &ru1);
  window_open = 0;
}

static double pct(const uint64_t *h, int n, uint64_t total, double q, double width) {
  if (total == 0) return -1;
  uint64_t want = (uint64_t)(q * (double)total), seen = 0;
  if (want >= total) want = total - 1;
  for (int b = 0; b < n; b++) {
    seen += h[b];
    if (seen > want) return (b + 1) * width; /* upper edge of the bucket */
  }
  return n * width;
}

static void cmd_report(void) {
  uint64_t expected = 0, late_total = 0;
  int active = 0;
  for (int i = 0; i < ncalls; i++) {
    if (calls[i].active) active++;
    for (int d = 0; d < 2; d++)
      if (calls[i].st[d].s0 != OPEN && calls[i].st[d].s1 != OPEN) expected += calls[i].st[d].s1 - calls[i].st[d].s0;
  }
  for (int b = 0; b < 200; b++) late_total += late_hist[b];
  printf("report {\"calls\":%d,\"windowS\":%.4f,\"cpuS\":%.4f,\"expected\":%llu,\"received\":%llu,\"duplicates\":%llu,"
         "\"misrouted\":%llu,\"bad\":%llu,\"stale\":%llu,\"sendErrors\":%llu,\"recvErrors\":%llu,\"kernelDrops\":%llu,"
         "\"skippedSlots\":%llu,\"rtcpPackets\":%llu,\"p50Us\":%.0f,\"p90Us\":%.0f,\"p99Us\":%.0f,\"p999Us\":%.0f,\"maxUs\":%.0f,"
         "\"lateP99Us\":%.0f,\"lateMaxUs\":%.0f}\n",
         active, (double)(win_t1 - win_t0) / 1e9, cpu_s(&ru1) - cpu_s(&ru0), (unsigned long long)expected,
         (unsigned long long)received, (unsigned long long)dups, (unsigned long long)misrouted, (unsigned long long)bad,
         (unsigned long long)stale, (unsigned long long)send_errors, (unsigned long long)recv_errors,
         (unsigned long long)kernel_drops, (unsigned long long)skipped_slots, (unsigned long long)rtcp_packets, pct(hist, HIST_N, received, 0.5, HIST_US),
         pct(hist, HIST_N, received, 0.9, HIST_US), pct(hist, HIST_N, received, 0.99, HIST_US),
         pct(hist, HIST_N, received, 0.999, HIST_US), (double)max_lat_ns / 1e3,
         pct(late_hist, 200, late_total, 0.99, 100), (double)max_late_ns / 1e3);
}

static void on_command(char *line) {
  int a, b, c;
  if (sscanf(line, "open %d", &a) == 1) cmd_open(a);
  else if (sscanf(line, "connect %d %d %d", &a, &b, &c) == 3) cmd_connect(a, b, c);
  else if (sscanf(line, "close %d", &a) == 1) cmd_close(a);
  else if (strcmp(line, "begin") == 0) cmd_begin();
  else if (strcmp(line, "end") == 0) cmd_end();
  else if (strcmp(line, "report") == 0) cmd_report();
  else if (strcmp(line, "sync") == 0) printf("ok\n");
  else if (strcmp(line, "quit") == 0) exit(0);
  else printf("error unknown command: %s\n", line);
  fflush(stdout);
}

static char inbuf[1 << 20];
static size_t inlen;

static void on_stdin(void) {
  ssize_t n = read(0, inbuf + inlen, sizeof inbuf - 1 - inlen);
  if (n <= 0) exit(0); /* the harness went away */
  inlen += (size_t)n;
  size_t start = 0;
  for (size_t i = 0; i < inlen; i++) {
    if (inbuf[i] != '\n') continue;
    inbuf[i] = 0;
    on_command(inbuf + start);
    start = i + 1;
  }
  memmove(inbuf, inbuf + start, inlen - start);
  inlen -= start;
}

int main(void) {
  calls = calloc(MAX_CALLS, sizeof *calls);
  for (int s = 0; s < SLOTS; s++) slot_head[s] = -1;
  srandom((unsigned)now_ns(CLOCK_MONOTONIC));
  epfd = epoll_create1(EPOLL_CLOEXEC);
  tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  struct itimerspec it = { .it_interval = { 0, TICK_NS }, .it_value = { 0, TICK_NS } };
  timerfd_settime(tfd, 0, &it, NULL);
  t_start_mono = now_ns(CLOCK_MONOTONIC);
  struct epoll_event ev = { .events = EPOLLIN, .data.u64 = UINT64_MAX };
  epoll_ctl(epfd, EPOLL_CTL_ADD, 0, &ev);
  ev.data.u64 = UINT64_MAX - 1;
  epoll_ctl(epfd, EPOLL_CTL_ADD, tfd, &ev);
  struct epoll_event evs[256];
  for (;;) {
    int n = epoll_wait(epfd, evs, 256, -1);
    for (int i = 0; i < n; i++) {
      uint64_t d = evs[i].data.u64;
      if (d == UINT64_MAX) on_stdin();
      else if (d == UINT64_MAX - 1) on_tick();
      else if ((d & 3) >= 2) on_rtcp(calls[d >> 2].rtcp_fd[(d & 3) - 2]);
      else on_readable((int)(d >> 2), (int)(d & 1));
    }
  }
}
