/*
 * jwtauth.h: private interfaces shared by jwtauth.fcgi and authctl.
 *
 * Map: src/ in three layers and authctl, as the Makefile lists them.
 *   pure      PURE, no database, no FastCGI; the unit tests and fuzzers
 *             link them: config*, keyfile, keys*, keygen, secret, jwks,
 *             token*, refresh, password, totp, recovery, random, text,
 *             b64, buf, log, event, metrics, revmap, tokcache, form,
 *             jbody, cookie, proxy, gatepath, precond, ua, bearer, csrf*,
 *             outcome, answer, response, html, html_passkey, watch
 *             (the checks' outcomes and their spelling are pure), mail,
 *             mail_text
 *             (a message built, never sent), cose, webauthn, attobj,
 *             webauthn_sig (passkeys: the CBOR, the client and
 *             authenticator data, the signature by libfido2),
 *             config_webauthn.
 *   database  COMMON less PURE, in both programs: db, db_* (db_email,
 *             db_reset, db_signup, db_email_change: addresses and mailed
 *             links; db_passkey: passkeys and their
 *             challenges), migrate, migrations, throttle, check, owner.
 *   service   SERVICE less PURE, jwtauth.fcgi only: main, reload, daemon,
 *             io, request, response_send, auth, authz, mfa,
 *             gate, pwslot, revcache, html_account, html_reset,
 *             html_signup, html_email, qr,
 *             mail_send (sends after the answer), notice, passkey
 *             (what the passkey routes share), passkey_assert (an
 *             assertion checked), passkey_confirm, passkey_js (the
 *             pages' script, made from src/passkey.js), route*.
 *   authctl   AUTHCTL, authctl only: authctl, authctl_*.
 *
 * One block per source file, in the order a request meets them:
 * configuration and secrets, the byte-level helpers, the token and
 * password primitives, the database, then the FastCGI side (I/O,
 * request, response, cookies, routes).
 *
 * Conventions: a fallible function returns enum ja_err (JA_OK is 0).
 * Every _parse and _new function has a _free that accepts NULL.
 * Nothing keeps a pointer into the FastCGI environment across requests:
 * the request copies what it needs.
 */
#ifndef JWTAUTH_H
#define JWTAUTH_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

enum ja_err {
	JA_OK = 0,
	JA_ENOMEM,	/* allocation failed */
	JA_EINVAL,	/* malformed input */
	JA_ETOOBIG,	/* over a configured limit */
	JA_EAUTH,	/* credential or token rejected */
	JA_ENOTFOUND,	/* no such row, key or field */
	JA_EEXIST,	/* already exists */
	JA_EDB,		/* database unreachable or failed */
	JA_EIO,		/* file or stream error */
	JA_ECONFIG,	/* configuration error */
	JA_EBUSY	/* a limit of concurrent work is reached */
};

#define JA_KEY_MIN	32	/* bytes of key material at the least */
#define JA_KEY_MAX	64	/* bytes of key material at the most */
#define JA_UUID_LEN	36	/* canonical text form of a UUID */
#define JA_JTI_LEN	22	/* base64url of 16 random bytes (128 bits) */
#define JA_RT_LEN	43	/* base64url of 32 bytes (256 bits) */
#define JA_TOKEN_MAX	4096	/* longest access token we look at */
#define JA_NAME_MAX	256	/* hard cap of username_max */
#define JA_KID_MAX	64	/* longest kid (key_id, verify_keys) */
#define JA_VERIFY_MAX	8	/* verify-only keys at the most */
#define JA_OLD_SECRETS_MAX 4	/* old secrets at the most */
#define JA_SECRET_ID_LEN 16	/* hex of a secret's version */

/* keys.c: one algorithm per key (RFC 8725 §3.1). */
enum key_alg {
	KEY_HS256 = 0,	/* RFC 7518 §3.2; a zeroed config signs HS256 */
	KEY_RS256,	/* RFC 7518 §3.3, RSA 2048 to 4096 bits */
	KEY_ES256	/* RFC 7518 §3.4, P-256 */
};

struct evp_pkey_st;	/* OpenSSL's EVP_PKEY */

/* A key that verifies tokens whose header names its kid. */
struct jwk {
	char			 kid[JA_KID_MAX + 1];
	enum key_alg		 alg;
	unsigned char		 hs[JA_KEY_MAX];	/* HS256 */
	size_t			 hslen;
	struct evp_pkey_st	*pkey;			/* RS256, ES256 */
};

/* The key a token's kid selects: the signing key or a verify key. */
struct keyref {
	const char		*kid;
	enum key_alg		 alg;
	const unsigned char	*hs;		/* HS256 */
	size_t			 hslen;
	struct evp_pkey_st	*pkey;		/* RS256, ES256 */
	size_t			 slot;		/* 0: signing, 1 + index */
};

/* An old secret of refresh derivation and CSRF, with its version. */
struct secret {
	unsigned char	 key[JA_KEY_MAX];
	size_t		 len;
	char		 id[JA_SECRET_ID_LEN + 1];	/* secret_id() */
};

/* config.c */
enum signup_mode {
	SIGNUP_OFF = 0,		/* accounts made by authctl alone */
	SIGNUP_INVITE,		/* with a link of authctl invite */
	SIGNUP_OPEN		/* by anyone */
};

struct config {
	char		*path;		/* file it was read from */
	char		*database;	/* libpq conninfo */
	char		*listen_database; /* the listener's; NULL: database */
	char		*key_file;
	char		*secret_file;
	char		*key_id;
	char		*issuer;
	char		*audience;	/* NULL: no aud claim */
	char		*base_path;
	char		*origin;	/* NULL: scheme://Host */
	char		*log_file;	/* NULL: none ("none"); config_check.c */
	int		 log_file_default; /* log_file was not set */
	char		*gate_path;	/* gatekeeper URL prefix; NULL: off */
	char		*gate_root;	/* the directory it serves */
	long		 access_ttl;
	long		 refresh_grace;
	long		 session_max_age;
	long		 session_idle_timeout;
	long		 session_idle_timeout_short; /* not remembered */
	char		*remember_me;		/* "on" or "off" */
	int		 remember_offered;	/* from remember_me */
	long		 purge_interval;
	long		 purge_batch;
	long		 audit_max_age;
	long		 refresh_ttl;
	long		 leeway;
	long		 max_body;
	long		 username_max;
	long		 password_min;
	long		 password_max;
	long		 pwhash_opslimit;
	long		 pwhash_memlimit;	/* KiB */
	long		 pwhash_concurrency;	/* argon2id at once per host */
	char		*revocation_check;	/* "cached" or "strict" */
	int		 revocation_strict;	/* from revocation_check */
	long		 token_cache_size;	/* verified tokens kept */
	long		 throttle_user_max;	/* failures before blocks */
	long		 throttle_ip_max;
	long		 throttle_window;	/* seconds a count lives */
	long		 throttle_max_delay;	/* longest block, seconds */
	char		*trusted_proxies;	/* NULL: trust none */
	char		*key_alg;		/* HS256, RS256 or ES256 */
	char		*verify_keys;		/* kid:alg:path, ... */
	char		*old_secret_files;	/* path, ... */
	char		*otp_paths;		/* path prefixes needing otp */
	char		*metrics_allow;		/* NULL: no BASE/metrics */
	char		*mail_command;		/* argv, split on blanks */
	char		*mail_from;		/* NULL: jwtauth@site host */
	char		*mail_dir;		/* NULL: mail_command sends */
	long		 mail_timeout;		/* seconds a send may take */
	char		*site_url;		/* NULL: no mail, no reset */
	char		*signup;		/* "off", "invite" or "open" */
	enum signup_mode signup_mode;		/* from signup */
	char		*login_notice;		/* "on" or "off" */
	int		 login_notice_on;	/* from login_notice */
	char		*webauthn_rp_id;	/* NULL: no passkeys */
	char		*webauthn_origins;	/* origins, space-separated */
	char		*webauthn_user_verification;
	int		 webauthn_uv_required;	/* from the above */
	enum key_alg	 sign_alg;		/* from key_alg */
	unsigned char	 key[JA_KEY_MAX];	/* HS256 signing key */
	size_t		 keylen;
	struct evp_pkey_st *sign_pkey;		/* RS256, ES256 signing key */
	char		*sign_pem;		/* its PEM, for libjwt */
	size_t		 sign_pemlen;
	struct jwk	 verify[JA_VERIFY_MAX];	/* verify-only keys */
	size_t		 nverify;
	unsigned char	 secret[JA_KEY_MAX];	/* refresh derivation, CSRF */
	size_t		 secretlen;
	char		 secret_id[JA_SECRET_ID_LEN + 1];
	struct secret	 old_secrets[JA_OLD_SECRETS_MAX]; /* still accepted */
	size_t		 nold_secrets;
};

