/*
 * stash.c: a process-wide state moved out into a box of its own and
 * back, so that one process can hold the states of several
 * deployments and put one of them in place at a time (mod_jwtauth, a
 * JwtAuthConfig per directory: mod_jwtauth_deploy.c).  The modules
 * whose state is per deployment (tokcache.c, revcache.c, metrics.c,
 * log.c) stash and unstash their own static state with these.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"

/*
 * Moves len bytes of state into a new box and zeroes them in place.
 * Returns the box (the caller owns it: stash_put() gives it back), or
 * NULL when out of memory, with nothing moved.
 */
void *
stash_take(void *state, size_t len)
{
	void	*box;

	if ((box = malloc(len)) == NULL)
		return NULL;
	memcpy(box, state, len);
	memset(state, 0, len);
	return box;
}

/* Moves box, of stash_take(), back over len bytes of state; frees box. */
void
stash_put(void *state, void *box, size_t len)
{
	memcpy(state, box, len);
	sodium_memzero(box, len);
	free(box);
}
