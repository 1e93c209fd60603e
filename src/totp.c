/*
 * totp.c: time-based one-time passwords (RFC 6238) for the second
 * factor, computed by liboath (RFC 4226 HOTP with the time step as
 * counter): HMAC-SHA-1, 6 digits, 30-second steps from the Unix epoch,
 * what every authenticator app takes from an otpauth:// URI.  The
 * shared secret is 160 bits from libsodium's CSRNG (RFC 4226 §4 R6
 * recommends 160).
 *
 * At rest the secret is sealed with crypto_secretbox (XSalsa20-Poly1305)
 * under a key derived from the server secret (secret_file) with
 * crypto_kdf, so a copy of the database alone yields no secret.  The
 * box is stored with the version of the server secret that sealed it
 * (secret.c), so a box sealed before a rotation of secret_file opens
 * while that secret is still in old_secret_files.
 *
 * A code is accepted for the current step or one step either side (RFC
 * 6238 §5.2 allows a small window for clock drift and slow typing), and
 * only for a step later than the last step accepted for that user: each
 * code works once (§5.2: "the verifier MUST NOT accept the second
 * attempt of the same OTP").  The caller stores the step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <liboath/oath.h>
#include <sodium.h>

#include "jwtauth.h"

#define TOTP_KDF_CTX	"jwtauth2"	/* crypto_kdf context, 8 bytes */

/*
 * Derives subkey id (TOTP_KEY_*) of the server secret key (len bytes)
 * into out (crypto_kdf_KEYBYTES, 32 bytes): BLAKE2b of the secret as
 * the master key, then crypto_kdf_derive_from_key.  Different ids give
 * independent keys; none reveals the secret or the others.
 */
void
totp_subkey(const unsigned char *key, size_t len, uint64_t id,
    unsigned char *out)
{
	unsigned char	 master[crypto_kdf_KEYBYTES];

	crypto_generichash(master, sizeof(master), key, len, NULL, 0);
	crypto_kdf_derive_from_key(out, crypto_kdf_KEYBYTES, id,
	    TOTP_KDF_CTX, master);
	sodium_memzero(master, sizeof(master));
}

/* A new random TOTP secret of TOTP_SECRET_LEN bytes into sec. */
void
totp_secret_new(unsigned char *sec)
{
	randombytes_buf(sec, TOTP_SECRET_LEN);
}

/*
 * Seals secret sec (TOTP_SECRET_LEN bytes) under the current server
 * secret of cfg into box (TOTP_BOX_LEN bytes: nonce, then MAC and
 * ciphertext).
 */
void
totp_seal(const struct config *cfg, const unsigned char *sec,
    unsigned char *box)
{
	unsigned char	 k[crypto_kdf_KEYBYTES];

	totp_subkey(cfg->secret, cfg->secretlen, TOTP_KEY_BOX, k);
	randombytes_buf(box, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, sec,
	    TOTP_SECRET_LEN, box, k);
	sodium_memzero(k, sizeof(k));
}

/*
 * Opens box (boxlen bytes) sealed under the server secret of version
 * secret_id (NULL or "": the current one) into sec (TOTP_SECRET_LEN
 * bytes).  Returns JA_OK, JA_ENOTFOUND (that secret is no longer
 * configured) or JA_EAUTH (not a box of that key: altered or garbage).
 */
int
totp_open(const struct config *cfg, const char *secret_id,
    const unsigned char *box, size_t boxlen, unsigned char *sec)
{
	unsigned char		 k[crypto_kdf_KEYBYTES];
	const unsigned char	*key;
	size_t			 keylen;
	int			 rc;

	if (secret_find(cfg, secret_id, &key, &keylen) != JA_OK)
		return JA_ENOTFOUND;
	if (boxlen != TOTP_BOX_LEN)
		return JA_EAUTH;
	totp_subkey(key, keylen, TOTP_KEY_BOX, k);
	rc = crypto_secretbox_open_easy(sec, box + crypto_secretbox_NONCEBYTES,
	    boxlen - crypto_secretbox_NONCEBYTES, box, k) == 0 ? JA_OK :
	    JA_EAUTH;
	sodium_memzero(k, sizeof(k));
	if (rc != JA_OK)
		sodium_memzero(sec, TOTP_SECRET_LEN);
	return rc;
}