const char	*config_locate(const char *);
void		 config_not_found(const char *, char *, size_t);
int		 config_load(struct config *, const char *, int, char *,
		    size_t);
void		 config_free(struct config *);
void		 config_where(char *, size_t, const char *, const size_t *,
		    const char *);

/* config_check.c */
int		 config_check(struct config *, const size_t *, char *, size_t);

/* config_webauthn.c */
int		 config_webauthn(struct config *, const size_t *, char *,
		    size_t);

/* config_secrets.c */
int		 config_secrets(struct config *, const size_t *, char *,
		    size_t);
int		 config_key_is_secret(const struct config *);

/* keyfile.c */
int		 keyfile_read(const char *, unsigned char *, size_t, size_t *,
		    char *, size_t);
int		 keyfile_write(const char *, char *, size_t);
int		 keyfile_create(const char *, const void *, size_t, char *,
		    size_t);
int		 keyfile_read_pem(const char *, char **, size_t *, char *,
		    size_t);

/* keys.c */
const char	*keys_alg_name(enum key_alg);
int		 keys_alg_parse(const char *, enum key_alg *);
int		 keys_select(const struct config *, const char *,
		    struct keyref *);
int		 keys_verify_sig(const struct keyref *, const unsigned char *,
		    size_t, const unsigned char *, size_t);
size_t		 keys_sig_len(const struct keyref *);
void		 keys_free(struct config *);

/* keys_load.c */
int		 keys_pem_parse(const char *, size_t, enum key_alg,
		    struct evp_pkey_st **, int *, char *, size_t);
int		 keys_load_sign(struct config *, char *, size_t);
int		 keys_load_verify(struct config *, char *, size_t);

/* keygen.c */
int		 keygen_pem(const char *, enum key_alg, char *, size_t);
int		 keygen_public(const char *, char **, char *, size_t);

/* jwks.c */
json_t		*jwks_json(const struct config *);
int		 jwks_key(json_t *, const char *, enum key_alg,
		    struct evp_pkey_st *);

