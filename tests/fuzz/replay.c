/*
 * tests/fuzz/replay.c: feeds each file named on the command line to
 * LLVMFuzzerTestOneInput as an exact-size heap copy, so make check replays
 * every corpus under gcc (and ASan with SAN=asan) without libFuzzer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
main(int argc, char **argv)
{
	int i, n = 0;

	for (i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		uint8_t *p;
		long len;

		if (f == NULL) {
			perror(argv[i]);
			return 2;
		}
		if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
		    fseek(f, 0, SEEK_SET) != 0) {
			fclose(f);
			return 2;
		}
		p = malloc(len > 0 ? (size_t)len : 1);
		if (p == NULL || fread(p, 1, (size_t)len, f) != (size_t)len) {
			fclose(f);
			free(p);
			return 2;
		}
		fclose(f);
		LLVMFuzzerTestOneInput(p, (size_t)len);
		free(p);
		n++;
	}
	printf("replayed %d inputs\n", n);
	return n > 0 ? 0 : 1;
}
