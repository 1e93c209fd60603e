/*
 * watch.c: noticing that the configuration or a key file changed, so
 * that a FastCGI process can end after its current response and the web
 * server start a fresh one with the new settings: a shared-host user
 * has no way to restart the web server.  A file counts as changed when
 * stat(2) now disagrees with what it said at start in device, inode
 * (an editor that saves by rename), size, mtime or ctime (a chmod), or
 * fails.  At most one round of stat(2) calls a second.
 */
#include <sys/stat.h>

#include <string.h>

#include "jwtauth.h"

/* What stat(2) said of one file, or ok 0 when it failed. */
static void
watch_stat(struct watch_file *f)
{
	struct stat	 st;

	memset(&f->st, 0, sizeof(f->st));
	f->ok = stat(f->path, &st) == 0;
	if (f->ok)
		f->st = st;
}

static int
watch_same(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	    a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	    a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/*
 * Records the state of cfg's config file and both key files.  w keeps
 * pointers to cfg's strings: cfg must outlive it.  Nothing to free.
 */
void
watch_init(struct watch *w, const struct config *cfg)
{
	size_t	 i;

	memset(w, 0, sizeof(*w));
	w->files[0].path = cfg->path;
	w->files[1].path = cfg->key_file;
	w->files[2].path = cfg->secret_file;
	for (i = 0; i < WATCH_FILES; i++)
		watch_stat(&w->files[i]);
}

/*
 * Returns the path of the first watched file that changed since
 * watch_init(), or NULL when none did or when a check was already made
 * during second now.
 */
const char *
watch_changed(struct watch *w, time_t now)
{
	struct watch_file	 f;
	size_t			 i;

	if (now == w->last)
		return NULL;
	w->last = now;
	for (i = 0; i < WATCH_FILES; i++) {
		f.path = w->files[i].path;
		watch_stat(&f);
		if (f.ok != w->files[i].ok ||
		    (f.ok && !watch_same(&f.st, &w->files[i].st)))
			return f.path;
	}
	return NULL;
}
