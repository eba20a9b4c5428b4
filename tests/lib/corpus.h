/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * corpus.h - the fingerprint corpus: small captures of the traffic whose
 * packets a weak fingerprint confuses, made by the project itself
 * (tests/tools/mkcorpus.c writes them to tests/fixtures/corpus/, NAME.pcap each).
 *
 * Each capture is a list of Ethernet frames, the same every time (a fixed
 * pseudo-random sequence stands in for ciphertext):
 *  - quic: QUIC-like UDP, short headers with one constant connection id,
 *    full-size and ACK-size packets of one length each, over IPv4 with IP
 *    id 0 (DF) and over IPv6 with no flow label;
 *  - tcp: TCP with data, pure ACKs, duplicate ACKs (SACK blocks, or
 *    timestamps, or nothing at all), FIN-ACKs and window updates sharing
 *    seq and ack, over IPv4 (id 0) and IPv6;
 *  - esp: ESP, one SPI, sequence numbers counting up, one length;
 *  - vxlan: VXLAN (UDP 4789, VNI 42) over IPv4 (id 0) and IPv6, carrying
 *    a container's UDP datagrams of one payload and its TCP ACKs; a VXLAN
 *    packet's identity is its inner packet's;
 *  - ipv6: IPv6 with no flow label: DNS-like, RTP-like and NTP-like UDP,
 *    GRE with sequence numbers, and OSPF-like hellos sent again unchanged.
 * Packets that are identical apart from what hops rewrite (MACs, VLAN
 * tags, TTL, TOS, checksums) are the same packet; every other two must
 * differ in their fingerprint.
 */
#ifndef HS_TEST_CORPUS_H
#define HS_TEST_CORPUS_H

#include <stddef.h>
#include <stdint.h>

struct corpus_capture {
	const char *name; /* the file is NAME.pcap */
	/* calls emit(frame, len, ctx) for each frame in order; 0, or the
	 * first non-zero emit returned */
	int (*build)(int (*emit)(const uint8_t *frame, size_t len, void *ctx),
		     void *ctx);
};

extern const struct corpus_capture corpus_captures[];
extern const size_t corpus_n_captures;

#define CORPUS_DIR "tests/fixtures/corpus"

/*
 * The frames of CORPUS_DIR/NAME.pcap (the tests run from the top of the
 * tree), through emit as build() hands them out. 0; or the first
 * non-zero emit returned; or -1 with why in err (errlen bytes): no such
 * file, not a capture, a frame cut short.
 */
int corpus_read(const char *name,
		int (*emit)(const uint8_t *frame, size_t len, void *ctx),
		void *ctx, char *err, size_t errlen);

/*
 * The packet's identity as the bytes of the IP packet (by its length),
 * with what hops rewrite zeroed: TTL / hop limit, TOS / traffic class, the
 * IPv4 header checksum and the UDP, TCP or ICMP checksum. Written to out
 * (len bytes at most); returns its length, 0 if the frame is not IP.
 */
size_t corpus_canonical(const uint8_t *frame, size_t len, uint8_t *out,
			size_t out_len);

#endif /* HS_TEST_CORPUS_H */
