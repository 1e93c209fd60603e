/*
 * test-watch.c: watch.c, which files of a config are watched and which
 * changes of a file are seen (reload.c reads the config again on them);
 * watch_notify.c, when inotify stands in for the stat(2) of every file
 * and when not, a directory on the path replaced, a child of fork(2), a
 * mount over the path.
 */
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jwtauth.h"
#include "tap.h"

static char	 dir[] = "/tmp/test-watch-XXXXXX";

/* Writes text to path (truncating it: same inode when it exists). */
static void
put(const char *path, const char *text)
{
	FILE	*fp;

	if ((fp = fopen(path, "w")) == NULL) {
		perror(path);
		exit(1);
	}
	fputs(text, fp);
	fclose(fp);
}

/* The paths of the files cfg names, in the order watched. */
static void
test_paths(void)
{
	struct config	 cfg;
	struct watch	 w, v;
	char		 path[] = "/etc/j.conf", key[] = "/k/jwt.key",
			 secret[] = "/k/secret.key",
			 verify[] = " k0:RS256:/k/k0.pem,k1:HS256:/k/a:b.key\tk2:ES256:rel.pem ",
			 old[] = "/k/old1.key, /k/old2.key";
	static const char *want[] = { "/etc/j.conf", "/k/jwt.key",
	    "/k/secret.key", "/k/k0.pem", "/k/a:b.key", "rel.pem",
	    "/k/old1.key", "/k/old2.key" };
	size_t		 i;
	int		 same = 1;

	memset(&cfg, 0, sizeof(cfg));
	cfg.path = path;
	cfg.key_file = key;
	cfg.secret_file = secret;
	cfg.verify_keys = verify;
	cfg.old_secret_files = old;
	tap_ok(watch_set(&w, &cfg) == JA_OK, "watch_set: every file fits");
	tap_ok(w.n == sizeof(want) / sizeof(want[0]),
	    "watch_set: the config, both key files, 3 verify keys, 2 old secrets");
	for (i = 0; i < w.n && i < sizeof(want) / sizeof(want[0]); i++)
		if (strcmp(w.files[i].path, want[i]) != 0) {
			printf("# %zu: %s, want %s\n", i, w.files[i].path,
			    want[i]);
			same = 0;
		}
	tap_ok(same, "watch_set: a verify key's path is what follows kid:alg:, "
	    "':' in it kept");
	tap_ok(watch_init(&v, path) == JA_OK && v.n == 1 &&
	    !watch_same_paths(&v, &w), "watch_init: the config file alone");
	watch_free(&v);
	cfg.verify_keys = NULL;
	tap_ok(watch_set(&v, &cfg) == JA_OK && v.n == 5 &&
	    !watch_same_paths(&v, &w),
	    "a verify key removed: other paths than before");
	watch_free(&v);
	watch_free(&w);
	watch_free(NULL);
}

/*
 * The changes of one file that watch_changed() must see.  The rewrite
 * of the same size right after a stat(2) is told by its nanoseconds:
 * Linux 6.13 and later give a file whose times were looked at a fine
 * timestamp at its next change (multigrain timestamps).
 */
static void
test_changes(void)
{
	struct watch	 w;
	char		 f[64], g[64];

	snprintf(f, sizeof(f), "%s/k.key", dir);
	snprintf(g, sizeof(g), "%s/k.key.new", dir);
	put(f, "aaaaaaaa\n");
	watch_init(&w, f);
	watch_record(&w);
	tap_ok(watch_changed(&w) == NULL, "unchanged: not seen as changed");
	put(f, "bbbbbbbb\n");
	tap_ok(watch_changed(&w) != NULL,
	    "rewritten in place, same size, same second: seen");
	watch_record(&w);
	chmod(f, 0600);
	chmod(f, 0640);
	tap_ok(watch_changed(&w) != NULL, "mode changed: seen (ctime)");
	watch_record(&w);
	put(g, "bbbbbbbb\n");
	rename(g, f);
	tap_ok(watch_changed(&w) != NULL,
	    "replaced by rename, same bytes: seen (inode)");
	watch_record(&w);
	unlink(f);
	tap_ok(watch_changed(&w) != NULL, "removed: seen");
	watch_record(&w);
	tap_ok(watch_changed(&w) == NULL, "still missing: not seen again");
	put(f, "cccccccc\n");
	tap_ok(watch_changed(&w) != NULL, "back again: seen");
	unlink(f);
	watch_free(&w);
}

/* Watches path alone, records it and looks once: watch_changed()'s
 * answer (the first look makes the inotify watches). */
