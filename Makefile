# jwtauth: build, run and test.  See README.md.
#   make          build cgi-bin/jwtauth.fcgi and ./authctl
#   make run      install what is missing, start PostgreSQL and Apache on
#                 http://127.0.0.1:8080 in the foreground (SERVER=lighttpd,
#                 SERVER=nginx, SERVER=caddy or SERVER=apache-module:
#                 the check inside Apache; DB_POOL=pgbouncer: through
#                 a private PgBouncer)
#   make start / make stop   the same in the background
#   make test     the whole suite: unit tests (also built with ASan+UBSan
#                 and under valgrind), fuzz seeds, a short libFuzzer run of
#                 every harness (FUZZ_SECONDS each, default 15,
#                 FUZZ_SECONDS_token 60), end-to-end tests
#   make test-san the end-to-end suite again, against the ASan+UBSan build
#                 (.ci/run runs make test, then this)
#   make san      jwtauth.fcgi, authctl and mod_jwtauth.so with ASan+UBSan
#                 in tests/out/asan/
#   make valgrind the unit tests under valgrind (errors and leaks fail)
#   make fuzz     every fuzz harness with libFuzzer, FUZZ_SECONDS (300) each
#   make install  PREFIX (/usr/local) and DESTDIR honoured; make uninstall
#   make deb      a Debian package in dist/, checked by lintian
#   make bench    one table: the authorizer and the routes against their
#                 baselines, on Apache and lighttpd, mod_jwtauth against
#                 mod_auth_openidc, nginx's auth_request (scripts/bench.pl)

CC	?= cc
CFLAGS	?= -O2 -g
WARNINGS = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	   -Wpointer-arith -Wformat=2 -Wcast-qual -Wwrite-strings \
	   -Wundef -Wvla -Werror
HARDEN	 = -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE
CPPFLAGS += -D_GNU_SOURCE -I/usr/include/postgresql -Isrc
LDFLAGS	+= -pie -Wl,-z,relro,-z,now
# libfido2 checks a passkey's signature, libcbor reads its CBOR
# (webauthn*.c, cose.c).
WALIBS	!= pkg-config --libs libfido2 libcbor 2>/dev/null || echo -lfido2 -lcbor
LIBS	 = -ljwt -ljansson -lpq -lsodium -lcrypto -loath $(WALIBS)

COMMON	= src/config.o src/config_check.o src/config_webauthn.o \
	  src/config_secrets.o \
	  src/keyfile.o src/keys.o src/keys_load.o src/secret.o src/jwks.o \
	  src/log.o src/buf.o src/stash.o src/b64.o src/event.o src/metrics.o \
	  src/text.o src/random.o src/token.o src/token_issue.o \
	  src/refresh.o src/password.o \
	  src/db.o src/db_tx.o src/db_user.o src/db_session.o \
	  src/db_session_rotate.o src/db_session_end.o src/db_audit.o \
	  src/db_purge.o src/db_status.o src/migrate.o src/throttle.o \
	  src/check.o src/owner.o src/migrations.o src/totp.o src/recovery.o \
	  src/db_mfa.o src/db_mfa_challenge.o src/mail.o src/mail_text.o \
	  src/db_email.o src/db_reset.o src/db_signup.o \
	  src/db_email_change.o src/db_known.o src/revring.o \
	  src/db_passkey.o \
	  src/cose.o src/webauthn.o src/attobj.o src/webauthn_sig.o
