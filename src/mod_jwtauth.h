/*
 * mod_jwtauth.h: the Apache module's own prototypes (mod_jwtauth.c,
 * mod_jwtauth_io.c).  Include after httpd.h and jwtauth.h.
 */
#ifndef MOD_JWTAUTH_H
#define MOD_JWTAUTH_H

/* mod_jwtauth_io.c */
void		 modio_begin(request_rec *);
void		 modio_end(void);

#endif
