// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pngink FILE: how much of a PNG screenshot is not its background.
 * Decodes 8-bit RGB or RGBA, non-interlaced (what headless Chromium
 * writes) with zlib, undoes the scanline filters, and prints
 *   WIDTHxHEIGHT INK_PERCENT COLOURS
 * where INK_PERCENT is the share of pixels unlike the top-left one and
 * COLOURS the distinct colours among the first 4096 seen (capped). Exit 1
 * with a message on what it cannot read.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static int die(const char *what)
{
	fprintf(stderr, "pngink: %s\n", what);
	return 1;
}

static uint8_t paeth(uint8_t a, uint8_t b, uint8_t c)
{
	int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);

	if (pa <= pb && pa <= pc)
		return a;
	return pb <= pc ? b : c;
}

/* Undo each scanline's filter in place: raw holds (1 + stride) * h. */
static int unfilter(uint8_t *raw, uint32_t w, uint32_t h, unsigned int bpp)
{
	size_t stride = (size_t)w * bpp, y, x;

	for (y = 0; y < h; y++) {
		uint8_t *line = raw + y * (stride + 1), type = line[0];
		uint8_t *cur = line + 1;
		uint8_t *prev = y ? raw + (y - 1) * (stride + 1) + 1 : NULL;

		for (x = 0; x < stride; x++) {
			uint8_t a = x >= bpp ? cur[x - bpp] : 0;
			uint8_t b = prev ? prev[x] : 0;
			uint8_t c = prev && x >= bpp ? prev[x - bpp] : 0;

			switch (type) {
			case 0: break;
			case 1: cur[x] += a; break;
			case 2: cur[x] += b; break;
			case 3: cur[x] += (uint8_t)((a + b) / 2); break;
			case 4: cur[x] += paeth(a, b, c); break;
			default: return -1;
			}
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const uint8_t magic[8] = { 0x89, 'P', 'N', 'G', 13, 10, 26, 10 };
	uint8_t sig[8], hdr[13], *idat = NULL, *raw;
	uint32_t w = 0, h = 0, colours[4096];
	unsigned int bpp = 0, n_colours = 0, i;
	size_t idat_len = 0, y, x, ink = 0;
	uLongf raw_len;
	FILE *f;

	if (argc != 2)
		return die("usage: pngink FILE");
	f = fopen(argv[1], "rb");
	if (!f)
		return die("cannot open the file");
	if (fread(sig, 1, 8, f) != 8 || memcmp(sig, magic, 8))
		return die("not a PNG");
	for (;;) {
		uint32_t len;
		char type[5] = "";

		if (fread(&len, 4, 1, f) != 1 || fread(type, 1, 4, f) != 4)
			return die("truncated");
		len = ntohl(len);
		if (!strcmp(type, "IHDR")) {
			if (len != 13 || fread(hdr, 1, 13, f) != 13)
				return die("bad IHDR");
			w = ntohl(*(uint32_t *)hdr);
			h = ntohl(*(uint32_t *)(hdr + 4));
			if (hdr[8] != 8 || hdr[12] || (hdr[9] != 2 && hdr[9] != 6))
				return die("not 8-bit RGB(A), non-interlaced");
			bpp = hdr[9] == 6 ? 4 : 3;
		} else if (!strcmp(type, "IDAT")) {
			idat = realloc(idat, idat_len + len);
			if (!idat || fread(idat + idat_len, 1, len, f) != len)
				return die("bad IDAT");
			idat_len += len;
		} else if (!strcmp(type, "IEND")) {
			break;
		} else if (fseek(f, len, SEEK_CUR)) {
			return die("truncated chunk");
		}
		if (fseek(f, 4, SEEK_CUR)) /* CRC */
			return die("truncated CRC");
	}
	fclose(f);
	if (!w || !h || !idat)
		return die("no image");
	raw_len = (uLongf)h * ((uLongf)w * bpp + 1);
	raw = malloc(raw_len);
	if (!raw || uncompress(raw, &raw_len, idat, idat_len) != Z_OK ||
	    raw_len != (uLongf)h * ((uLongf)w * bpp + 1))
		return die("cannot inflate the image");
	if (unfilter(raw, w, h, bpp))
		return die("bad filter type");
	for (y = 0; y < h; y++) {
		const uint8_t *line = raw + y * ((size_t)w * bpp + 1) + 1;

		for (x = 0; x < w; x++) {
			const uint8_t *px = line + x * bpp;
			uint32_t rgb = (uint32_t)px[0] << 16 | px[1] << 8 | px[2];

			if (memcmp(px, raw + 1, 3))
				ink++;
			for (i = 0; i < n_colours && colours[i] != rgb; i++)
				;
			if (i == n_colours && n_colours < 4096)
				colours[n_colours++] = rgb;
		}
	}
	printf("%ux%u %.2f %u\n", w, h, 100.0 * (double)ink / ((double)w * h),
	       n_colours);
	free(raw);
	free(idat);
	return 0;
}