SERVICE	= src/main.o src/io.o src/watch.o src/watch_notify.o \
	  src/revcache.o src/revmap.o \
	  src/tokcache.o src/pwslot.o src/daemon.o src/reload.o \
	  src/proxy.o src/request.o src/bearer.o src/response.o \
	  src/response_send.o src/cookie.o src/form.o src/jbody.o \
	  src/csrf.o src/csrf_nonce.o src/html.o src/auth.o \
	  src/answer.o src/outcome.o src/authz.o src/gate.o src/gatepath.o \
	  src/precond.o src/route.o src/route_body.o src/route_check.o \
	  src/route_login.o src/route_refresh.o src/route_logout.o \
	  src/route_me.o \
	  src/route_password.o src/route_sessions.o src/route_health.o \
	  src/route_jwks.o src/route_metrics.o src/mfa.o \
	  src/route_2fa.o src/ua.o src/qr.o src/route_account.o \
	  src/html_account.o src/mail_send.o src/notice.o src/route_reset.o \
	  src/route_link.o \
	  src/html_reset.o src/route_signup.o src/route_verify.o \
	  src/html_signup.o src/route_email.o src/html_email.o src/listen.o \
	  src/passkey_assert.o src/passkey_confirm.o src/route_passkey_mfa.o \
	  src/route_passkey_list.o \
	  src/passkey.o src/route_passkey.o src/route_passkey_login.o \
	  src/passkey_js.o src/html_passkey.o
# Pure modules the unit tests link against (no FastCGI, no database).
PURE	= src/config.o src/config_check.o src/config_webauthn.o \
	  src/config_secrets.o \
	  src/keyfile.o src/keys.o src/keys_load.o src/secret.o src/jwks.o \
	  src/keygen.o src/log.o src/buf.o src/stash.o src/b64.o src/event.o \
	  src/metrics.o \
	  src/text.o src/random.o src/token.o src/token_issue.o \
	  src/refresh.o src/password.o \
	  src/form.o src/jbody.o src/cookie.o src/tokcache.o src/proxy.o \
	  src/gatepath.o src/precond.o src/totp.o src/recovery.o src/ua.o \
	  src/revmap.o src/bearer.o src/csrf.o src/csrf_nonce.o \
	  src/outcome.o src/answer.o src/response.o src/html.o src/watch.o \
	  src/watch_notify.o \
	  src/mail.o src/mail_text.o src/revring.o src/html_passkey.o \
	  src/cose.o src/webauthn.o src/attobj.o src/webauthn_sig.o
# authctl's own files (the command line, each group of commands).
AUTHCTL	= src/authctl.o src/authctl_user.o src/authctl_session.o \
	  src/authctl_upkeep.o src/authctl_audit.o src/authctl_keys.o \
	  src/authctl_invite.o
UNITS	= $(patsubst %.c,%,$(wildcard tests/unit/test-*.c))

all: cgi-bin/jwtauth.fcgi authctl

cgi-bin/jwtauth.fcgi: $(COMMON) $(SERVICE)
	@mkdir -p cgi-bin
	$(CC) $(LDFLAGS) -o $@ $(COMMON) $(SERVICE) -lfcgi -lqrencode $(LIBS)

authctl: $(COMMON) src/keygen.o $(AUTHCTL)
	$(CC) $(LDFLAGS) -o $@ $(COMMON) src/keygen.o $(AUTHCTL) $(LIBS)

src/%.o: src/%.c src/jwtauth.h
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARNINGS) $(HARDEN) -c -o $@ $<

