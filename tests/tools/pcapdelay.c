// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pcapdelay - the delay between two captures of one UDP stream, from the
 * capture's own timestamps: what the chain benchmark compares hopscope's
 * hops with.
 *   pcapdelay FROM.pcap TO.pcap [PORT]
 * Packets are matched by the 64-bit sequence number at the start of the
 * UDP payload (udpgen, udpblast); with PORT, only datagrams to that
 * destination port count. A sequence number seen twice in one file counts
 * once, at its first sighting. Timestamps are read in nanoseconds (files
 * written with --time-stamp-precision=nano keep them; others are scaled).
 * Prints one JSON object: count (packets in both), from_only (numbers
 * never seen in TO), to_only (sightings in TO left unmatched: not in FROM,
 * or a repeat), and min_ns, p50_ns, p99_ns, max_ns, mean_ns of TO - FROM
 * (percentiles by nearest rank; all null when nothing matched). Links: Ethernet
 * (with VLAN tags), Linux cooked (v1 and v2), raw IP.
 */
#include <arpa/inet.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/pcap.h>

struct sighting {
	uint64_t seq;
	int64_t ts_ns;
	int used; /* matched already (FROM) or a repeat (TO) */
};

struct capture {
	struct sighting *s;
	size_t n, cap;
};

static uint16_t be16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The offset of the IP header for link type dlt and its EtherType, or -1. */
static long ip_offset(int dlt, const unsigned char *p, size_t len,
		      uint16_t *ethertype)
{
	size_t off;

	switch (dlt) {
	case DLT_EN10MB:
		off = 12;
		while (off + 2 <= len &&
		       (be16(p + off) == 0x8100 || be16(p + off) == 0x88a8))
			off += 4;
		if (off + 2 > len)
			return -1;
		*ethertype = be16(p + off);
		return (long)off + 2;
	case DLT_LINUX_SLL:
		if (len < 16)
			return -1;
		*ethertype = be16(p + 14);
		return 16;
	case DLT_LINUX_SLL2:
		if (len < 20)
			return -1;
		*ethertype = be16(p);
		return 20;
	case DLT_RAW:
		if (len < 1)
			return -1;
		*ethertype = (p[0] >> 4) == 6 ? 0x86dd : 0x0800;
		return 0;
	}
	return -1;
}

/* The sequence number of a UDP datagram to port (0: any), 0 if found. */
static int udp_seq(int dlt, const unsigned char *p, size_t len, uint16_t port,
		   uint64_t *seq)
{
	uint16_t ethertype = 0;
	long l3 = ip_offset(dlt, p, len, &ethertype);
	size_t off;

	if (l3 < 0)
		return -1;
	off = (size_t)l3;
	if (ethertype == 0x0800) {
		size_t ihl;

		if (off + 20 > len || (p[off] >> 4) != 4 || p[off + 9] != 17)
			return -1;
		/* a later fragment carries no UDP header */
		if (be16(p + off + 6) & 0x1fff)
			return -1;
		ihl = (size_t)(p[off] & 0xf) * 4;
		if (ihl < 20)
			return -1;
		off += ihl;
	} else if (ethertype == 0x86dd) {
		/* the stream has no extension headers */
		if (off + 40 > len || (p[off] >> 4) != 6 || p[off + 6] != 17)
			return -1;
		off += 40;
	} else {
		return -1;
	}
	if (off + 8 + sizeof(*seq) > len)
		return -1;
	if (port && be16(p + off + 2) != port)
		return -1;
	/* the sender wrote it in its own byte order, on this machine */
	memcpy(seq, p + off + 8, sizeof(*seq));
	return 0;
}

