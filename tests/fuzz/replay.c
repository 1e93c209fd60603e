/*
 * replay.c: a main() for the fuzz harnesses when libFuzzer is not at
 * hand.  Each file named on the command line is read whole and passed
 * once to LLVMFuzzerTestOneInput(), so that a harness built with any
 * compiler (and its sanitizers) can replay its seed corpus or a crash
 * that libFuzzer saved.  A harness reports a failed property by
 * aborting; this program only fails to read its files.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

/* Reads all of path into a new buffer; its length in *len. */
static uint8_t *
replay_read(const char *path, size_t *len)
{
	FILE	*fp;
	uint8_t	*data = NULL, *p;
	size_t	 cap = 0, n;

	if ((fp = fopen(path, "rb")) == NULL)
		err(1, "%s", path);
	*len = 0;
	for (;;) {
		if (*len == cap) {
			cap = cap ? cap * 2 : 4096;
			if ((p = realloc(data, cap)) == NULL)
				err(1, NULL);
			data = p;
		}
		n = fread(data + *len, 1, cap - *len, fp);
		*len += n;
		if (n == 0)
			break;
	}
	if (ferror(fp))
		err(1, "%s", path);
	fclose(fp);
	return data;
}

int
main(int argc, char *argv[])
{
	uint8_t	*data, *copy;
	size_t	 len;
	int	 i;

	for (i = 1; i < argc; i++) {
		data = replay_read(argv[i], &len);
		/* An exact-size copy, so that ASan sees a read past the end. */
		if ((copy = malloc(len ? len : 1)) == NULL)
			err(1, NULL);
		memcpy(copy, data, len);
		free(data);
		LLVMFuzzerTestOneInput(copy, len);
		free(copy);
	}
	fprintf(stderr, "%s: %d inputs replayed\n", argv[0], argc - 1);
	return 0;
}
