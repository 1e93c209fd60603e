/*
 * event.c: one log line per security event, in a stable key=value
 * format that a log shipper can parse without a grammar:
 *
 *   jwtauth: event=login_ok user=alice sid=UUID ip=192.0.2.7
 *
 * The first field is always event=NAME; the others (user, sid, ip,
 * then the event's own, e.g. reason, scope, count, by) appear only when
 * known.  A value never holds a space, '=', '"' or '\\', nor a byte
 * outside printable ASCII: each is written as \xHH (event_escape), and
 * it is cut at 64 bytes of input.  A token or a password is never a
 * field.  The names are listed in jwtauth.fcgi(8), LOGS.  Each event
 * also moves its counter (metrics.c), when it has one.
 */
#include <stdio.h>
#include <string.h>

#include "jwtauth.h"

#define EVENT_VALUE_MAX	(64 * 4 + 1)

/* The counter of each event that has one. */
static const struct {
	const char	*event;
	enum metric	 metric;
} event_metrics[] = {
	{ "login_ok", METRIC_LOGIN_OK },
	{ "login_failed", METRIC_LOGIN_FAILED },
	{ "passkey_login_failed", METRIC_LOGIN_FAILED },
	{ "login_throttled", METRIC_LOGIN_THROTTLED },
	{ "refresh", METRIC_REFRESH_OK },
	{ "refresh_reuse", METRIC_REFRESH_REUSE },
	{ "logout", METRIC_LOGOUT },
};

/*
 * Copies src into dst (dstlen bytes, always NUL-terminated) with every
 * byte that is not printable ASCII, and the space, '=', '"' and '\\',
 * written as \xHH; cut at 64 bytes of input.  "-" for NULL or "".
 */
void
event_escape(char *dst, size_t dstlen, const char *src)
{
	if (src == NULL || *src == '\0')
		src = "-";
	log_escape_also(dst, dstlen, src, 64, " =\"");
}

/* Appends " key=VALUE" (escaped) to line when value is not NULL. */
static void
event_field(char *line, size_t linelen, const char *key, const char *value)
{
	char	 v[EVENT_VALUE_MAX];
	size_t	 len = strlen(line);

	if (value == NULL || len >= linelen)
		return;
	event_escape(v, sizeof(v), value);
	snprintf(line + len, linelen - len, " %s=%s", key, v);
}

/*
 * Logs security event name (a fixed word, not escaped) about user and
 * session sid, seen in request req (its client address), with up to two
 * more fields k1=v1 and k2=v2.  Any of user, sid, req, k1/v1, k2/v2 may
 * be NULL: that field is left out.  Moves the event's counter.
 */
void
event_log(const char *name, const struct request *req, const char *user,
    const char *sid, const char *k1, const char *v1, const char *k2,
    const char *v2)
{
	char	 line[900];
	size_t	 i;

	for (i = 0; i < sizeof(event_metrics) / sizeof(event_metrics[0]);
	    i++)
		if (strcmp(event_metrics[i].event, name) == 0)
			metrics_count(event_metrics[i].metric);
	snprintf(line, sizeof(line), "event=%s", name);
	event_field(line, sizeof(line), "user", user);
	event_field(line, sizeof(line), "sid", sid);
	if (req != NULL)
		event_field(line, sizeof(line), "ip", req->client);
	if (k1 != NULL)
		event_field(line, sizeof(line), k1, v1);
	if (k2 != NULL)
		event_field(line, sizeof(line), k2, v2);
	log_event(line);
}
