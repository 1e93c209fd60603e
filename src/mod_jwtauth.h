/*
 * mod_jwtauth.h: the Apache module's own prototypes (mod_jwtauth.c,
 * mod_jwtauth_io.c, mod_jwtauth_deploy.c).  Include after httpd.h and
 * jwtauth.h.
 */
#ifndef MOD_JWTAUTH_H
#define MOD_JWTAUTH_H

/* mod_jwtauth_io.c */
void		 modio_begin(request_rec *);
void		 modio_end(void);

/* mod_jwtauth_deploy.c */
#define MODJWT_DEPLOY_MAX	8	/* config files one child checks with */

struct reload	*modjwt_deploy_use(const char *, int *);
void		 modjwt_deploy_free(void);

#endif
