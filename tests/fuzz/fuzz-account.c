/*
 * fuzz-account.c: fuzz harness for the parsers of the account's
 * untrusted text: recovery_normalize() (a recovery code as typed),
 * totp_code_shape() (a TOTP code as typed) and ua_describe() (a stored
 * User-Agent), on the input as a C string.  It aborts when a normalised
 * code is not RECOVERY_LEN characters of the code alphabet, when a code
 * of the TOTP shape is not six digits, or when the words of a User-Agent
 * overflow or are not NUL-terminated.
 */
#include <stdlib.h>
#include <string.h>

#include "jwtauth.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s, norm[RECOVERY_LEN + 1], words[32];
	size_t	 i;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (recovery_normalize(s, norm) == JA_OK) {
		if (strlen(norm) != RECOVERY_LEN)
			abort();
		for (i = 0; i < RECOVERY_LEN; i++)
			if (strchr("0123456789abcdefghjkmnpqrstvwxyz",
			    norm[i]) == NULL || norm[i] == '\0')
				abort();
	}
	if (totp_code_shape(s)) {
		if (strlen(s) != TOTP_DIGITS)
			abort();
		for (i = 0; i < TOTP_DIGITS; i++)
			if (s[i] < '0' || s[i] > '9')
				abort();
	}
	memset(words, 'x', sizeof(words));
	ua_describe(s, words, sizeof(words));
	if (memchr(words, '\0', sizeof(words)) == NULL)
		abort();
	free(s);
	return 0;
}
