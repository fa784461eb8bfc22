/*
 * The floor of any user-space TCP proxy on this machine: one thread, epoll, read a chunk, write it to the other
 * side, nothing else (no recording, no decoding, no JavaScript). The proxy bench measures it next to ours so the
 * latency a proxy adds can be read against what the kernel's wake-ups alone cost here.
 *
 * Usage: epoll-relay <listen-port> <upstream-port>   (both on 127.0.0.1; prints "ready" once it listens)
 * Linux only. Blocking writes keep it short: a full peer stalls the relay, which a benchmark of one flow never sees.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_FDS 65536

/* The other side of each relayed socket; -1 once the pair is closed (a later event in the same batch is skipped). */
static int peer_of[MAX_FDS];

static struct sockaddr_in loopback(int port) {
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons((unsigned short)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

static void watch(int epoll_fd, int fd) {
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
  epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev);
}

static void close_pair(int fd) {
  int other = peer_of[fd];
  peer_of[fd] = -1;
  close(fd);
  if (other >= 0) {
    peer_of[other] = -1;
    close(other);
  }
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: epoll-relay <listen-port> <upstream-port>\n");
    return 2;
  }
  int one = 1;
  struct sockaddr_in listen_at = loopback(atoi(argv[1]));
  struct sockaddr_in upstream_at = loopback(atoi(argv[2]));
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(listener, (struct sockaddr *)&listen_at, sizeof listen_at) != 0 || listen(listener, 512) != 0) {
    perror("epoll-relay: listen");
    return 1;
  }
  int epoll_fd = epoll_create1(0);
  watch(epoll_fd, listener);
  printf("ready\n");
  fflush(stdout);

  for (int fd = 0; fd < MAX_FDS; fd++) peer_of[fd] = -1;
  static char buf[65536];
  struct epoll_event events[64];
  for (;;) {
    int n = epoll_wait(epoll_fd, events, 64, -1);
    for (int i = 0; i < n; i++) {
      int fd = events[i].data.fd;
      if (fd == listener) {
        int client = accept(listener, NULL, NULL);
        if (client < 0 || client >= MAX_FDS) { if (client >= 0) close(client); continue; }
        int upstream = socket(AF_INET, SOCK_STREAM, 0);
        if (upstream < 0 || upstream >= MAX_FDS || connect(upstream, (struct sockaddr *)&upstream_at, sizeof upstream_at) != 0) {
          close(client);
          if (upstream >= 0) close(upstream);
          continue;
        }
        setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        setsockopt(upstream, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        peer_of[client] = upstream;
        peer_of[upstream] = client;
        watch(epoll_fd, client);
        watch(epoll_fd, upstream);
        continue;
      }
      if (peer_of[fd] < 0) continue;
      ssize_t got = read(fd, buf, sizeof buf);
      if (got <= 0) { close_pair(fd); continue; }
      for (ssize_t sent = 0; sent < got;) {
        ssize_t k = write(peer_of[fd], buf + sent, (size_t)(got - sent));
        if (k <= 0) { close_pair(fd); break; }
        sent += k;
      }
    }
  }
}
