# jwtauth: build, run and test.  See README.md.
#   make          build cgi-bin/jwtauth.fcgi and ./authctl
#   make run      install what is missing, start PostgreSQL and Apache on
#                 http://127.0.0.1:8080 in the foreground (SERVER=lighttpd)
#   make start / make stop   the same in the background
#   make test     the whole suite (unit, fuzz seeds, end-to-end)
#   make bench    throughput and latency against a baseline

CC	?= cc
CFLAGS	?= -O2 -g
WARNINGS = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	   -Wpointer-arith -Wformat=2 -Wcast-qual -Wwrite-strings \
	   -Wundef -Wvla -Werror
HARDEN	 = -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE
CPPFLAGS += -D_GNU_SOURCE -I/usr/include/postgresql -Isrc
LDFLAGS	+= -pie -Wl,-z,relro,-z,now
LIBS	 = -ljwt -ljansson -lpq -lsodium

COMMON	= src/config.o src/keyfile.o src/log.o src/buf.o src/b64.o \
	  src/text.o src/random.o src/token.o src/refresh.o src/password.o \
	  src/db.o src/db_user.o src/db_session.o src/db_audit.o \
	  src/db_purge.o src/migrate.o src/check.o \
	  src/migrations.o
SERVICE	= src/main.o src/io.o src/watch.o src/revcache.o src/tokcache.o \
	  src/pwgate.o src/daemon.o src/request.o src/response.o src/cookie.o \
	  src/form.o src/jbody.o src/csrf.o src/html.o src/auth.o \
	  src/bounce.o src/authz.o src/route.o src/route_body.o src/route_login.o \
	  src/route_refresh.o src/route_logout.o src/route_me.o \
	  src/route_password.o src/route_sessions.o src/route_health.o
# Pure modules the unit tests link against (no FastCGI, no database).
PURE	= src/config.o src/keyfile.o src/log.o src/buf.o src/b64.o \
	  src/text.o src/random.o src/token.o src/refresh.o src/password.o \
	  src/form.o src/jbody.o src/cookie.o src/tokcache.o
UNITS	= $(patsubst %.c,%,$(wildcard tests/unit/test-*.c))

all: cgi-bin/jwtauth.fcgi authctl

cgi-bin/jwtauth.fcgi: $(COMMON) $(SERVICE)
	@mkdir -p cgi-bin
	$(CC) $(LDFLAGS) -o $@ $(COMMON) $(SERVICE) -lfcgi $(LIBS)

authctl: $(COMMON) src/authctl.o
	$(CC) $(LDFLAGS) -o $@ $(COMMON) src/authctl.o $(LIBS)

src/%.o: src/%.c src/jwtauth.h
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARNINGS) $(HARDEN) -c -o $@ $<

src/migrations.c: scripts/embed-sql.sh $(sort $(wildcard sql/*.sql))
	sh scripts/embed-sql.sh $(sort $(wildcard sql/*.sql)) > $@.tmp
	mv $@.tmp $@

tests/unit/test-%: tests/unit/test-%.c tests/unit/tap.h $(PURE)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARNINGS) -o $@ $< $(PURE) $(LIBS)

units: $(UNITS)

# The in-process cost of one check, for make bench (callgrind).
bench/check-cost: bench/check-cost.c $(COMMON) src/revcache.o src/tokcache.o
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARNINGS) $(LDFLAGS) -o $@ $< \
	    $(COMMON) src/revcache.o src/tokcache.o $(LIBS)

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
	$(MAKE) all units
	sh scripts/test.sh

bench: deps
	$(MAKE) all
	sh scripts/bench.sh

clean:
	rm -f src/*.o src/migrations.c cgi-bin/jwtauth.fcgi authctl $(UNITS) \
	    bench/check-cost

.PHONY: all units deps run start stop test bench clean