static int read_capture(const char *path, uint16_t port, struct capture *c)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	struct pcap_pkthdr *h;
	const unsigned char *data;
	int64_t scale;
	pcap_t *pc;
	int dlt, r;

	pc = pcap_open_offline_with_tstamp_precision(
		path, PCAP_TSTAMP_PRECISION_NANO, err);
	if (!pc) {
		fprintf(stderr, "pcapdelay: cannot read '%s': %s\n", path, err);
		return -1;
	}
	/* asked for nanoseconds, libpcap scales microsecond files up; the
	 * check is for a libpcap that would not */
	scale = pcap_get_tstamp_precision(pc) == PCAP_TSTAMP_PRECISION_NANO ?
			1 :
			1000;
	dlt = pcap_datalink(pc);
	while ((r = pcap_next_ex(pc, &h, &data)) == 1) {
		struct sighting s = {};

		if (udp_seq(dlt, data, h->caplen, port, &s.seq))
			continue;
		s.ts_ns = (int64_t)h->ts.tv_sec * 1000000000 +
			  (int64_t)h->ts.tv_usec * scale;
		if (c->n == c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 4096;
			struct sighting *n = realloc(c->s, cap * sizeof(*n));

			if (!n) {
				fprintf(stderr,
					"pcapdelay: out of memory reading '%s'\n",
					path);
				pcap_close(pc);
				return -1;
			}
			c->s = n;
			c->cap = cap;
		}
		c->s[c->n++] = s;
	}
	if (r == -1) {
		fprintf(stderr, "pcapdelay: '%s': %s\n", path, pcap_geterr(pc));
		pcap_close(pc);
		return -1;
	}
	pcap_close(pc);
	return 0;
}

/* by sequence number, then time: the first sighting of a number first */
static int by_seq(const void *a, const void *b)
{
	const struct sighting *x = a, *y = b;

	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return (x->ts_ns > y->ts_ns) - (x->ts_ns < y->ts_ns);
}

static int by_value(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static struct sighting *find(struct capture *c, uint64_t seq)
{
	size_t lo = 0, hi = c->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->s[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->n && c->s[lo].seq == seq ? &c->s[lo] : NULL;
}

/* nearest rank: the smallest value with at least q of them at or below */
static int64_t rank(const int64_t *v, size_t n, double q)
{
	size_t k = (size_t)ceil(q * (double)n);

	if (k < 1)
		k = 1;
	return v[k > n ? n - 1 : k - 1];
}

int main(int argc, char **argv)
{
	struct capture from = {}, to = {};
	size_t i, n = 0, from_only;
	double sum = 0;
	int64_t *d;
	long port = 0;
	char *end;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: pcapdelay FROM.pcap TO.pcap [PORT]\n");
		return 2;
	}
	if (argc == 4) {
		port = strtol(argv[3], &end, 10);
		if (end == argv[3] || *end || port < 1 || port > 65535) {
			fprintf(stderr,
				"pcapdelay: bad port '%s': 1 to 65535\n",
				argv[3]);
			return 2;
		}
	}
	if (read_capture(argv[1], (uint16_t)port, &from) ||
	    read_capture(argv[2], (uint16_t)port, &to))
		return 1;
	qsort(from.s, from.n, sizeof(*from.s), by_seq);
	/* repeats of a number in FROM: only the first one is matched */
	for (i = 1; i < from.n; i++)
		if (from.s[i].seq == from.s[i - 1].seq)
			from.s[i].used = 1;
	d = malloc((to.n ? to.n : 1) * sizeof(*d));
	if (!d) {
		fprintf(stderr, "pcapdelay: out of memory\n");
		return 1;
	}
	/* TO in capture order: its first sighting of a number is the one */
	for (i = 0; i < to.n; i++) {
		struct sighting *f = find(&from, to.s[i].seq);

		if (!f || f->used)
			continue;
		f->used = 1;
		d[n] = to.s[i].ts_ns - f->ts_ns;
		sum += (double)d[n];
		n++;
	}
	from_only = 0;
	for (i = 0; i < from.n; i++)
		if (!from.s[i].used)
			from_only++;
	qsort(d, n, sizeof(*d), by_value);
	printf("{\"count\":%zu,\"from_only\":%zu,\"to_only\":%zu", n, from_only,
	       to.n - n);
	if (n)
		printf(",\"min_ns\":%lld,\"p50_ns\":%lld,\"p99_ns\":%lld,\"max_ns\":%lld,\"mean_ns\":%.1f}\n",
		       (long long)d[0], (long long)rank(d, n, 0.50),
		       (long long)rank(d, n, 0.99), (long long)d[n - 1],
		       sum / (double)n);
	else
		printf(",\"min_ns\":null,\"p50_ns\":null,\"p99_ns\":null,\"max_ns\":null,\"mean_ns\":null}\n");
	free(d);
	free(from.s);
	free(to.s);
	return 0;
}
