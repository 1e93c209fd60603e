/*
 * recovery.c: one-time recovery codes for a user who lost the device of
 * the second factor.  Each code is 16 characters of Crockford's base32
 * (80 bits from libsodium's CSRNG), shown as four groups of four
 * ("7k2m-q9xd-..."); typing is forgiving: case, dashes and spaces do not
 * matter, and o, i, l read as 0, 1, 1.
 *
 * Only a hash of each code is stored: BLAKE2b keyed with a subkey of the
 * server secret (totp_subkey).  A slow password hash (argon2id) protects
 * low-entropy passwords from guessing; these codes have 80 bits of
 * entropy, which no offline search covers, so a fast hash loses nothing
 * there, and the key adds that a copy of the database alone allows no
 * search at all.  Ten argon2id verifications per attempt would instead
 * cost a sign-in seconds of CPU.
 */
#include <string.h>

#include <sodium.h>

#include "jwtauth.h"

static const char recovery_alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";

/* Writes a new code, formatted, into out (RECOVERY_TEXT_LEN + 1 bytes). */
void
recovery_new(char *out)
{
	unsigned char	 r[RECOVERY_LEN];
	size_t		 i, o = 0;

	randombytes_buf(r, sizeof(r));
	for (i = 0; i < RECOVERY_LEN; i++) {
		if (i > 0 && i % 4 == 0)
			out[o++] = '-';
		out[o++] = recovery_alphabet[r[i] & 31];
	}
	out[o] = '\0';
	sodium_memzero(r, sizeof(r));
}

/*
 * Writes the canonical form of code as typed into out (RECOVERY_LEN + 1
 * bytes): dashes and spaces dropped, lower case, o as 0, i and l as 1.
 * Returns JA_OK, or JA_EINVAL when it is not RECOVERY_LEN characters of
 * the alphabet (an input of at most RECOVERY_TYPED_MAX bytes).
 */
int
recovery_normalize(const char *code, char *out)
{
	size_t	 n = 0, len;
	char	 c;

	if (code == NULL || (len = strlen(code)) > RECOVERY_TYPED_MAX)
		return JA_EINVAL;
	for (; *code != '\0'; code++) {
		c = *code;
		if (c == '-' || c == ' ')
			continue;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c == 'o')
			c = '0';
		else if (c == 'i' || c == 'l')
			c = '1';
		if (strchr(recovery_alphabet, c) == NULL || c == '\0' ||
		    n == RECOVERY_LEN)
			return JA_EINVAL;
		out[n++] = c;
	}
	out[n] = '\0';
	return n == RECOVERY_LEN ? JA_OK : JA_EINVAL;
}

/*
 * Writes the stored form of canonical code norm into out (RECOVERY_HASH_LEN
 * bytes): BLAKE2b-256 keyed with the recovery subkey of server secret
 * key (len bytes).
 */
void
recovery_hash(const unsigned char *key, size_t len, const char *norm,
    unsigned char *out)
{
	unsigned char	 k[crypto_kdf_KEYBYTES];

	totp_subkey(key, len, TOTP_KEY_RECOVERY, k);
	crypto_generichash(out, RECOVERY_HASH_LEN, (const unsigned char *)norm,
	    strlen(norm), k, sizeof(k));
	sodium_memzero(k, sizeof(k));
}
