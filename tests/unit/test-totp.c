/*
 * test-totp.c: unit tests for totp.c and recovery.c: the RFC 6238
 * Appendix B test vectors (SHA-1, last 6 digits), the window of one step
 * either side, a code refused for a step already used (replay), the
 * sealed secret (opens under the same server secret, not under another,
 * not when altered), base32 and the otpauth URI, and recovery codes
 * (format, forgiving normalisation, keyed hash).
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"
#include "tap.h"

/* RFC 6238 Appendix B: the SHA-1 seed "12345678901234567890". */
static const unsigned char rfc_secret[TOTP_SECRET_LEN] =
    "12345678901234567890";

static void
test_vectors(void)
{
	int64_t	 step;

	/* Appendix B, SHA-1: 94287082 at 59, 07081804 at 1111111109,
	 * 14050471 at 1111111111, 89005924 at 1234567890; 6 digits are the
	 * last six (RFC 4226 §5.3). */
	tap_ok(totp_check(rfc_secret, 59, "287082", 0, &step) == JA_OK &&
	    step == 1, "totp: RFC 6238 vector at T=59 (step 1)");
	tap_ok(totp_check(rfc_secret, 1111111109, "081804", 0, &step) ==
	    JA_OK && step == 37037036, "totp: RFC 6238 vector at "
	    "T=1111111109");
	tap_ok(totp_check(rfc_secret, 1111111111, "050471", 0, &step) ==
	    JA_OK && step == 37037037, "totp: RFC 6238 vector at "
	    "T=1111111111");
	tap_ok(totp_check(rfc_secret, 1234567890, "005924", 0, &step) ==
	    JA_OK && step == 41152263, "totp: RFC 6238 vector at "
	    "T=1234567890");
	tap_ok(totp_check(rfc_secret, 1234567890, "005925", 0, &step) ==
	    JA_EAUTH, "totp: a wrong code is refused");
}

static void
test_window(void)
{
	int64_t	 step;

	/* 081804 is the code of step 37037036 (T 1111111080..1111111109). */
	tap_ok(totp_check(rfc_secret, 1111111109 + 30, "081804", 0, &step) ==
	    JA_OK && step == 37037036, "totp: the previous step's code is "
	    "accepted (skew)");
	tap_ok(totp_check(rfc_secret, 1111111109 - 30, "081804", 0, &step) ==
	    JA_OK && step == 37037036, "totp: the next step's code is "
	    "accepted (skew)");
	tap_ok(totp_check(rfc_secret, 1111111109 + 60, "081804", 0, &step) ==
	    JA_EAUTH, "totp: a code two steps old is refused");
	tap_ok(totp_check(rfc_secret, 1111111109 - 60, "081804", 0, &step) ==
	    JA_EAUTH, "totp: a code two steps ahead is refused");
	tap_ok(totp_check(rfc_secret, 1111111109, "081804", 37037036,
	    &step) == JA_EAUTH, "totp: a code of the step last used is "
	    "refused (replay)");
	tap_ok(totp_check(rfc_secret, 1111111109 + 30, "081804", 37037037,
	    &step) == JA_EAUTH, "totp: a code older than the step last used "
	    "is refused");
	tap_ok(totp_check(rfc_secret, 1111111109, "081804", 37037035,
	    &step) == JA_OK, "totp: a code of a later step than the last "
	    "used is accepted");
}

static void
test_shape(void)
{
	int64_t	 step;

	tap_ok(totp_code_shape("012345"), "totp: six digits have the shape");
	tap_ok(!totp_code_shape("12345"), "totp: five digits are refused");
	tap_ok(!totp_code_shape("1234567"), "totp: seven digits are refused");
	tap_ok(!totp_code_shape("12a456"), "totp: a letter is refused");
	tap_ok(!totp_code_shape(NULL), "totp: no code is refused");
	tap_ok(totp_check(rfc_secret, 59, " 287082", 0, &step) == JA_EAUTH,
	    "totp: a code with a space is refused");
}

