/*
 * watch_notify.c: the kernel tells a process that nothing it watches
 * changed, so that watch_changed() (watch.c) need not stat(2) every file
 * before every request.  One inotify(7) instance per process and watch:
 * each file (IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE, IN_MOVE_SELF,
 * IN_DELETE_SELF) and each directory on its path, from / down (an entry
 * made, removed or renamed, IN_ATTRIB, the directory itself moved or
 * removed), and /proc/self/mountinfo (a mount or unmount: POLLPRI).  The
 * kernel queues those events before the call that made the change
 * returns, so one poll(2) with no wait answers "nothing happened since
 * the watches were made": the same question the stat(2) of every file
 * answered, one system call instead of one a file.
 *
 * Only where that holds.  Changes made by another machine on a network
 * file system, or through another layer of an overlay, send no event:
 * every file and directory must be on a local file system the kernel
 * tells of (ext2/3/4, XFS, Btrfs, tmpfs, F2FS).  A symbolic link on the
 * path would make the watched directory not the one the file is in:
 * every path must be its own realpath(3).  Elsewhere, when /proc is not
 * mounted, or when inotify has no instance or watch left (the limits of
 * fs.inotify.*), watch_notify_start() fails and the caller stats every
 * file on every request, as before.
 *
 * An event, whatever it is, about a watched name makes the caller
 * build the watches again (a file replaced by rename is another inode)
 * and then stat every file against the state recorded before the config
 * was read: a change before the new watches is seen by that stat, one
 * after them by the next poll.  The same happens in a process that did
 * not make the instance (a child of fork(2) must not read events its
 * parent reads: a pthread_atfork(3) handler counts the forks, which
 * costs no getpid(2) a request).  Events about other names in those
 * directories (a log file beside the config) are read and dropped.
 */
#include <sys/inotify.h>
#include <sys/statfs.h>

#include <linux/magic.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jwtauth.h"

#define WATCH_FILE_MASK	(IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | \
			 IN_MOVE_SELF | IN_DELETE_SELF | IN_DONT_FOLLOW)
#define WATCH_DIR_MASK	(IN_CREATE | IN_DELETE | IN_MOVED_FROM | \
			 IN_MOVED_TO | IN_ATTRIB | IN_MOVE_SELF | \
			 IN_DELETE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW)
#ifndef F2FS_SUPER_MAGIC
#define F2FS_SUPER_MAGIC	0xF2F52010
#endif

/* Forks of this process since it started: see above. */
static unsigned long	watch_notify_forks;
static pthread_once_t	watch_notify_once = PTHREAD_ONCE_INIT;

/* In the child of a fork: no instance made before is its own. */
static void
watch_notify_forked(void)
{
	watch_notify_forks++;
}

static void
watch_notify_hook(void)
{
	(void)pthread_atfork(NULL, NULL, watch_notify_forked);
}

/* 1 when path is on a file system whose changes all send events. */
static int
watch_notify_local(const char *path)
{
	struct statfs	 sf;

	if (statfs(path, &sf) != 0)
		return 0;
	switch ((unsigned long)sf.f_type) {
	case EXT4_SUPER_MAGIC:	/* ext2 and ext3 too */
	case XFS_SUPER_MAGIC:
	case BTRFS_SUPER_MAGIC:
	case TMPFS_MAGIC:
	case F2FS_SUPER_MAGIC:
		return 1;
	default:
		return 0;
	}
}

/*
 * Adds a watch on path (a file when file is 1) to w's instance and
 * marks it.  Returns JA_OK, or JA_EIO when it cannot be watched so.
 */
static int
watch_notify_add(struct watch *w, const char *path, int file)
{
	struct watch_mark	*m;
	size_t			 i;
	int			 wd;

	for (i = 0; i < w->nmarks; i++)
		if (strcmp(w->marks[i].path, path) == 0)
			return JA_OK;
	if (w->nmarks == WATCH_MARKS || !watch_notify_local(path))
		return JA_EIO;
	wd = inotify_add_watch(w->nfd, path, file ? WATCH_FILE_MASK :
	    WATCH_DIR_MASK);
	if (wd == -1)
		return JA_EIO;
	m = &w->marks[w->nmarks];
	if ((m->path = strdup(path)) == NULL)
		return JA_EIO;
	m->wd = wd;
	m->file = file;
	w->nmarks++;
	return JA_OK;
}

/*
 * Watches the file path and each directory above it.  JA_EIO when path
 * is not absolute and canonical (no symbolic link, "." or ".." in it),
 * or a part of it cannot be watched.
 */
