/*
 * watch.c: noticing that a file the configuration names changed, so
 * that a process reloads it before it answers (reload.c).  The files
 * are the config file itself, key_file, secret_file, the path of each
 * verify_keys entry and each of old_secret_files; not log_file, which
 * the service writes itself.  A file counts as changed when stat(2) now
 * disagrees with the state recorded in device, inode (an editor that
 * saves by rename), size, mtime or ctime to the nanosecond (a rewrite
 * of the same size within the same second, a chmod), or when it
 * appeared or went away.  Every check looks: no rate limit
 * (jwtauth.fcgi(8), Reloading).  Where the kernel can tell that nothing
 * happened to the files since they were last looked at (watch_notify.c:
 * inotify, one poll(2) a request), the files are not looked at again;
 * after any event that may concern them, and wherever inotify cannot
 * vouch for them, one stat(2) a file a request.
 */
#include <stdlib.h>
#include <string.h>

#include "jwtauth.h"

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

/* Adds a copy of path (with len bytes) to w's files, if there is room. */
static int
watch_add(struct watch *w, const char *path, size_t len)
{
	struct watch_file	*f;

	if (path == NULL || len == 0)
		return JA_OK;
	if (w->n == WATCH_MAX)
		return JA_ENOMEM;
	f = &w->files[w->n];
	memset(f, 0, sizeof(*f));
	if ((f->path = strndup(path, len)) == NULL)
		return JA_ENOMEM;
	w->n++;
	return JA_OK;
}

/*
 * Adds the paths of list, entries separated by commas or blanks as
 * config.c and keys.c split them; with skip 2, each entry is
 * "kid:alg:path" (the path may hold ':') and only its path is added.
 */
static int
watch_add_list(struct watch *w, const char *list, int skip)
{
	const char	*p, *e;
	int		 i;

	if (list == NULL)
		return JA_OK;
	for (p = list; *p != '\0'; p = e) {
		p += strspn(p, ", \t");
		e = p + strcspn(p, ", \t");
		for (i = 0; i < skip && p < e; i++) {
			while (p < e && *p != ':')
				p++;
			if (p < e)
				p++;
		}
		if (watch_add(w, p, (size_t)(e - p)) != JA_OK)
			return JA_ENOMEM;
	}
	return JA_OK;
}

/* Clears w: no file, no inotify instance yet. */
static void
watch_clear(struct watch *w)
{
	memset(w, 0, sizeof(*w));
	w->nfd = w->mfd = -1;
}

/*
 * Sets w to watch the config file path alone (before a first load, when
 * nothing else is known).  Returns JA_OK or JA_ENOMEM; the state is not
 * recorded yet (watch_record).  Free with watch_free().
 */
int
watch_init(struct watch *w, const char *path)
{
	watch_clear(w);
	return watch_add(w, path, strlen(path));
}

/*
 * Sets w to watch every file cfg names (see above), state not recorded.
 * Returns JA_OK, or JA_ENOMEM (then w watches what it could add).
 * Free with watch_free().
 */
int
watch_set(struct watch *w, const struct config *cfg)
{
	watch_clear(w);
	if (watch_add(w, cfg->path, strlen(cfg->path)) != JA_OK ||
	    watch_add_list(w, cfg->key_file, 0) != JA_OK ||
	    watch_add_list(w, cfg->secret_file, 0) != JA_OK ||
	    watch_add_list(w, cfg->verify_keys, 2) != JA_OK ||
	    watch_add_list(w, cfg->old_secret_files, 0) != JA_OK)
		return JA_ENOMEM;
	return JA_OK;
}

/*
 * Records what stat(2) says of each file of w now (before they are read:
 * reload.c).  The inotify watches go: a file read anew may be another
 * inode; the next watch_changed() makes them again.
 */
void
watch_record(struct watch *w)
{
	struct watch_file	*f;
	size_t			 i;

	watch_notify_stop(w);
	w->noff = 0;
	for (i = 0; i < w->n; i++) {
		f = &w->files[i];
		memset(&f->st, 0, sizeof(f->st));
		f->ok = stat(f->path, &f->st) == 0;
	}
}

/* Returns 1 when a and b watch the same paths in the same order. */
int
watch_same_paths(const struct watch *a, const struct watch *b)
{
	size_t	 i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->files[i].path, b->files[i].path) != 0)
			return 0;
	return 1;
}

/*
 * Returns the path of the first file of w whose state differs from the
 * one recorded, or NULL when none does.  When inotify says nothing
 * happened, NULL at once; else the watches are made (again) first, then
 * one stat(2) a file: a change made before the watches is seen here,
 * one made after them by the next call.
 */
const char *
watch_changed(struct watch *w)
{
	const struct watch_file	*f;
	struct stat		 st;
	size_t			 i;
	int			 ok;

	if (watch_notify_quiet(w))
		return NULL;
	if (!w->noff && watch_notify_start(w) != JA_OK)
		w->noff = 1;
	w->passes++;
	for (i = 0; i < w->n; i++) {
		f = &w->files[i];
		ok = stat(f->path, &st) == 0;
		if (ok != f->ok || (ok && !watch_same(&st, &f->st)))
			return f->path;
	}
	return NULL;
}

/* Frees the paths of w; w watches nothing after.  Accepts NULL. */
void
watch_free(struct watch *w)
{
	size_t	 i;

	if (w == NULL)
		return;
	watch_notify_stop(w);
	for (i = 0; i < w->n; i++)
		free(w->files[i].path);
	watch_clear(w);
}
