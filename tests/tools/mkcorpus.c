// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * mkcorpus - write the fingerprint corpus (tests/lib/corpus.h) as capture
 * files, DIR/NAME.pcap each: what tests/unit/test_corpus.c and
 * tests/progrun/test_corpus.c read, and what tcpdump or Wireshark show.
 *   mkcorpus DIR          (make corpus: DIR is tests/fixtures/corpus)
 * The files are the same on every run: frames in a fixed order, 1 ms
 * apart from a fixed time.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <pcap/pcap.h>
#include "../lib/corpus.h"

struct writer {
	pcap_dumper_t *dump;
	unsigned long n;
};

static int write_frame(const uint8_t *frame, size_t len, void *ctx)
{
	struct writer *w = ctx;
	struct pcap_pkthdr h = { 0 };

	/* 2026-12-03 00:00:00 UTC, then a millisecond a frame */
	h.ts.tv_sec = 1796256000 + (time_t)(w->n / 1000);
	h.ts.tv_usec = (suseconds_t)(w->n % 1000) * 1000;
	h.caplen = h.len = (bpf_u_int32)len;
	pcap_dump((u_char *)w->dump, &h, frame);
	w->n++;
	return 0;
}

static int write_capture(const char *dir, const struct corpus_capture *c)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	struct writer w = { 0 };
	char path[4096];

	if (!dead) {
		fprintf(stderr, "mkcorpus: pcap_open_dead failed\n");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/%s.pcap", dir, c->name);
	w.dump = pcap_dump_open(dead, path);
	if (!w.dump) {
		fprintf(stderr, "mkcorpus: cannot write '%s': %s\n", path,
			pcap_geterr(dead));
		pcap_close(dead);
		return 1;
	}
	c->build(write_frame, &w);
	pcap_dump_close(w.dump);
	pcap_close(dead);
	printf("%s: %lu frames\n", path, w.n);
	return 0;
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc != 2 || !strcmp(argv[1], "--help")) {
		fprintf(argc == 2 ? stdout : stderr,
			"usage: mkcorpus DIR\n"
			"writes the fingerprint corpus as DIR/NAME.pcap\n");
		return argc == 2 ? 0 : 2;
	}
	for (i = 0; i < corpus_n_captures; i++)
		if (write_capture(argv[1], &corpus_captures[i]))
			return 1;
	return 0;
}
