/*
 * owner.c: who runs the program against who owns its config.  On a
 * shared host without suexec (or an equivalent), every site's scripts
 * run as the web server's user: the key files could be read by this
 * program only if that user, and so every other account's scripts,
 * could read them too.  jwtauth refuses to run so rather than ask for
 * readable keys.  The rule: the config file belongs to the account the
 * program runs as, or to root (a server-wide install).  Root itself
 * may read any deployment (authctl run by an administrator).
 */
#include <sys/stat.h>

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "jwtauth.h"

/* The name of uid in buf (the number when it has none); returns buf. */
static const char *
owner_name(uid_t uid, char *buf, size_t len)
{
	struct passwd	*pw;

	if ((pw = getpwuid(uid)) != NULL)
		snprintf(buf, len, "%s", pw->pw_name);
	else
		snprintf(buf, len, "%lu", (unsigned long)uid);
	return buf;
}

/*
 * Checks that the config file path belongs to the effective user or to
 * root, or that the effective user is root.  When path cannot be
 * examined for lack of permission (a private directory of another
 * account), the nearest directory above it that can is judged instead.
 * Returns JA_OK with a short description in err ("runs as alice; ...
 * belongs to alice"), JA_ECONFIG with the reason and what to do in err,
 * or JA_ENOTFOUND when nothing on the path can be examined (a missing
 * file: config_load() then says why it cannot be read).
 */
int
owner_check(const char *path, char *err, size_t errlen)
{
	struct stat	 st;
	uid_t		 me = geteuid();
	char		 mine[64], theirs[64], at[1024];
	char		*slash;

	snprintf(at, sizeof(at), "%s", path);
	while (stat(at, &st) == -1) {
		if (errno != EACCES || (slash = strrchr(at, '/')) == NULL ||
		    slash == at) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return JA_ENOTFOUND;
		}
		*slash = '\0';
	}
	owner_name(me, mine, sizeof(mine));
	owner_name(st.st_uid, theirs, sizeof(theirs));
	if (me == 0 || st.st_uid == me || st.st_uid == 0) {
		snprintf(err, errlen, "runs as %s; %s belongs to %s", mine,
		    at, theirs);
		return JA_OK;
	}
	snprintf(err, errlen, "this program runs as %s but %s belongs to "
	    "%s: the web server runs scripts as its own user, not as yours "
	    "(no suexec). The key files would have to be readable by %s, "
	    "so by every site's scripts on this host; refusing to run so. "
	    "Ask the host for suexec (scripts run as your account) or use "
	    "another host", mine, at, theirs, mine);
	return JA_ECONFIG;
}