static const char *
watch_fresh(struct watch *w, const char *path)
{
	watch_init(w, path);
	watch_record(w);
	return watch_changed(w);
}

/*
 * inotify in place of the stat(2) of every file: no look while nothing
 * happened, none for another file beside it, and what it must not hide.
 */
static void
test_notify(void)
{
	struct watch	 w;
	char		 sub[64], old[64], f[80], other[80], link[64], lf[80],
			 m[64], mf[80];
	unsigned long	 passes;
	pid_t		 pid;
	int		 i, st, quiet = 1;

	snprintf(sub, sizeof(sub), "%s/sub", dir);
	snprintf(old, sizeof(old), "%s/sub.old", dir);
	snprintf(f, sizeof(f), "%s/k.key", sub);
	snprintf(other, sizeof(other), "%s/jwtauth.log", sub);
	mkdir(sub, 0700);
	put(f, "aaaaaaaa\n");
	tap_ok(watch_fresh(&w, f) == NULL && w.nfd >= 0,
	    "a canonical path on a local file system: inotify watches it");
	passes = w.passes;
	for (i = 0; i < 5; i++)
		quiet &= watch_changed(&w) == NULL;
	tap_ok(quiet && w.passes == passes,
	    "nothing happened: not changed, and no stat(2) of the file");
	put(other, "a log line\n");
	tap_ok(watch_changed(&w) == NULL && w.passes == passes,
	    "another file beside it written: not changed, no stat(2)");
	put(f, "bbbbbbbb\n");
	tap_ok(watch_changed(&w) != NULL && w.passes == passes + 1,
	    "the file rewritten: seen, by a stat(2) of the files");

	/* A directory on the path replaced by another with the same bytes. */
	watch_record(&w);
	tap_ok(watch_changed(&w) == NULL, "recorded again: not changed");
	rename(sub, old);
	mkdir(sub, 0700);
	put(f, "bbbbbbbb\n");
	tap_ok(watch_changed(&w) != NULL,
	    "a directory on its path replaced: seen");
	watch_record(&w);
	(void)watch_changed(&w);
	put(f, "cccccccc\n");
	tap_ok(watch_changed(&w) != NULL,
	    "and the file in the new directory rewritten: seen");

	/* A child of fork(2) makes its own instance: it sees a change made
	 * before it asked, whatever the parent read. */
	watch_record(&w);
	(void)watch_changed(&w);
	if ((pid = fork()) == 0) {
		put(f, "dddddddd\n");
		_exit(watch_changed(&w) != NULL && w.npid == getpid() ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "a child of fork: its own instance, the change seen");
	tap_ok(watch_changed(&w) != NULL, "and in the parent too");
	watch_free(&w);

	/* A symbolic link on the path: stat(2) every time. */
	snprintf(link, sizeof(link), "%s/link", dir);
	snprintf(lf, sizeof(lf), "%s/k.key", link);
	(void)symlink(sub, link);
	tap_ok(watch_fresh(&w, lf) == NULL && w.nfd < 0 && w.noff,
	    "a path through a symbolic link: no inotify");
	passes = w.passes;
	tap_ok(watch_changed(&w) == NULL && w.passes == passes + 1,
	    "there every look is a stat(2)");
	put(f, "eeeeeeee\n");
	tap_ok(watch_changed(&w) != NULL, "and a change is seen");
	watch_free(&w);
	unlink(link);

	/* A mount over a directory on the path sends no inotify event: the
	 * mount table's does (needs CAP_SYS_ADMIN: skipped without). */
	snprintf(m, sizeof(m), "%s/m", dir);
	snprintf(mf, sizeof(mf), "%s/k.key", m);
	mkdir(m, 0700);
	put(mf, "ffffffff\n");
	(void)watch_fresh(&w, mf);
	if (mount("none", m, "tmpfs", 0, "size=64k") != 0) {
		printf("ok %d # skip mount: %s\n", ++tap_count,
		    strerror(errno));
	} else {
		tap_ok(watch_changed(&w) != NULL,
		    "a file system mounted over its directory: seen");
		(void)umount(m);
	}
	watch_free(&w);
	unlink(mf);
	rmdir(m);
	unlink(other);
	unlink(f);
	rmdir(sub);
	snprintf(f, sizeof(f), "%s/k.key", old);
	unlink(f);
	snprintf(f, sizeof(f), "%s/jwtauth.log", old);
	unlink(f);
	rmdir(old);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_paths();
	test_changes();
	test_notify();
	rmdir(dir);
	return tap_done();
}