src/migrations.c: scripts/embed-sql.sh $(sort $(wildcard sql/*.sql))
	sh scripts/embed-sql.sh $(sort $(wildcard sql/*.sql)) > $@.tmp
	mv $@.tmp $@

# The pages' one script (src/passkey.js), served at BASE/passkey.js.
src/passkey_js.c: scripts/embed-text.sh src/passkey.js
	sh scripts/embed-text.sh passkey_js src/passkey.js > $@.tmp
	mv $@.tmp $@

tests/unit/test-%: tests/unit/test-%.c tests/unit/tap.h $(PURE)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARNINGS) -o $@ $< $(PURE) $(LIBS)

units: $(UNITS)

# The in-process cost of one check, for make bench (callgrind).
bench/check-cost: bench/check-cost.c $(COMMON) src/revcache.o src/revmap.o \
    src/tokcache.o
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARNINGS) $(LDFLAGS) -o $@ $< \
	    $(COMMON) src/revcache.o src/revmap.o src/tokcache.o $(LIBS)

# The cost of the per-request look at the config's files (callgrind).
RELOADCOST = $(COMMON) src/reload.o src/watch.o src/watch_notify.o \
	  src/daemon.o src/io.o \
	  src/revcache.o src/tokcache.o
bench/reload-cost: bench/reload-cost.c $(RELOADCOST)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARNINGS) $(LDFLAGS) -o $@ $< \
	    $(RELOADCOST) -lfcgi $(LIBS)

# make apache-module: mod_jwtauth.so, the authorizer inside Apache 2.4
# (docs/apache-module.md).  The shared code is built again as PIC in
# src/pic/ and linked from a static archive (only what the check needs
# comes in); mod_jwtauth_io.c stands in for io.c and daemon.c, and the
# version script exports the module record alone.  apxs only says where
# Apache's and APR's headers are (its own build would not take our
# warnings or the archive); -isystem keeps their warnings out of ours.
APXS	?= apxs
APINC	 = -isystem $$($(APXS) -q INCLUDEDIR) \
	   -isystem $$($(APXS) -q APR_INCLUDEDIR)
PICOBJ	 = $(patsubst src/%.o,src/pic/%.o,$(filter-out src/main.o \
	   src/io.o src/daemon.o,$(COMMON) $(SERVICE)))
MODOBJ	 = src/pic/mod_jwtauth.o src/pic/mod_jwtauth_io.o \
	   src/pic/mod_jwtauth_deploy.o

apache-module: cgi-bin/mod_jwtauth.so

src/pic/%.o: src/%.c src/jwtauth.h
	@mkdir -p src/pic
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARNINGS) -fstack-protector-strong \
	    -D_FORTIFY_SOURCE=2 -fPIC -c -o $@ $<

$(MODOBJ): src/pic/%.o: src/%.c src/mod_jwtauth.h src/jwtauth.h
	@mkdir -p src/pic
	$(CC) $(CPPFLAGS) $(APINC) -D_REENTRANT \
	    -DMODJWT_LISTENER='"$(FCGIDIR)/jwtauth.fcgi"' $(CFLAGS) \
	    $(WARNINGS) -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIC \
	    -c -o $@ $<

src/pic/libjwtauth.a: $(PICOBJ)
	rm -f $@
	ar rcs $@ $(PICOBJ)

cgi-bin/mod_jwtauth.so: $(MODOBJ) src/pic/libjwtauth.a src/mod_jwtauth.map
	@mkdir -p cgi-bin
	$(CC) -shared -Wl,-z,relro,-z,now \
	    -Wl,--version-script=src/mod_jwtauth.map -o $@ $(MODOBJ) \
	    src/pic/libjwtauth.a $(LIBS)

# The ASan+UBSan build, apart from the real one: objects and programs in
# tests/out/asan/.  The end-to-end tests use it with JWTAUTH_FCGI and
# JWTAUTH_AUTHCTL (scripts/test.sh san).
SANDIR	 = tests/out/asan
SANFLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	   -fno-sanitize-recover=all
SANOBJ	 = $(patsubst src/%.o,$(SANDIR)/obj/%.o,$(COMMON))

$(SANDIR)/obj/%.o: src/%.c src/jwtauth.h
	@mkdir -p $(SANDIR)/obj
	$(CC) $(CPPFLAGS) $(SANFLAGS) $(WARNINGS) -fPIE -c -o $@ $<

$(SANDIR)/obj/options.o: tests/san/options.c
	@mkdir -p $(SANDIR)/obj
	$(CC) $(SANFLAGS) $(WARNINGS) -fPIE -c -o $@ tests/san/options.c

$(SANDIR)/jwtauth.fcgi: $(SANOBJ) $(patsubst src/%.o,$(SANDIR)/obj/%.o,$(SERVICE)) \
    $(SANDIR)/obj/options.o
	$(CC) $(SANFLAGS) $(LDFLAGS) -o $@ $^ -lfcgi -lqrencode $(LIBS)

$(SANDIR)/authctl: $(SANOBJ) $(SANDIR)/obj/keygen.o \
    $(patsubst src/%.o,$(SANDIR)/obj/%.o,$(AUTHCTL)) \
    $(SANDIR)/obj/options.o
	$(CC) $(SANFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

# mod_jwtauth.so the same way, for Apache with the sanitizers' runtime
# preloaded (apache2 is not built with them; scripts/test.sh san sets
# JWTAUTH_MODULE and JWTAUTH_MODULE_PRELOAD for scripts/server.sh).
SANPIC	 = $(patsubst src/pic/%.o,$(SANDIR)/pic/%.o,$(PICOBJ))
SANMOD	 = $(SANDIR)/pic/mod_jwtauth.o $(SANDIR)/pic/mod_jwtauth_io.o \
	   $(SANDIR)/pic/mod_jwtauth_deploy.o

$(SANDIR)/pic/%.o: src/%.c src/jwtauth.h
	@mkdir -p $(SANDIR)/pic
	$(CC) $(CPPFLAGS) $(SANFLAGS) $(WARNINGS) -fPIC -c -o $@ $<

$(SANMOD): $(SANDIR)/pic/%.o: src/%.c src/mod_jwtauth.h src/jwtauth.h
	@mkdir -p $(SANDIR)/pic
	$(CC) $(CPPFLAGS) $(APINC) -D_REENTRANT \
	    -DMODJWT_LISTENER='"$(FCGIDIR)/jwtauth.fcgi"' $(SANFLAGS) \
	    $(WARNINGS) -fPIC -c -o $@ $<

$(SANDIR)/pic/libjwtauth.a: $(SANPIC)
	rm -f $@
	ar rcs $@ $(SANPIC)

$(SANDIR)/mod_jwtauth.so: $(SANMOD) $(SANDIR)/pic/libjwtauth.a \
    src/mod_jwtauth.map
	$(CC) $(SANFLAGS) -shared -Wl,--version-script=src/mod_jwtauth.map \
	    -o $@ $(SANMOD) $(SANDIR)/pic/libjwtauth.a $(LIBS)

# The unit tests built the same way (scripts/test.sh runs them beside
# the plain ones): the pure modules under ASan and UBSan.
SANPURE	 = $(patsubst src/%.o,$(SANDIR)/obj/%.o,$(PURE))
SANUNITS = $(patsubst tests/unit/%,$(SANDIR)/unit/%,$(UNITS))

$(SANDIR)/unit/test-%: tests/unit/test-%.c tests/unit/tap.h $(SANPURE) \
    $(SANDIR)/obj/options.o
	@mkdir -p $(SANDIR)/unit
	$(CC) $(CPPFLAGS) $(SANFLAGS) $(WARNINGS) -o $@ $< $(SANPURE) \
	    $(SANDIR)/obj/options.o $(LIBS)

san: $(SANDIR)/jwtauth.fcgi $(SANDIR)/authctl $(SANDIR)/mod_jwtauth.so \
    $(SANUNITS)

valgrind: units
	sh scripts/test.sh valgrind

FUZZ_SECONDS ?= 300
fuzz:
	sh scripts/fuzz.sh all $(FUZZ_SECONDS)

deps:
	sh scripts/deps.sh

# deps first, then the build: "make -j run" must not build before the
# packages are there.
run: deps
	$(MAKE) all
	sh scripts/run.sh run

start: deps
	$(MAKE) all
	sh scripts/run.sh start

stop:
	sh scripts/run.sh stop

test: deps
	$(MAKE) all apache-module units san
	sh scripts/test.sh

test-san: deps
	$(MAKE) all apache-module san
	sh scripts/test.sh san

# The floor of any authorizer, for the bench only: see bench/noop-authz.c.
bench/noop-authz: bench/noop-authz.c
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARNINGS) $(HARDEN) $(LDFLAGS) -o $@ \
	    bench/noop-authz.c -lfcgi

bench: deps
	$(MAKE) all apache-module bench/noop-authz bench/check-cost
	sh scripts/bench.sh

# make install [PREFIX=/usr/local] [DESTDIR=]: authctl in sbin (an
# administrator's tool, man section 8), jwtauth.fcgi and mod_jwtauth.so
# in lib/jwtauth (run by the web server, not by users: the path
# apache/jwtauth-vhost.conf, apache/jwtauth-module.conf and
# lighttpd/jwtauth.conf name), the man pages, README.md and the guides
# of docs/ in share/doc/jwtauth, and the examples in
# share/doc/jwtauth/examples with that path filled in.  The SQL schema is
# inside the programs.  make uninstall removes exactly these files.
PREFIX	?= /usr/local
SBINDIR	 = $(PREFIX)/sbin
FCGIDIR	 = $(PREFIX)/lib/jwtauth
MANDIR	 = $(PREFIX)/share/man
DOCDIR	 = $(PREFIX)/share/doc/jwtauth
EXDIR	 = $(DOCDIR)/examples
EXAMPLES = apache/jwtauth-vhost.conf apache/jwtauth-module.conf \
	   apache/shared-hosting/app.htaccess \
	   apache/shared-hosting/auth.htaccess apache/shared-hosting/cgi.htaccess \
	   apache/shared-hosting/gate.htaccess \
	   lighttpd/jwtauth.conf etc/jwtauth.conf.example

install: all apache-module
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(FCGIDIR) \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(EXDIR)/apache/shared-hosting $(DESTDIR)$(EXDIR)/lighttpd \
	    $(DESTDIR)$(DOCDIR)/docs
	install -m 0755 authctl $(DESTDIR)$(SBINDIR)/authctl
	install -m 0755 cgi-bin/jwtauth.fcgi $(DESTDIR)$(FCGIDIR)/jwtauth.fcgi
	install -m 0644 cgi-bin/mod_jwtauth.so $(DESTDIR)$(FCGIDIR)/mod_jwtauth.so
	install -m 0644 man/jwtauth.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 man/authctl.8 man/jwtauth.fcgi.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/
	install -m 0644 docs/*.md $(DESTDIR)$(DOCDIR)/docs/
	for f in $(EXAMPLES); do \
		case $$f in etc/*) t=$${f#etc/} ;; *) t=$$f ;; esac; \
		sed 's|/usr/local/lib/jwtauth|$(FCGIDIR)|g' $$f \
		    > $(DESTDIR)$(EXDIR)/$$t || exit 1; \
		chmod 0644 $(DESTDIR)$(EXDIR)/$$t; \
	done

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/authctl $(DESTDIR)$(FCGIDIR)/jwtauth.fcgi \
	    $(DESTDIR)$(FCGIDIR)/mod_jwtauth.so \
	    $(DESTDIR)$(MANDIR)/man5/jwtauth.conf.5 \
	    $(DESTDIR)$(MANDIR)/man8/authctl.8 \
	    $(DESTDIR)$(MANDIR)/man8/jwtauth.fcgi.8
	rm -rf $(DESTDIR)$(DOCDIR)
	-rmdir $(DESTDIR)$(FCGIDIR)

# make deb: the Debian package from debian/, built in a copy of the
# tree (this one's programs stay), into DEBDIR, then lintian on it.
DEBDIR	?= dist
deb:
	sh scripts/deps.sh deb
	sh scripts/deb.sh $(DEBDIR)

clean:
	rm -f src/*.o src/migrations.c src/passkey_js.c cgi-bin/jwtauth.fcgi authctl $(UNITS) \
	    bench/noop-authz bench/check-cost bench/reload-cost
	rm -rf $(SANDIR) src/pic cgi-bin/mod_jwtauth.so

.PHONY: all apache-module units san valgrind fuzz deps run start stop test test-san bench clean \
	install uninstall deb
