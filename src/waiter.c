/*-------------------------------------------------------------------------
 *
 * waiter.c
 *	  One descriptor for an async Append to wait on: an epoll set of
 *	  libcurl's sockets and a timer.
 *
 *-------------------------------------------------------------------------
 */
#include "azb.h"

#include <sys/select.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/epoll.h>
#include <sys/timerfd.h>
#endif

#include "utils/memutils.h"


#define AZB_WAITER_MAX_FDS 256

struct AzbWaiter
{
	int			epfd;			/* readable when a socket or the timer is */
	int			timerfd;		/* bounds the wait: libcurl's timers, retries, pacing */
	int			nfds;
	int			fds[AZB_WAITER_MAX_FDS];	/* the sockets registered last time */
	MemoryContextCallback cleanup;
};

static void
waiter_cleanup(void *arg)
{
	AzbWaiter  *w = (AzbWaiter *) arg;

	if (w->epfd >= 0)
		close(w->epfd);
	if (w->timerfd >= 0)
		close(w->timerfd);
	w->epfd = w->timerfd = -1;
}

/*
 * An async Append waits on one descriptor per subplan.  A waiter is an epoll
 * descriptor holding libcurl's sockets and a timer, so that one descriptor
 * wakes the Append when any transfer can progress or a timeout passes.
 * NULL where that is not available (not Linux, or out of descriptors): the
 * scan then runs synchronously.
 */
AzbWaiter *
azb_waiter_create(void)
{
#ifdef __linux__
	AzbWaiter  *w = palloc0(sizeof(AzbWaiter));
	struct epoll_event ev = {0};

	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	w->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	w->cleanup.func = waiter_cleanup;
	w->cleanup.arg = w;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, &w->cleanup);
	if (w->epfd < 0 || w->timerfd < 0)
		return NULL;
	ev.events = EPOLLIN;
	ev.data.fd = w->timerfd;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->timerfd, &ev) != 0)
		return NULL;
	return w;
#else
	return NULL;
#endif
}

/*
 * Register libcurl's current sockets and arm the timer for at most max_ms
 * (less if libcurl wants to be called sooner); returns the descriptor to
 * wait on.
 */
int
azb_waiter_arm(AzbWaiter *w, long max_ms)
{
#ifdef __linux__
	fd_set		rd,
				wr,
				ex;
	int			maxfd = -1;
	long		curl_ms = -1;
	uint64		expirations;
	struct itimerspec its = {{0, 0}, {0, 0}};

	/* forget last time's sockets and expiry */
	for (int i = 0; i < w->nfds; i++)
		(void) epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->fds[i], NULL);
	w->nfds = 0;
	while (read(w->timerfd, &expirations, sizeof(expirations)) > 0)
		;

	if (azb_http_sockets(&rd, &wr, &ex, &maxfd, &curl_ms))
	{
		{
			for (int fd = 0; fd <= maxfd && w->nfds < AZB_WAITER_MAX_FDS; fd++)
			{
				struct epoll_event ev = {0};

				if (FD_ISSET(fd, &rd))
					ev.events |= EPOLLIN;
				if (FD_ISSET(fd, &wr))
					ev.events |= EPOLLOUT;
				if (ev.events == 0)
					continue;
				ev.data.fd = fd;
				if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) == 0)
					w->fds[w->nfds++] = fd;
			}
		}
	}
	if (curl_ms >= 0 && curl_ms < max_ms)
		max_ms = curl_ms;
	if (max_ms < 1)
		max_ms = 1;
	its.it_value.tv_sec = max_ms / 1000;
	its.it_value.tv_nsec = (max_ms % 1000) * 1000000L;
	(void) timerfd_settime(w->timerfd, 0, &its, NULL);
	return w->epfd;
#else
	return -1;
#endif
}