static int
watch_notify_path(struct watch *w, const char *path)
{
	char	 real[PATH_MAX], dir[PATH_MAX];
	char	*slash;
	size_t	 len;

	if (path[0] != '/' || realpath(path, real) == NULL ||
	    strcmp(real, path) != 0)
		return JA_EIO;
	if (watch_notify_add(w, path, 1) != JA_OK)
		return JA_EIO;
	len = strlen(path);
	memcpy(dir, path, len + 1);
	while ((slash = strrchr(dir, '/')) != NULL) {
		if (slash == dir) {
			dir[1] = '\0';
			return watch_notify_add(w, dir, 0);
		}
		*slash = '\0';
		if (watch_notify_add(w, dir, 0) != JA_OK)
			return JA_EIO;
	}
	return JA_EIO;
}

/* Closes w's instance and forgets its watches; w stats every file. */
void
watch_notify_stop(struct watch *w)
{
	size_t	 i;

	if (w->nfd >= 0)
		(void)close(w->nfd);
	if (w->mfd >= 0)
		(void)close(w->mfd);
	w->nfd = w->mfd = -1;
	for (i = 0; i < w->nmarks; i++)
		free(w->marks[i].path);
	w->nmarks = 0;
}

/*
 * Makes w's instance anew in this process: every file of w watched, and
 * the mount table.  Returns JA_OK, or JA_EIO (w then has none: see
 * above for when).
 */
int
watch_notify_start(struct watch *w)
{
	size_t	 i;

	watch_notify_stop(w);
	(void)pthread_once(&watch_notify_once, watch_notify_hook);
	w->npid = getpid();
	w->nforks = watch_notify_forks;
	w->nfd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	w->mfd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (w->nfd == -1 || w->mfd == -1)
		goto fail;
	for (i = 0; i < w->n; i++)
		if (watch_notify_path(w, w->files[i].path) != JA_OK)
			goto fail;
	return JA_OK;
fail:
	watch_notify_stop(w);
	return JA_EIO;
}

/*
 * 1 when the event ev may concern a file of w: any event on a file's
 * own watch, or on a directory itself, the queue's overflow, or an
 * entry of a directory that is the next part of a watched path.
 */
static int
watch_notify_matters(const struct watch *w, const struct inotify_event *ev)
{
	const struct watch_mark	*m;
	const char		*p;
	size_t			 i, j, dlen, nlen;

	if (ev->mask & IN_Q_OVERFLOW)
		return 1;
	for (i = 0; i < w->nmarks; i++) {
		m = &w->marks[i];
		if (m->wd != ev->wd)
			continue;
		if (m->file || ev->len == 0 || ev->name[0] == '\0')
			return 1;
		dlen = strcmp(m->path, "/") == 0 ? 0 : strlen(m->path);
		nlen = strlen(ev->name);
		for (j = 0; j < w->n; j++) {
			p = w->files[j].path;
			if (strncmp(p, m->path, dlen) == 0 && p[dlen] == '/' &&
			    strncmp(p + dlen + 1, ev->name, nlen) == 0 &&
			    (p[dlen + 1 + nlen] == '/' ||
			    p[dlen + 1 + nlen] == '\0'))
				return 1;
		}
	}
	return 0;
}

/*
 * 1 when nothing that matters happened to w's files since its instance
 * was made in this process (one poll(2); events about other names are
 * read and dropped), else 0: the caller makes the watches again and
 * stats every file.
 */
int
watch_notify_quiet(struct watch *w)
{
	char			 buf[4096]
			    __attribute__((aligned(__alignof__(struct inotify_event))));
	struct pollfd		 pfd[2];
	const struct inotify_event	*ev;
	ssize_t			 len, off;

	if (w->nfd < 0 || w->nforks != watch_notify_forks)
		return 0;
	memset(pfd, 0, sizeof(pfd));
	pfd[0].fd = w->nfd;
	pfd[0].events = POLLIN;
	pfd[1].fd = w->mfd;
	pfd[1].events = POLLPRI;
	switch (poll(pfd, 2, 0)) {
	case 0:
		return 1;
	case -1:
		return 0;
	default:
		break;
	}
	if (pfd[1].revents != 0 || (pfd[0].revents & ~POLLIN) != 0)
		return 0;
	for (;;) {
		len = read(w->nfd, buf, sizeof(buf));
		if (len == -1 && errno == EAGAIN)
			return 1;
		if (len <= 0)
			return 0;
		off = 0;
		while (off + (ssize_t)sizeof(*ev) <= len) {
			ev = (const struct inotify_event *)(buf + off);
			if (watch_notify_matters(w, ev))
				return 0;
			off += (ssize_t)sizeof(*ev) + (ssize_t)ev->len;
		}
	}
}
