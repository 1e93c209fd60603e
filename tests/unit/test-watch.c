/*
 * test-watch.c: watch.c, which files of a config are watched and which
 * changes of a file are seen (reload.c reads the config again on them).
 */
#include <sys/stat.h>

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

int
main(void)
{
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_paths();
	test_changes();
	rmdir(dir);
	return tap_done();
}