/* Returns 1 if code is exactly TOTP_DIGITS ASCII digits. */
int
totp_code_shape(const char *code)
{
	size_t	 i;

	if (code == NULL || strlen(code) != TOTP_DIGITS)
		return 0;
	for (i = 0; i < TOTP_DIGITS; i++)
		if (code[i] < '0' || code[i] > '9')
			return 0;
	return 1;
}

/*
 * Checks code against secret sec (TOTP_SECRET_LEN bytes) at time now:
 * the codes of steps now/30 - 1, now/30 and now/30 + 1 are computed
 * (liboath) and each compared in constant time; a match counts only for
 * a step above last_step (a code already used, or an older one, is
 * refused).  Returns JA_OK with the step matched in *step, JA_EAUTH, or
 * JA_EINVAL when liboath fails.
 */
int
totp_check(const unsigned char *sec, time_t now, const char *code,
    int64_t last_step, int64_t *step)
{
	static int	 ready;
	char		 want[TOTP_DIGITS + 1];
	int64_t		 t, s, found = -1;
	int		 rc = JA_EAUTH;

	*step = 0;
	if (!ready) {
		if (oath_init() != OATH_OK)
			return JA_EINVAL;
		ready = 1;
	}
	if (!totp_code_shape(code) || now < TOTP_STEP)
		return JA_EAUTH;
	t = (int64_t)now / TOTP_STEP;
	for (s = t - TOTP_SKEW; s <= t + TOTP_SKEW; s++) {
		if (oath_totp_generate((const char *)sec, TOTP_SECRET_LEN,
		    (time_t)(s * TOTP_STEP), TOTP_STEP, 0, TOTP_DIGITS,
		    want) != OATH_OK) {
			rc = JA_EINVAL;
			break;
		}
		if (sodium_memcmp(want, code, TOTP_DIGITS) == 0 &&
		    s > last_step && found < 0)
			found = s;
	}
	sodium_memzero(want, sizeof(want));
	if (rc == JA_EAUTH && found >= 0) {
		*step = found;
		rc = JA_OK;
	}
	return rc;
}

/*
 * Writes the RFC 4648 §6 base32 form of sec (TOTP_SECRET_LEN bytes,
 * no padding: 32 characters) into out (TOTP_B32_LEN + 1 bytes).
 */
int
totp_base32(const unsigned char *sec, char *out)
{
	char	*b32 = NULL;
	size_t	 len = 0;
	int	 rc = JA_ENOMEM;

	if (oath_base32_encode((const char *)sec, TOTP_SECRET_LEN, &b32,
	    &len) == OATH_OK && len >= TOTP_B32_LEN) {
		memcpy(out, b32, TOTP_B32_LEN);
		out[TOTP_B32_LEN] = '\0';
		rc = JA_OK;
	}
	if (b32 != NULL) {
		sodium_memzero(b32, len);
		free(b32);
	}
	return rc;
}

/*
 * Appends the otpauth:// URI of the Key Uri Format that authenticator
 * apps read (label "issuer:username", then secret, issuer, algorithm,
 * digits and period), percent-encoding issuer and username.
 */
void
totp_uri(struct buf *b, const char *issuer, const char *username,
    const char *b32)
{
	buf_puts(b, "otpauth://totp/");
	buf_url(b, issuer);
	buf_puts(b, ":");
	buf_url(b, username);
	buf_printf(b, "?secret=%s&issuer=", b32);
	buf_url(b, issuer);
	buf_printf(b, "&algorithm=SHA1&digits=%d&period=%d", TOTP_DIGITS,
	    TOTP_STEP);
}
