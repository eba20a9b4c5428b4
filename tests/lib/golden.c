// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "golden.h"

static char msg[2048];

char *golden_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) >= 0 &&
	    !fseek(f, 0, SEEK_SET) && (buf = malloc((size_t)n + 1)) &&
	    fread(buf, 1, (size_t)n, f) == (size_t)n) {
		buf[n] = '\0';
		*len = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* The line of text that holds byte at, without its line break. */
static void line_at(const char *text, size_t len, size_t at, char *out,
		    size_t outlen)
{
	size_t start = at, end = at;

	while (start > 0 && text[start - 1] != '\n')
		start--;
	while (end < len && text[end] != '\n')
		end++;
	snprintf(out, outlen, "%.*s", (int)(end - start), text + start);
}

const char *golden_diff(const char *text, size_t len, const char *path)
{
	char want_line[900], got_line[900];
	const char *update = getenv("HS_GOLDEN_UPDATE");
	size_t want_len = 0, i, lineno = 1;
	char *want;

	if (update && !strcmp(update, "1")) {
		FILE *f = fopen(path, "wb");

		if (!f || fwrite(text, 1, len, f) != len || fclose(f)) {
			snprintf(msg, sizeof(msg), "cannot write %s", path);
			return msg;
		}
		return NULL;
	}
	want = golden_slurp(path, &want_len);
	if (!want) {
		snprintf(msg, sizeof(msg), "cannot read %s", path);
		return msg;
	}
	for (i = 0; i < len && i < want_len && text[i] == want[i]; i++)
		lineno += text[i] == '\n';
	if (i == len && i == want_len) {
		free(want);
		return NULL;
	}
	line_at(want, want_len, i < want_len ? i : want_len, want_line,
		sizeof(want_line));
	line_at(text, len, i < len ? i : len, got_line, sizeof(got_line));
	snprintf(msg, sizeof(msg),
		 "%s differs at line %zu (%zu bytes expected, %zu written):\n"
		 "  expected: %s\n  written:  %s",
		 path, lineno, want_len, len, want_line, got_line);
	free(want);
	return msg;
}