static void
test_seal(void)
{
	struct config	 a, b;
	unsigned char	 sec[TOTP_SECRET_LEN], out[TOTP_SECRET_LEN];
	unsigned char	 box[TOTP_BOX_LEN], box2[TOTP_BOX_LEN];

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	randombytes_buf(a.secret, 32);
	a.secretlen = 32;
	secret_id(a.secret, a.secretlen, a.secret_id);
	randombytes_buf(b.secret, 32);
	b.secretlen = 32;
	secret_id(b.secret, b.secretlen, b.secret_id);
	totp_secret_new(sec);
	totp_seal(&a, sec, box);
	tap_ok(totp_open(&a, a.secret_id, box, sizeof(box), out) == JA_OK &&
	    memcmp(out, sec, sizeof(sec)) == 0, "seal: the box opens under "
	    "the same server secret");
	tap_ok(memmem(box, sizeof(box), sec, sizeof(sec)) == NULL,
	    "seal: the box does not hold the secret in clear");
	totp_seal(&a, sec, box2);
	tap_ok(memcmp(box, box2, sizeof(box)) != 0, "seal: two seals of one "
	    "secret differ (random nonce)");
	tap_ok(totp_open(&b, NULL, box, sizeof(box), out) == JA_EAUTH,
	    "seal: the box does not open under another server secret");
	tap_ok(totp_open(&b, a.secret_id, box, sizeof(box), out) ==
	    JA_ENOTFOUND, "seal: a secret version no longer configured is "
	    "not found");
	memcpy(b.old_secrets[0].key, a.secret, 32);
	b.old_secrets[0].len = 32;
	memcpy(b.old_secrets[0].id, a.secret_id, sizeof(a.secret_id));
	b.nold_secrets = 1;
	tap_ok(totp_open(&b, a.secret_id, box, sizeof(box), out) == JA_OK &&
	    memcmp(out, sec, sizeof(sec)) == 0, "seal: the box opens after a "
	    "rotation while the old secret is in old_secret_files");
	box[30] ^= 1;
	tap_ok(totp_open(&a, a.secret_id, box, sizeof(box), out) == JA_EAUTH,
	    "seal: an altered box is refused");
	tap_ok(totp_open(&a, a.secret_id, box, sizeof(box) - 1, out) ==
	    JA_EAUTH, "seal: a box of the wrong length is refused");
}

static void
test_uri(void)
{
	char		 b32[TOTP_B32_LEN + 1];
	struct buf	 b;

	tap_ok(totp_base32(rfc_secret, b32) == JA_OK &&
	    strcmp(b32, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ") == 0,
	    "base32: RFC 4648 of the RFC 6238 seed");
	buf_init(&b);
	totp_uri(&b, "My Site", "al ice", b32);
	tap_ok(!b.failed && strcmp(b.data, "otpauth://totp/My%20Site:al%20ice"
	    "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=My%20Site"
	    "&algorithm=SHA1&digits=6&period=30") == 0,
	    "uri: otpauth URI with issuer and user name percent-encoded");
	buf_free(&b);
}

static void
test_recovery(void)
{
	unsigned char	 k1[32], k2[32], h1[RECOVERY_HASH_LEN];
	unsigned char	 h2[RECOVERY_HASH_LEN];
	char		 code[RECOVERY_TEXT_LEN + 1], code2[RECOVERY_TEXT_LEN + 1];
	char		 n[RECOVERY_LEN + 1], n2[RECOVERY_LEN + 1];

	recovery_new(code);
	recovery_new(code2);
	tap_ok(strlen(code) == RECOVERY_TEXT_LEN && code[4] == '-' &&
	    code[9] == '-' && code[14] == '-', "recovery: a code is four "
	    "groups of four");
	tap_ok(strcmp(code, code2) != 0, "recovery: two codes differ");
	tap_ok(recovery_normalize(code, n) == JA_OK && strlen(n) ==
	    RECOVERY_LEN, "recovery: a new code normalises");
	tap_ok(recovery_normalize("ABCD EFGH-JKMN-PQRS", n) == JA_OK &&
	    strcmp(n, "abcdefghjkmnpqrs") == 0, "recovery: case, spaces and "
	    "dashes do not matter");
	tap_ok(recovery_normalize("oOiI-lL00-1111-2222", n) == JA_OK &&
	    strcmp(n, "0011110011112222") == 0, "recovery: o reads as 0, i "
	    "and l as 1");
	tap_ok(recovery_normalize("abcd-efgh-jkmn-pqr", n) == JA_EINVAL,
	    "recovery: fifteen characters are refused");
	tap_ok(recovery_normalize("abcd-efgh-jkmn-pqrst", n) == JA_EINVAL,
	    "recovery: seventeen characters are refused");
	tap_ok(recovery_normalize("abcd-efgh-jkmn-pqru", n) == JA_EINVAL,
	    "recovery: u (not in the alphabet) is refused");
	tap_ok(recovery_normalize(NULL, n) == JA_EINVAL,
	    "recovery: no code is refused");
	randombytes_buf(k1, sizeof(k1));
	randombytes_buf(k2, sizeof(k2));
	(void)recovery_normalize("abcd-efgh-jkmn-pqrs", n);
	(void)recovery_normalize("ABCDEFGHJKMNPQRS", n2);
	recovery_hash(k1, sizeof(k1), n, h1);
	recovery_hash(k1, sizeof(k1), n2, h2);
	tap_ok(memcmp(h1, h2, sizeof(h1)) == 0, "recovery: one code as typed "
	    "two ways hashes alike");
	recovery_hash(k2, sizeof(k2), n, h2);
	tap_ok(memcmp(h1, h2, sizeof(h1)) != 0, "recovery: the hash depends "
	    "on the server secret (keyed)");
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_vectors();
	test_window();
	test_shape();
	test_seal();
	test_uri();
	test_recovery();
	return tap_done();
}