/* log.c */
int		 log_open(const char *, int);
int		 log_stash(void);
void		 log_unstash(int);
void		 log_msg(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
void		 log_escape(char *, size_t, const char *);
void		 log_escape_max(char *, size_t, const char *, size_t);
void		 log_escape_also(char *, size_t, const char *, size_t,
		    const char *);

#define LOG_UA_MAX	300	/* a stored User-Agent, escaped */
#define LOG_IP_MAX	64	/* a stored client address */

struct request;
void		 log_client(const struct request *, char *, char *);
void		 log_quiet(int);
void		 log_event(const char *);

/* metrics.c */
enum metric {
	METRIC_LOGIN_OK,
	METRIC_LOGIN_FAILED,
	METRIC_LOGIN_THROTTLED,
	METRIC_LOGIN_BUSY,
	METRIC_REFRESH_OK,
	METRIC_REFRESH_REFUSED,
	METRIC_REFRESH_REUSE,
	METRIC_LOGOUT,
	METRIC_REFUSE_NO_TOKEN,
	METRIC_REFUSE_MALFORMED,
	METRIC_REFUSE_INVALID,
	METRIC_REFUSE_REVOKED,
	METRIC_REFUSE_UNAVAILABLE,
	METRIC_TOKCACHE_HIT,
	METRIC_TOKCACHE_MISS,
	METRIC_REVCACHE_HIT,
	METRIC_REVCACHE_MISS,
	METRIC_REVCACHE_RELOAD,
	METRIC_PWHASH_GRANTED,
	METRIC_PWHASH_BUSY,
	METRIC_MAIL_SENT,
	METRIC_MAIL_FAILED,
	METRIC_COUNT
};

struct metrics_desc {
	const char	*name;
	const char	*help;	/* NULL: same family as the one before */
	const char	*label;	/* NULL: none */
};

extern const struct metrics_desc metrics_descs[METRIC_COUNT];

void		 metrics_name(const char *, char *, size_t);
int		 metrics_open(const char *, int);
int		 metrics_attach(const char *, uid_t);
void		 metrics_count(enum metric);
void		 metrics_revoked(void);
uint64_t	 metrics_revocations(void);
uint64_t	 metrics_get(enum metric);
int		 metrics_on(void);
int		 metrics_key_changed(const char *);
void		 metrics_close(void);
void		*metrics_stash(void);
void		 metrics_unstash(void *);
int		 metrics_fd(void);
struct revring	*metrics_ring(void);

/* mail.c */
#define MAIL_ADDRESS_MAX 254	/* RFC 5321 §4.5.3.1.3, a path less <> */
#define MAIL_SUBJECT_MAX 200
#define MAIL_PER_REQUEST 2	/* a change of address: the link and a notice */

int		 mail_value_ok(const char *, size_t);
int		 mail_address_ok(const char *);
int		 mail_url_host(const char *, char *, size_t);
struct buf;
int		 mail_build(struct buf *, const char *, const char *,
		    const char *, const char *, time_t, const char *);
void		 mail_link(struct buf *, const struct config *, const char *,
		    const char *);

/* mail_text.c */
enum mail_kind {
	MAIL_RESET,		/* the reset link */
	MAIL_PASSWORD_CHANGED,	/* notices: a link to the account page */
	MAIL_2FA_ON,
	MAIL_2FA_OFF,
	MAIL_VERIFY,		/* sign-up: the verification link */
	MAIL_SIGNUP_ADDRESS,	/* sign-up with an address in use */
	MAIL_SIGNUP_NAME,	/* sign-up with a name in use */
	MAIL_EMAIL_CONFIRM,	/* a new address: its confirmation link */
	MAIL_EMAIL_TAKEN,	/* a new address another account has */
	MAIL_EMAIL_ASKED,	/* notices to the old address: a change asked */
	MAIL_EMAIL_CHANGED,	/* and made */
	MAIL_NEW_SIGNIN		/* a sign-in from a browser never seen */
};

const char	*mail_text(struct buf *, enum mail_kind, const char *,
		    const char *, const char *);

/* event.c */
void		 event_escape(char *, size_t, const char *);
void		 event_log(const char *, const struct request *, const char *,
		    const char *, const char *, const char *, const char *,
		    const char *);

/* stash.c */
void		*stash_take(void *, size_t);
void		 stash_put(void *, void *, size_t);

/* buf.c */
struct buf {
	char	*data;	/* NUL-terminated when len > 0 */
	size_t	 len;
	size_t	 cap;
	int	 failed;	/* an append ran out of memory */
	int	 secret;	/* wiped when freed or grown; kept by buf_free */
};

void		 buf_init(struct buf *);
void		 buf_free(struct buf *);
void		 buf_wipe(struct buf *);
void		 buf_append(struct buf *, const void *, size_t);
void		 buf_puts(struct buf *, const char *);
void		 buf_printf(struct buf *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
void		 buf_html(struct buf *, const char *);
void		 buf_url(struct buf *, const char *);
char		*buf_steal(struct buf *);

/* b64.c */
int		 b64url_encode(char *, size_t, const unsigned char *, size_t);
int		 b64url_decode(unsigned char *, size_t, size_t *,
		    const char *, size_t);
int		 b64url_is_alphabet(const char *, size_t);

/* text.c */
#define TEXT_PATH_MAX	2048	/* longest local redirect target (next) */

int		 text_utf8_valid(const char *, size_t);
int		 text_is_uuid(const char *);
int		 text_local_path(const char *);
const char	*text_local_or_root(const char *);
int		 text_path_normalize(const char *, char *, size_t);
int		 text_path_decode(const char *, char *, size_t);
int		 text_parse_long(const char *, long, long, long *);
int		 text_hex(char);
int		 text_path_in_list(const char *, const char *);
int		 text_in_list(const char *, const char *, size_t);

/* cose.c */
#define COSE_KEY_MAX	512	/* bytes of a stored COSE_Key at the most */
#define COSE_ALG_ES256	(-7)	/* RFC 9053 §2.1 */
#define COSE_ALG_EDDSA	(-8)	/* RFC 9053 §2.2 */
#define COSE_ALG_RS256	(-257)	/* RFC 8812 §2 */

struct cose_key {
	int		 alg;		/* COSE_ALG_* */
	unsigned char	 pk[259];	/* x||y, x, or n||e: libfido2's form */
	size_t		 pklen;
};

struct cbor_item_t;
int		 cose_item_len(const unsigned char *, size_t, size_t *);
struct cbor_item_t *cose_load(const unsigned char *, size_t);
int		 cose_key_parse(struct cose_key *, const unsigned char *,
		    size_t);

/* webauthn.c (W3C WebAuthn Level 3) */
#define WA_CHALLENGE_LEN 32	/* random bytes of a challenge */
#define PASSKEY_MAX_STR	"64"	/* passkeys of a user, at most (db_passkey.c) */
#define WA_CLIENT_MAX	4096	/* bytes of clientDataJSON at the most */
#define WA_ORIGIN_MAX	255	/* bytes of its origin */
#define WA_CRED_MAX	1023	/* bytes of a credential id (§5.8.4) */
#define WA_AUTHDATA_MAX	2048	/* bytes of authenticator data */
#define WA_ATTOBJ_MAX	4096	/* bytes of an attestation object */
#define WA_SIG_MAX	512	/* bytes of a signature */
#define WA_FLAG_UP	0x01	/* user present (§6.1) */
#define WA_FLAG_UV	0x04	/* user verified */
#define WA_FLAG_BE	0x08	/* backup eligible */
#define WA_FLAG_BS	0x10	/* backed up */
#define WA_FLAG_AT	0x40	/* attested credential data included */
#define WA_FLAG_ED	0x80	/* extension data included */

enum wa_type {
	WA_CREATE = 1,		/* "webauthn.create": a registration */
	WA_GET			/* "webauthn.get": a sign-in */
};

struct wa_client {
	int		 type;		/* enum wa_type */
	unsigned char	 challenge[WA_CHALLENGE_LEN];
	char		 origin[WA_ORIGIN_MAX + 1];
	int		 cross_origin;
};

struct wa_authdata {
	unsigned char		 rp_id_hash[32];
	unsigned int		 flags;		/* WA_FLAG_* */
	uint32_t		 sign_count;
	unsigned char		 aaguid[16];	/* with WA_FLAG_AT: */
	const unsigned char	*cred_id;	/* into the parsed bytes */
	size_t			 cred_id_len;
	const unsigned char	*cose;		/* the COSE_Key's bytes */
	size_t			 cose_len;
	struct cose_key		 key;
};

int		 webauthn_client_parse(struct wa_client *,
		    const unsigned char *, size_t);
const char	*webauthn_client_check(const struct wa_client *, int,
		    const unsigned char *, const char *);
int		 webauthn_authdata_parse(struct wa_authdata *,
		    const unsigned char *, size_t, int);
const char	*webauthn_authdata_check(const struct wa_authdata *,
		    const char *, int);
int		 webauthn_count_ok(uint32_t, uint32_t);

/* attobj.c */
struct wa_attobj {
	unsigned char	 authdata[WA_AUTHDATA_MAX];
	size_t		 authdata_len;
	struct wa_authdata ad;		/* points into authdata */
};

int		 attobj_parse(struct wa_attobj *, const unsigned char *,
		    size_t);

/* webauthn_sig.c */
int		 webauthn_sig_verify(const struct cose_key *,
		    const unsigned char *, size_t, const unsigned char *,
		    size_t, const unsigned char *, size_t, const char *, int);

/* gatepath.c */
int		 gatepath_resolve(const char *, const char *, char *, size_t,
		    int *);
int		 gatepath_is_script(const char *);
const char	*gatepath_type(const char *);

/* precond.c */
#define PRECOND_DATE_LEN 30	/* an IMF-fixdate and its NUL */

int		 precond_etag_match(const char *, const char *, int, int);
int		 precond_date_parse(const char *, time_t *);
void		 precond_date_format(time_t, char *, size_t);
int		 precond_range_parse(const char *, int64_t, int64_t *,
		    int64_t *);

/* random.c */
int		 random_b64url(char *, size_t, size_t);
void		 random_uuid(char *);

/* token.c */
struct claims {
	char	 sub[JA_UUID_LEN + 1];
	char	 sid[JA_UUID_LEN + 1];
	char	 jti[JA_JTI_LEN + 1];
	char	 username[JA_NAME_MAX + 1];
	int64_t	 iat;
	int64_t	 exp;
	int	 otp;	/* amr holds "otp" (RFC 8176): a second factor */
};

#define TOKEN_USE	"access"	/* RFC 8725 §3.11: explicit typing */

int		 token_shape_ok(const char *);
int		 token_sid(const struct config *, const char *, char *);
int		 token_verify(const struct config *, const char *, time_t,
		    struct claims *);

/* token_issue.c */
#define AMR_MFA		0x1	/* two factors: "otp", or "mfa" (RFC 8176) */
#define AMR_HWK		0x2	/* a passkey: "hwk" */
#define AMR_PWD		0x4	/* with AMR_HWK: a password first, "pwd" */

int		 token_issue(const struct config *, const char *, const char *,
		    const char *, time_t, struct claims *, char **);
int		 token_issue_amr(const struct config *, const char *,
		    const char *, const char *, int, time_t, struct claims *,
		    char **);

/* refresh.c */
#define REFRESH_SEED_LEN 32

int		 refresh_derive(const struct config *, const unsigned char *,
		    const char *, long, char *, size_t);
int		 refresh_derive_with(const unsigned char *, size_t,
		    const unsigned char *, const char *, long, char *, size_t);

/* secret.c */
void		 secret_id(const unsigned char *, size_t, char *);
int		 secret_find(const struct config *, const char *,
		    const unsigned char **, size_t *);
int		 refresh_hash(const char *, char *, size_t);
int		 refresh_shape_ok(const char *);

/* totp.c */
#define TOTP_SECRET_LEN	20	/* 160 bits, RFC 4226 §4 R6 */
#define TOTP_B32_LEN	32	/* its base32 form, no padding */
#define TOTP_BOX_LEN	(24 + 16 + TOTP_SECRET_LEN)	/* nonce, MAC, box */
#define TOTP_DIGITS	6
#define TOTP_STEP	30	/* seconds, RFC 6238 §5.2 */
#define TOTP_SKEW	1	/* steps accepted either side */
#define TOTP_KEY_BOX	1	/* totp_subkey ids */
#define TOTP_KEY_RECOVERY 2

void		 totp_subkey(const unsigned char *, size_t, uint64_t,
		    unsigned char *);
void		 totp_secret_new(unsigned char *);
void		 totp_seal(const struct config *, const unsigned char *,
		    unsigned char *);
int		 totp_open(const struct config *, const char *,
		    const unsigned char *, size_t, unsigned char *);
int		 totp_code_shape(const char *);
int		 totp_check(const unsigned char *, time_t, const char *,
		    int64_t, int64_t *);
int		 totp_base32(const unsigned char *, char *);
struct buf;
void		 totp_uri(struct buf *, const char *, const char *,
		    const char *);

/* qr.c */
struct buf;
int		 qr_svg(struct buf *, const char *, const char *);

/* ua.c */
void		 ua_describe(const char *, char *, size_t);

/* recovery.c */
#define RECOVERY_COUNT	10	/* codes per user */
#define RECOVERY_LEN	16	/* characters of a code, 80 bits */
#define RECOVERY_TEXT_LEN 19	/* as shown, with three dashes */
#define RECOVERY_TYPED_MAX 64	/* longest code as typed */
#define RECOVERY_HASH_LEN 32

void		 recovery_new(char *);
int		 recovery_normalize(const char *, char *);
void		 recovery_hash(const unsigned char *, size_t, const char *,
		    unsigned char *);

/* password.c */
#define PASSWORD_HASH_MAX 128

int		 password_hash(const struct config *, const char *, char *,
		    size_t);
void		 password_prepare(const struct config *);
int		 password_verify(const struct config *, const char *,
		    const char *);

/* db.c */
struct pg_conn;
struct pg_result;
struct request;
struct db_stmt;


/* A connection handle; its fields are db.c's and db_tx.c's only. */
struct db {
	struct pg_conn		*conn;
	char			*conninfo;
	int			 in_tx;
	int			 revoked;	/* DB_REVOKES ran in the open tx */
	unsigned long		 generation;	/* connections made so far */
	char			 sqlstate[6];
};

struct db_stmt {
	const char	*name;		/* for messages; never prepared */
	const char	*sql;
	int		 nparams;
	int		 flags;		/* DB_RETRY, DB_REVOKES */
};

/* May be sent again on a new connection (outside a transaction). */
#define DB_RETRY	1
/*
 * May end an access token that would otherwise pass (a revocation, a
 * lock, a deletion: a trigger of sql/003_notify.sql fires): once it is
 * committed, this host's other processes are told to fetch the
 * notification before their next check (metrics_revoked, revcache.c).
 */
#define DB_REVOKES	2

int		 db_open(struct db **, const char *);
void		 db_close(struct db *);
struct pg_result *db_exec(struct db *, const struct db_stmt *,
		    const char *const *);
int		 db_run(struct db *, const char *);
int		 db_ping(struct db *);
const char	*db_sqlstate(const struct db *);
void		 db_names(const struct db *, const char **, const char **);
int		 db_socket(const struct db *);
unsigned long	 db_generation(const struct db *);
int		 db_rows(struct pg_result *, int, void (*)(const char *const *,
		    void *), void *);
int		 db_notifies(struct db *, void (*)(const char *, const char *,
		    void *), void *);
/* For db_tx.c: */
void		 db_disconnect(struct db *);
int		 db_usable(const struct db *);
void		 db_fail(struct db *, const char *, const struct pg_result *);

/* db_tx.c */
int		 db_begin(struct db *);
int		 db_commit(struct db *);
void		 db_rollback(struct db *);
int		 db_in_tx(const struct db *);

/* db_user.c */
struct user {
	char	 id[JA_UUID_LEN + 1];
	char	 username[JA_NAME_MAX + 1];
	char	 hash[PASSWORD_HASH_MAX];
	int	 locked;
	int	 pending;	/* signed up, address not yet verified */
};

int		 db_user_find(struct db *, const char *, struct user *);
int		 db_user_add(struct db *, const char *, const char *);
int		 db_user_set_password(struct db *, const char *, const char *);
int		 db_user_set_locked(struct db *, const char *, int);
int		 db_user_del(struct db *, const char *);
int		 db_user_list(struct db *, void (*)(const char *, const char *,
		    int, void *), void *);

/* db_email.c */
int		 db_user_set_email(struct db *, const char *, const char *);
int		 db_user_email(struct db *, const char *, char *, char *);
int		 db_user_address(struct db *, const char *, char *, int *);

/* db_reset.c */
#define RESET_TTL	1800	/* seconds a reset link lives */

struct reset_target {
	char	 id[JA_UUID_LEN + 1];
	char	 username[JA_NAME_MAX + 1];
	char	 email[MAIL_ADDRESS_MAX + 1];
};

int		 db_reset_request(struct db *, const char *, char *, size_t,
		    struct reset_target *);
int		 db_reset_peek(struct db *, const char *, const char *, char *,
		    char *);
int		 db_reset_claim(struct db *, const char *, const char *);
int		 db_token_use(struct db *, const struct db_stmt *, const char *,
		    const char *);

/* db_signup.c */
#define VERIFY_TTL	86400	/* seconds a verification link lives */
#define INVITE_TTL	604800	/* seconds an invitation lives */
#define PENDING_MAX	86400	/* seconds an unverified account lives */

enum signup_result {
	SIGNUP_MADE,		/* a new account, unverified */
	SIGNUP_ADDRESS_TAKEN,	/* the address is another account's */
	SIGNUP_NAME_TAKEN	/* the name is, the address free */
};

/* The account whose address a sign-up gave (SIGNUP_ADDRESS_TAKEN). */
struct signup_holder {
	char	 name[JA_NAME_MAX + 1];
	char	 email[MAIL_ADDRESS_MAX + 1];	/* as stored */
};

int		 db_signup_add(struct db *, const char *, const char *,
		    const char *, const char *, char *, size_t,
		    enum signup_result *, struct signup_holder *);
int		 db_signup_verify(struct db *, const char *, const char *);
int		 db_invite_add(struct db *, const char *, char *, size_t);
int		 db_invite_peek(struct db *, const char *, char *);

/* db_known.c */
int		 db_known_seen(struct db *, const char *,
		    const struct request *, int *);

/* db_email_change.c */
#define EMAIL_TTL	86400	/* seconds a change of address link lives */

int		 db_email_change_ask(struct db *, const char *, const char *,
		    char *, size_t, int *);
int		 db_email_change_use(struct db *, const char *, const char *);

/* db_session.c */
struct session {
	char		 id[JA_UUID_LEN + 1];
	char		 user_id[JA_UUID_LEN + 1];
	char		 username[JA_NAME_MAX + 1];
	long		 refresh_expires_in;	/* seconds */
	int		 otp;	/* AMR_* bits: how it signed in */
	int		 remembered;	/* "Keep me signed in" (route_login.c) */
};

int		 db_session_create(struct db *, const struct config *,
		    const struct user *, const struct request *, int, int,
		    struct session *, char *, size_t);
int		 db_session_check(struct db *, const struct claims *);
int		 db_session_from_refresh(struct db *, const char *, char *,
		    char *);
const char	*db_session_secret_id(const struct config *);

/* db_session_rotate.c */
int		 db_session_rotate(struct db *, const struct config *,
		    const char *, const struct request *, struct session *,
		    char *, size_t);

/* db_session_end.c */
int		 db_session_logout(struct db *, const char *, const char *,
		    const char *, const char *, int64_t,
		    const struct request *);
int		 db_session_revoke_user(struct db *, const char *,
		    const char *, long *);
int		 db_session_revoke_sid(struct db *, const char *, long *);
int		 db_session_list(struct db *, const struct config *,
		    const char *, void (*)(const char *const *, void *),
		    void *);

/* revmap.c */
#define REVMAP_KEY_MAX	40	/* a UUID or a jti, with room */

enum revmap_state {
	REVMAP_LIVE,
	REVMAP_DEAD
};

struct revmap_entry {
	struct revmap_entry	*next;
	char			 key[REVMAP_KEY_MAX];	/* sid or jti */
	char			 user_id[JA_UUID_LEN + 1];	/* sessions */
	int64_t			 expires;	/* epoch seconds */
	enum revmap_state	 state;
};

struct revmap {
	struct revmap_entry	**bucket;
	size_t			  nbucket;	/* a power of two, or 0 */
	size_t			  count;
	size_t			  max;		/* entries at the most */
	unsigned char		  hashkey[16];	/* crypto_shorthash */
};

void		 revmap_init(struct revmap *, size_t);
struct revmap_entry *revmap_find(const struct revmap *, const char *);
struct revmap_entry *revmap_put(struct revmap *, const char *);
void		 revmap_remove_if(struct revmap *,
		    int (*)(const struct revmap_entry *, const void *),
		    const void *);
void		 revmap_expire(struct revmap *, int64_t);
size_t		 revmap_slot(const struct revmap *, const char *);
void		 revmap_clear(struct revmap *);

/* revcache.c */
struct revcache_stats {
	unsigned long	 hits;		/* sessions answered from memory */
	unsigned long	 misses;	/* sessions asked of the database */
	unsigned long	 strict;	/* checks made against the database */
	unsigned long	 reloads;
	unsigned long	 notifications;
	size_t		 jtis;		/* entries now */
	size_t		 sessions;
	int		 trusted;
};

/* revring.c: the host's revocation ring (in metrics.c's object) */
#define REVRING_SIZE	1024		/* entries */
#define REVRING_MSG	96		/* bytes of one payload, NUL included */
#define REVRING_LOCK	(2L << 20)	/* byte the listener locks */

struct revring {
	uint64_t	 live;		/* 1 while a listener listens */
	uint64_t	 pid;		/* the listener's */
	uint64_t	 epoch;		/* listeners started and stopped */
	uint64_t	 beat_ms;	/* the listener's last beat */
	uint64_t	 synced;	/* revocation count the ring holds */
	uint64_t	 seq;		/* entries written */
	uint64_t	 spawned_ms;	/* last attempt to start a listener */
	uint64_t	 read_ms;	/* a process's last read */
	uint32_t	 owner;		/* the listener's robust futex word */
	uint32_t	 pad;
	char		 msg[REVRING_SIZE][REVRING_MSG];
};

uint64_t	 revring_now_ms(void);
int		 revring_live(const struct revring *);
uint64_t	 revring_epoch(const struct revring *);
uint64_t	 revring_seq(const struct revring *);
uint64_t	 revring_synced(const struct revring *);
int		 revring_read(const struct revring *, uint64_t *,
		    void (*)(const char *, void *), void *);
int		 revring_put(struct revring *, const char *);
void		 revring_state(struct revring *, int);
void		 revring_beat(struct revring *, uint64_t);
void		 revring_touch(struct revring *);
uint64_t	 revring_idle_ms(const struct revring *);
int		 revring_claim(int);
int		 revring_own(struct revring *);
void		 revring_program(const char *);
int		 revring_spawn(struct revring *, const char *);
int		 revring_wait(const struct revring *, int);

/* listen.c */
int		 listen_run(const struct config *);

void		 revcache_init(void);
int		 revcache_check(struct db *, const struct config *,
		    const struct claims *, time_t);
int		 revcache_decide(const struct claims *, time_t);
int		 revcache_note_session(const char *, const char *, int64_t,
		    int);
void		 revcache_stats(struct revcache_stats *);
const char	*revcache_health(struct db *, const struct config *, time_t);
void		 revcache_free(void);
void		 revcache_spawn_wait(int);
void		*revcache_stash(void);
void		 revcache_unstash(void *);

/* tokcache.c */
int		 tokcache_init(size_t);
void		 tokcache_free(void);
void		*tokcache_stash(void);
void		 tokcache_unstash(void *);
int		 tokcache_lookup(const struct config *, const char *, size_t,
		    time_t, struct claims *);
void		 tokcache_store(const char *, size_t, const struct claims *);
int		 tokcache_verify(const struct config *, const char *, time_t,
		    struct claims *);

/* pwslot.c */
int		 pwslot_enter(struct db *, const struct config *, int *);
void		 pwslot_leave(struct db *, int);

/* db_audit.c */
void		 db_audit(struct db *, const char *, const char *,
		    const char *, const char *, const struct request *,
		    const char *);
int		 db_audit_recent(struct db *, long,
		    void (*)(const char *const *, void *), void *);

/* db_mfa.c */
struct mfa_state {
	unsigned char	 box[TOTP_BOX_LEN];	/* sealed secret (totp.c) */
	size_t		 boxlen;
	char		 secret_id[JA_SECRET_ID_LEN + 1];
	int		 enabled;	/* confirmed with a code */
	int64_t		 last_step;	/* last TOTP step accepted */
	long		 codes_left;	/* unused recovery codes */
};

int		 db_mfa_get(struct db *, const char *, struct mfa_state *);
int		 db_mfa_setup(struct db *, const struct config *, const char *,
		    const unsigned char *);
int		 db_mfa_use_step(struct db *, const char *, int64_t);
int		 db_mfa_enable(struct db *, const struct config *,
		    const char *, const unsigned char [][RECOVERY_HASH_LEN]);
int		 db_mfa_disable(struct db *, const char *, int *);
int		 db_mfa_recovery_use(struct db *, const struct config *,
		    const char *, const char *);
int		 db_mfa_session_end(struct db *, const char *, const char *);
int		 db_mfa_one_row(struct db *, const struct db_stmt *,
		    const char *const *);

/* db_mfa_challenge.c */
int		 db_mfa_challenge_new(struct db *, const char *, int,
		    const char *, char *, size_t);
int		 db_mfa_challenge_try(struct db *, const char *, char *,
		    char *, int *, char *);
int		 db_mfa_challenge_peek(struct db *, const char *, char *,
		    char *);
int		 db_mfa_challenge_end(struct db *, const char *);

/* db_passkey.c */
struct passkey {
	char		 id[JA_UUID_LEN + 1];
	char		 user_id[JA_UUID_LEN + 1];
	char		 username[JA_NAME_MAX + 1];
	unsigned char	 cose[COSE_KEY_MAX];	/* the stored COSE_Key */
	size_t		 cose_len;
	uint32_t	 sign_count;
	int		 disabled;	/* a counter regression ended it */
	int		 locked;	/* the user's */
	int		 pending;	/* the user's: not yet verified */
};

int		 db_wa_challenge_new(struct db *, const unsigned char *,
		    const char *, const char *, const char *);
int		 db_wa_challenge_take(struct db *, const unsigned char *,
		    const char *, const char *, const char *);
int		 db_passkey_add(struct db *, const char *,
		    const struct wa_authdata *, const char *, char *);
int		 db_passkey_find(struct db *, const unsigned char *, size_t,
		    struct passkey *);
int		 db_passkey_use(struct db *, const char *, uint32_t, int);
int		 db_passkey_disable(struct db *, const char *);
int		 db_passkey_remove(struct db *, const char *, const char *);
int		 db_passkey_list(struct db *, const char *,
		    void (*)(const char *const *, void *), void *);
int		 db_passkey_rename(struct db *, const char *, const char *,
		    const char *);
int		 db_passkey_cred_ids(struct db *, const char *,
		    void (*)(const char *const *, void *), void *);

/* db_purge.c */
int		 db_purge(struct db *, const struct config *, long *);

/* db_status.c */
int		 db_status(struct db *, const struct config *,
		    void (*)(const char *const *, void *), void *);

/* migrate.c */
struct migration {
	int		 version;
	const char	*name;
	const char	*sql;
};

extern const struct migration migrations[];	/* migrations.c */

int		 migrate_run(struct db *, void (*)(const char *, void *),
		    void *);

/* watch.c */
#include <sys/stat.h>

/* The config file, key_file, secret_file, verify_keys, old secrets. */
#define WATCH_MAX	(3 + JA_VERIFY_MAX + JA_OLD_SECRETS_MAX)

struct watch_file {
	char		*path;	/* owned */
	struct stat	 st;
	int		 ok;	/* stat(2) succeeded */
};

/* A watched file or directory (watch_notify.c). */
struct watch_mark {
	char		*path;	/* owned */
	int		 wd;	/* its inotify watch */
	int		 file;	/* 1: a file, 0: a directory on a path */
};

/* Every file's directories, from /, and the files. */
#define WATCH_MARKS	128

struct watch {
	struct watch_file	 files[WATCH_MAX];
	size_t			 n;
	unsigned long		 passes;	/* stat(2) of every file */
	int			 noff;		/* 1: no inotify, stat */
	int			 nfd;		/* inotify(7), or -1 */
	int			 mfd;		/* /proc/self/mountinfo */
	pid_t			 npid;		/* the process of both */
	unsigned long		 nforks;	/* its forks then */
	struct watch_mark	 marks[WATCH_MARKS];
	size_t			 nmarks;
};

int		 watch_init(struct watch *, const char *);
int		 watch_set(struct watch *, const struct config *);
void		 watch_record(struct watch *);
int		 watch_same_paths(const struct watch *, const struct watch *);
const char	*watch_changed(struct watch *);
void		 watch_free(struct watch *);

/* watch_notify.c */
int		 watch_notify_start(struct watch *);
int		 watch_notify_quiet(struct watch *);
void		 watch_notify_stop(struct watch *);

/* reload.c */
struct reload {
	const char	*path;		/* the config file; not owned */
	struct config	 cfg;		/* valid when loaded */
	int		 loaded;
	struct watch	 watch;		/* cfg's files, as before it was read */
	struct db	*db;
	char		*conninfo;	/* what db was opened with */
	unsigned long	 hups;		/* daemon_hups() at the last load */
	int		 loud;		/* metrics_open: say why not */
	char		 err[1024];	/* why the last load failed */
};

int		 reload_load(struct reload *, const char *);
int		 reload_open(struct reload *);
int		 reload_check(struct reload *);
void		 reload_free(struct reload *);

/* check.c */
int		 check_run(const char *);

/* owner.c */
int		 owner_check(const char *, char *, size_t);

/* daemon.c */
int		 daemon_start(const char *, long);
unsigned long	 daemon_hups(void);

/* io.c */
int		 io_accept(void);
void		 io_finish(void);
void		 io_retire(void);
int		 io_is_cgi(void);
const char	*io_getenv(const char *);
size_t		 io_read(void *, size_t);
int		 io_write(const void *, size_t);

/* request.c */
enum method {
	METHOD_GET,
	METHOD_HEAD,
	METHOD_POST,
	METHOD_OTHER
};

enum ctype {
	CTYPE_NONE,
	CTYPE_JSON,
	CTYPE_FORM,
	CTYPE_OTHER
};

enum role {
	ROLE_RESPONDER,
	ROLE_AUTHORIZER
};

/*
 * The client kind, settled once by request_parse() and read only by the
 * answering module (answer.c): the front that asked, times whether the
 * answer is a page (html) or JSON.
 *   FRONT_RESPONDER  we answer the client ourselves: our routes, and the
 *                    plain CGI gatekeeper (gate.c), a responder too.
 *   FRONT_APACHE     an authorizer call from Apache: mod_fcgid's access
 *                    checker, or mod_authnz_fcgi (-s daemon); both set
 *                    FCGI_APACHE_ROLE.  Apache keeps our headers but
 *                    shows its own ErrorDocument: every refusal is a bare
 *                    status (401 or 503), and html does not matter.
 *   FRONT_AUTHORIZER an authorizer call without FCGI_APACHE_ROLE
 *                    (lighttpd's mod_fastcgi "mode" => "authorizer"): the
 *                    client sees our whole answer, headers and body.
 *   FRONT_SUBREQUEST a responder asked about another request by the web
 *                    server's subrequest (BASE/check: nginx auth_request,
 *                    Caddy reverse_proxy): 204, or an empty 401 that
 *                    the server's error page (BASE/login) spells again.
 * html is 1 for a browser page (a form post, or Accept: text/html
 * without a Bearer header or a JSON body), 0 for an API client; a route
 * whose answer has one kind whatever was asked says so with
 * answer_kind_set() (answer.c), never by writing the field.
 */
enum front {
	FRONT_RESPONDER,
	FRONT_APACHE,
	FRONT_AUTHORIZER,
	FRONT_SUBREQUEST
};

struct request {
	enum role	 role;
	enum method	 method;
	enum ctype	 ctype;
	char		*path;		/* SCRIPT_NAME + PATH_INFO */
	char		*query;
	char		*host;
	char		*origin;
	char		*referer;
	char		*user_agent;
	char		*remote_addr;
	char		*authorization;
	char		*cookies;
	char		*accept;
	char		*uri;		/* REQUEST_URI */
	char		*uri_path;	/* its path normalised, NULL if bad */
	char		*redirect_url;	/* URL before an internal redirect */
	char		*redirect_status;	/* 401: we are its ErrorDocument */
	char		*fetch_site;	/* Sec-Fetch-Site */
	char		*forwarded_for;	/* X-Forwarded-For */
	char		 client[64];	/* the client's address (proxy.c) */
	int		 https;
	enum front	 front;		/* who asked: see enum front */
	int		 html;		/* a page, not JSON: see enum front */
	int		 script;	/* our pages' script: ANSWER_SCRIPT */
	long		 content_length;	/* -1: none given */
	char		*body;
	size_t		 bodylen;
};

int		 request_parse(struct request *);
int		 request_read_body(struct request *, long);
void		 request_free(struct request *);
int		 request_target(const struct request *, const char *,
		    struct buf *);

/* bearer.c */
int		 request_bearer(const struct request *, char *, size_t);

/* proxy.c */
void		 proxy_client(const struct config *, struct request *);

/* throttle.c */
void		 throttle_success(struct db *, const char *);
int		 throttle_take(struct db *, const struct config *,
		    const char *, const char *, const struct request *, long *);
void		 throttle_refund(struct db *, const struct config *,
		    const char *, const char *);
int		 throttle_options_take(struct db *, const struct config *,
		    const char *, long *);
void		 throttle_options_refund(struct db *, const struct config *,
		    const char *);
int		 throttle_list(struct db *, const struct config *,
		    void (*)(const char *const *, void *), void *);
int		 throttle_clear(struct db *, const char *, const char *,
		    long *);

/* form.c */
struct form_field {
	char	*name;
	char	*value;
};

struct form {
	struct form_field	*fields;
	size_t			 nfields;
};

int		 form_parse(struct form *, const char *, size_t);
const char	*form_get(const struct form *, const char *);
void		 form_free(struct form *);

/* jbody.c */
int		 jbody_parse(json_t **, const char *, size_t);
int		 jbody_string(const json_t *, const char *, const char **);

/* cookie.c */
#define COOKIE_SESSION	(-1)	/* response_cookie() max_age: none */

enum cookie_kind {
	COOKIE_ACCESS,
	COOKIE_REFRESH,
	COOKIE_CSRF
};

int		 cookie_get(const char *, const char *, char *, size_t);
const char	*cookie_name(const struct request *, enum cookie_kind);

/* response.c */

/*
 * The Referrer-Policy of a page whose URL may hold a mailed token (a
 * reset, verification or invitation link): the Referer of anything it
 * loads or links to carries our origin alone, never the path and query
 * (W3C Referrer Policy, "strict-origin"), and the POST of its form
 * carries our Origin.  Not "no-referrer": under it a browser sends
 * "Origin: null" with the form (Fetch, "serializing a request origin"),
 * which csrf_origin_ok() refuses.
 */
#define RESPONSE_LINK_REFERRER	"strict-origin"
struct response {
	int		 status;
	const char	*cache_control;	/* NULL: no-store */
	struct buf	 headers;	/* "Name: value\r\n" lines */
	struct buf	 body;
	int		 bare;		/* Status and headers set, no defaults */
	const char	*referrer;	/* Referrer-Policy; NULL: same-origin */
	int		 scripted;	/* a page with BASE/passkey.js */
	int		 sent;
	int		 file_fd;	/* body from this file; -1: none */
	int64_t		 file_off;	/* its first byte sent */
	int64_t		 file_len;	/* bytes of it sent */
};

void		 response_init(struct response *);
void		 response_free(struct response *);
/*
 * Longest header value we send.  It holds the longest Location we build,
 * a route URL whose next (TEXT_PATH_MAX bytes) may be percent-encoded to
 * three times its length, and the whole line stays below the 8192 bytes
 * that Apache reads of one script header line.
 */
#define RESPONSE_HEADER_MAX	7680

int		 response_header(struct response *, const char *,
		    const char *, ...) __attribute__((format(printf, 3, 4)));
void		 response_json(struct response *, int, json_t *);
void		 response_error(struct response *, const struct request *,
		    int, const char *, const char *);
void		 response_html(struct response *, int, struct buf *);
void		 response_redirect(struct response *, const char *);
void		 response_route_url(struct buf *, const struct config *,
		    const char *, const char *);
void		 response_redirect_route(struct response *,
		    const struct config *, const char *, const char *);
void		 response_cookie(struct response *, const struct request *,
		    const struct config *, enum cookie_kind, const char *,
		    long);
int		 response_send(struct response *, enum method);
const char	*response_reason(int);

/* csrf.c */
#define CSRF_TOKEN_LEN 43
#define CSRF_NONCE_LEN JA_JTI_LEN

int		 csrf_token(const struct config *, const char *, const char *,
		    char *, size_t);
int		 csrf_check(const struct config *, const struct request *,
		    const char *, const char *);
int		 csrf_origin_ok(const struct config *, const struct request *);
int		 csrf_nonce(const struct request *, char *, size_t);

/* csrf_nonce.c */
int		 csrf_ensure_nonce(const struct config *,
		    const struct request *, const char *, struct response *,
		    char *, size_t);
void		 csrf_form_sid(const struct config *, const struct request *,
		    char *);
int		 csrf_check_request(const struct config *,
		    const struct request *, const char *);

/* html.c */
void		 html_begin(struct buf *, const struct config *,
		    const char *, const char *);
void		 html_begin_class(struct buf *, const struct config *,
		    const char *, const char *, const char *);
void		 html_back(struct buf *, const struct config *, const char *,
		    const char *);
void		 html_alert(struct buf *, const char *);
void		 html_time(struct buf *, const char *);
void		 html_form(struct buf *, const struct config *, const char *,
		    const char *);
void		 html_end(struct buf *);
void		 html_login(struct buf *, const struct config *, const char *,
		    const char *, const char *, const char *);
void		 html_login_code(struct buf *, const struct config *,
		    const char *, const char *, const char *, const char *);
void		 html_me(struct buf *, const struct config *,
		    const struct claims *, const char *);
void		 html_password(struct buf *, const struct config *,
		    const char *, const char *);
void		 html_resume(struct buf *, const struct config *, const char *);
void		 html_logout(struct buf *, const struct config *, const char *,
		    const char *);
void		 html_message(struct buf *, const char *, const char *);
const char	*html_stylesheet(void);
const char	*html_favicon_svg(void);

/* html_account.c */
void		 html_account_session(struct buf *, const struct config *,
		    const char *const *, int, const char *);
void		 html_account_begin(struct buf *, const struct config *,
		    const char *, const char *, const char *);
void		 html_account_end(struct buf *, const struct config *, int,
		    long, const char *, int, const char *, const struct buf *);
void		 html_2fa_setup(struct buf *, const struct config *,
		    const char *, const char *, const char *, const char *);
void		 html_2fa_codes(struct buf *, const struct config *,
		    char [][RECOVERY_TEXT_LEN + 1], size_t);

/* html_passkey.c */
void		 html_passkey_script(struct buf *, const struct config *);
void		 html_passkey_login(struct buf *, const struct config *,
		    const char *, const char *);
void		 html_passkey_mfa(struct buf *, const struct config *);
void		 html_passkey_begin(struct buf *, const struct config *);
void		 html_passkey_row(struct buf *, const struct config *,
		    const char *const *, const char *);
void		 html_passkey_end(struct buf *, const struct config *, size_t);

/* passkey_js.c (made from src/passkey.js by scripts/embed-text.sh) */
extern const char passkey_js[];

/* html_reset.c */
void		 html_reset_ask(struct buf *, const struct config *,
		    const char *, const char *);
void		 html_reset_sent(struct buf *, const struct config *);
void		 html_reset_form(struct buf *, const struct config *,
		    const char *, int, const char *, const char *);
void		 html_link_dead(struct buf *, const struct config *,
		    const char *, const char *, const char *);
void		 html_reset_done(struct buf *, const struct config *);

/* html_signup.c */
void		 html_signup_form(struct buf *, const struct config *,
		    const char *, const char *, const char *, const char *);
void		 html_signup_sent(struct buf *, const struct config *);
void		 html_signup_refused(struct buf *, const struct config *,
		    const char *);
void		 html_verify_form(struct buf *, const struct config *,
		    const char *, const char *, const char *);
void		 html_verify_done(struct buf *, const struct config *);

/* html_email.c */
void		 html_account_email(struct buf *, const struct config *,
		    const char *, int, const char *);
void		 html_email_form(struct buf *, const struct config *,
		    const char *, const char *, const char *);
void		 html_email_done(struct buf *, const struct config *);

/* auth.c */
struct body;
struct ctx {
	const struct config	*cfg;
	struct db		*db;
	struct request		*req;
	struct response		*resp;
	time_t			 now;
	const char		*route_rest;	/* route.c: below a "x/" route */
	struct buf		*mail[MAIL_PER_REQUEST]; /* mail_queue(); sent
						   after the answer */
};

int		 auth_find_token(const struct ctx *, char *, size_t, int *);
int		 auth_request(struct ctx *, struct claims *);
int		 auth_form_request(struct ctx *, const struct body *,
		    struct claims *, int *);
int		 auth_password(struct ctx *, const struct claims *,
		    const char *, int *);
struct outcome;
int		 auth_throttle_outcome(int, long, struct outcome *);
int		 auth_throttle(struct ctx *, const char *, struct outcome *);
void		 auth_throttle_end(struct ctx *, const char *,
		    const struct outcome *);
void		 auth_log_refusal(const struct ctx *, const char *,
		    const char *);
int		 auth_respond(struct ctx *, const struct session *,
		    const char *, const char *, int);
int		 auth_sign_in(struct ctx *, const struct user *, int, int,
		    const char *, const char *);
void		 auth_clear_cookies(struct ctx *);

/* mail_send.c */
int		 mail_queue(struct ctx *, const char *, enum mail_kind,
		    const char *, const char *);
void		 mail_flush(const struct config *, struct buf **);
int		 mail_pending(const struct ctx *);

/* authz.c */
void		 authz_require_otp(void);
int		 authz_otp_needed(const struct config *, const char *);
int		 authz_decide(struct ctx *, struct claims *);
void		 authz_check(struct ctx *);

/* gate.c */
int		 gate_wants(const struct ctx *);
void		 gate_serve(struct ctx *);

/* answer.c */
/*
 * What a check found (auth.c, csrf, throttle, hashing slot, password,
 * second factor, body): a check returns one and never writes the
 * answer; answer_refuse() spells it for the client kind (the table in
 * jwtauth.fcgi(8), REFUSALS).
 */
enum outcome_kind {
	OUT_OK = 0,
	OUT_MISSING,		/* no access token */
	OUT_INVALID,		/* a token malformed, or invalid (Bearer) */
	OUT_EXPIRED,		/* the access cookie's token invalid in itself:
				 * expired, or bad; worth a refresh */
	OUT_REVOKED,		/* a valid token whose session ended */
	OUT_NO_OTP,		/* valid, but the path needs a second factor */
	OUT_UNAVAILABLE,	/* the database could not decide: fail closed */
	OUT_BUSY,		/* every password-hashing slot taken */
	OUT_THROTTLED,		/* too many failures: wait retry seconds */
	OUT_CSRF,		/* the form token or the origin refused */
	OUT_BAD_REQUEST,	/* a field missing, malformed or out of bounds */
	OUT_BAD_CREDENTIALS,	/* sign-in: user name and password */
	OUT_WRONG_PASSWORD,	/* the current password, at a change */
	OUT_WRONG_CODE,		/* a second-factor code */
	OUT_MFA_EXPIRED,	/* an mfa_token unknown, expired or used */
	OUT_INVALID_GRANT,	/* a refresh token unknown, expired, reused */
	OUT_CONFLICT,		/* the account is not in the state asked */
	OUT_NOT_FOUND,		/* nothing here, or no such session */
	OUT_TOO_LARGE,		/* a body over max_body */
	OUT_MEDIA_TYPE,		/* a body neither JSON nor a form */
	OUT_BAD_BODY,		/* a body incomplete or malformed */
	OUT_BAD_LINK,		/* a mailed link unknown, used or expired */
	OUT_UNVERIFIED,		/* the right password, address not verified */
	OUT_INVITE_ONLY,	/* sign-up by invitation, and none given */
	OUT_SERVER_ERROR,	/* our fault: 500 */
	OUT_COUNT
};

struct outcome {
	enum outcome_kind kind;
	long		 retry;		/* OUT_THROTTLED: seconds to wait */
	const char	*message;	/* NULL: the kind's own words */
	const char	*code;		/* OUT_CONFLICT: its error code */
};

/*
 * The page a browser is shown again after a refusal, so that the form
 * it came from comes back: the login form (next and the user name
 * kept), the code form of the second step, the password form, a 303 to
 * the account page (?m= says what), or a page of the caller's (page).
 * next is also the page a token refusal leads back to.
 */
enum again_kind {
	AGAIN_MESSAGE = 0,	/* a short page with the message */
	AGAIN_LOGIN,
	AGAIN_CODE,
	AGAIN_PASSWORD,
	AGAIN_ACCOUNT,
	AGAIN_PAGE
};

struct again {
	enum again_kind	 kind;
	const char	*next;		/* LOGIN, CODE; token refusals */
	const char	*username;	/* LOGIN: as typed */
	const char	*mfa_token;	/* CODE */
	void		(*page)(struct ctx *, int, const char *, void *);
	void		*arg;		/* PAGE: page(ctx, status, msg, arg) */
};

/* What an outcome kind is on the wire, whatever the client (outcome.c). */
struct spelling {
	int		 status;
	const char	*error;		/* the JSON error code */
	const char	*message;	/* its words to a person */
	int		 challenge;	/* WWW-Authenticate: Bearer (RFC 6750) */
	int		 described;	/* JSON carries error_description */
};

const struct spelling *outcome_spelling(enum outcome_kind);
const char	*outcome_account_note(enum outcome_kind);
int		 outcome_set(struct outcome *, enum outcome_kind);

enum answer_kind {
	ANSWER_JSON,
	ANSWER_HTML,
	ANSWER_FORM,		/* a page for a form post, else JSON */
	ANSWER_SUBREQUEST,	/* a web server's check: 204 or empty 401 */
	ANSWER_SCRIPT		/* JSON to our pages' script (passkey.js) */
};

void		 answer_kind_set(struct ctx *, enum answer_kind);
int		 answer_is_page(const struct ctx *);
int		 answer_is_script(const struct ctx *);
void		 answer_refuse(struct ctx *, const struct outcome *,
		    const struct again *);
void		 answer_refuse_at(struct ctx *, const struct outcome *,
		    const char *);
void		 answer_refuse_kind(struct ctx *, enum outcome_kind,
		    const char *);
int		 answer_form_token(struct ctx *, char *, size_t);
void		 answer_login_form(struct ctx *, int, const char *,
		    const char *, const char *);
void		 answer_password_form(struct ctx *, int, const char *);
void		 answer_account(struct ctx *, const char *);
void		 answer_done(struct ctx *, const char *, const char *);
void		 answer_mfa_required(struct ctx *, const char *,
		    const char *);

/* mfa.c */
int		 mfa_check_code(struct ctx *, const char *, const char *,
		    const char *, int, int, int *);
int		 mfa_login_begin(struct ctx *, const struct user *, int,
		    const char *, char *, size_t);
struct body;
int		 mfa_login_finish(struct ctx *, struct body *, const char *,
		    const char *, struct outcome *);

/* route.c */
void		 route_dispatch(struct ctx *);

/* route_login.c */
void		 route_check(struct ctx *);
void		 route_login(struct ctx *);
int		 login_remember(const struct ctx *, const struct body *, int *);

/* route_refresh.c */
void		 route_refresh(struct ctx *);

/* route_logout.c */
void		 route_logout(struct ctx *);

/* route_me.c */
void		 route_me(struct ctx *);

/* route_password.c */
void		 route_password(struct ctx *);

/* route_sessions.c */
void		 route_sessions(struct ctx *);
void		 route_session_end(struct ctx *);

/* route_account.c */
void		 route_account(struct ctx *);

/* route_2fa.c */
void		 route_2fa_setup(struct ctx *);
void		 route_2fa_enable(struct ctx *);
void		 route_2fa_disable(struct ctx *);

/* passkey.c */
#define PASSKEY_NAME_MAX	64	/* bytes of a passkey's name */

/* The parts of an assertion, decoded (passkey_assert_parse). */
struct assertion {
	unsigned char	 id[WA_CRED_MAX];
	size_t		 idlen;
	unsigned char	 cd[WA_CLIENT_MAX];
	size_t		 cdlen;
	unsigned char	 ad[WA_AUTHDATA_MAX];
	size_t		 adlen;
	unsigned char	 sig[WA_SIG_MAX];
	size_t		 siglen;
	unsigned char	 handle[64];
	size_t		 handlelen;	/* 0: no userHandle */
	struct wa_client client;
	struct wa_authdata auth;
};

void		 passkey_cred_one(const char *const *, void *);
json_t		*passkey_request_options(struct ctx *, const char *,
		    const char *, const char *, const char *,
		    struct outcome *);
int		 passkey_assert_challenge(struct ctx *,
		    const struct assertion *, const char *, const char *,
		    const char *, const char *, int, struct outcome *);
int		 passkey_begin(struct ctx *, struct body *, struct outcome *);
int		 passkey_begin_form(struct ctx *, struct body *, int,
		    struct outcome *);
int		 passkey_options_throttle(struct ctx *, struct outcome *);
int		 passkey_b64(const json_t *, const char *, unsigned char *,
		    size_t, size_t *);
int		 passkey_credential(const struct body *, const json_t **,
		    unsigned char *, size_t *);
int		 passkey_challenge(unsigned char *, char *, size_t);
int		 passkey_refuse(struct ctx *, struct outcome *,
		    enum outcome_kind, const char *, const char *,
		    const char *);
int		 passkey_refuse_login(struct ctx *, struct outcome *,
		    enum outcome_kind, const char *, const char *,
		    const char *);

/* passkey_assert.c */
int		 passkey_assert_parse(struct ctx *, const struct body *,
		    struct assertion *, struct outcome *);
int		 passkey_assert_verify(struct ctx *, const struct assertion *,
		    const struct passkey *, const char *, struct outcome *);

/* passkey_confirm.c */
json_t		*passkey_confirm_options(struct ctx *, const struct body *,
		    struct outcome *);
int		 passkey_confirm(struct ctx *, const struct body *,
		    const struct claims *, struct outcome *, int *);

/* route_passkey_mfa.c */
json_t		*passkey_mfa_options(struct ctx *, const char *,
		    struct outcome *);
int		 passkey_mfa_login(struct ctx *, const struct body *,
		    struct assertion *, const char *, struct outcome *);

/* route_passkey_list.c */
void		 route_passkeys(struct ctx *);
void		 route_passkey_rename(struct ctx *);

/* route_passkey.c */
void		 route_passkey_ropt(struct ctx *);
void		 route_passkey_reg(struct ctx *);
void		 route_passkey_rm(struct ctx *);

/* route_passkey_login.c */
void		 route_passkey_lopt(struct ctx *);
void		 route_passkey_login(struct ctx *);

/* route_link.c */
void		 route_link(struct ctx *, int, void (*)(struct ctx *),
		    void (*)(struct ctx *));

/* route_reset.c */
void		 route_reset(struct ctx *);
void		 route_reset_confirm(struct ctx *);
int		 reset_body(struct ctx *, struct body *, struct outcome *);
int		 reset_throttle(struct ctx *, const char *, const char *,
		    struct outcome *, char *, size_t);

/* route_signup.c */
void		 route_signup(struct ctx *);

/* route_verify.c */
void		 route_verify(struct ctx *);

/* route_email.c */
void		 route_email(struct ctx *);
void		 route_email_confirm(struct ctx *);

/* notice.c */
void		 notice_send(struct ctx *, const char *, enum mail_kind);
void		 notice_sign_in(struct ctx *, const char *);

/* route_health.c */
void		 route_health(struct ctx *);

/* route_jwks.c */
void		 route_jwks(struct ctx *);

/* route_metrics.c */
void		 route_metrics(struct ctx *);

/* route_body.c */
struct body {
	json_t		*json;
	struct form	 form;
	int		 is_form;
};

int		 body_read(struct ctx *, struct body *, struct outcome *);
const char	*body_get(const struct body *, const char *, int *);
void		 body_free(struct body *);

/* authctl.c (authctl only, as are the authctl_*.c blocks below) */
void		 authctl_usage(void) __attribute__((__noreturn__));
void		 authctl_print_row(const char *const *, void *);
void		 authctl_print_escaped(const char *const *, void *);

/* authctl_user.c */
int		 authctl_user(const struct config *, struct db *, int,
		    char **);
int		 authctl_user_known(struct db *, const char *);

/* authctl_session.c */
int		 authctl_sessions(const struct config *, struct db *, int,
		    char **);
int		 authctl_revoke(struct db *, int, char **);

/* authctl_invite.c */
int		 authctl_invite(const struct config *, struct db *, int,
		    char **);

/* authctl_upkeep.c */
int		 authctl_migrate(struct db *);
int		 authctl_status(const struct config *, struct db *, int);
int		 authctl_purge(const struct config *, struct db *);

/* authctl_audit.c */
int		 authctl_throttle(const struct config *, struct db *, int,
		    char **);
int		 authctl_audit(struct db *, int, char **);

/* authctl_keys.c */
int		 authctl_keygen(int, char **);
int		 authctl_pubkey(int, char **);

#endif /* JWTAUTH_H */
