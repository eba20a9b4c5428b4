// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * One frame in, one record out: for every supported encapsulation, the
 * probe at XDP and at tc records exactly the fingerprint that user space
 * computes for the same frame with hs_frame_fingerprint().
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <sched.h>
#include <unistd.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "hopscope.h"
#include "hs_packet.h"
#include "packet.h"
#include "probe.h"

#define POINT 7

static const uint8_t seq_payload[16] = { 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 42,
					 1,    2,    3,    4,    5, 6, 7, 8 };

/* The L3 payload length, worked out from how the frame was built rather
 * than by the parser under test. */
static uint16_t built_ip_len(const struct tpkt *t, size_t len)
{
	size_t l3 = 14 + 4 * (size_t)t->vlan_tags;
	size_t iph = t->family == 4 ? 20 + (size_t)t->ipv4_options : 40;

	return (uint16_t)(len - l3 - iph);
}

static void expect_record(const struct hs_record *r, const uint8_t *frame,
			  size_t len, uint8_t proto, uint16_t ip_len,
			  uint8_t flags)
{
	struct hs_pkt pkt;
	__u64 fp = 0;
	int err;

	err = hs_frame_fingerprint(frame, (__u32)len, &pkt, &fp);
	cr_assert_eq(err, HS_PARSE_OK, "user-space parse: %d", err);
	cr_expect_eq(r->fingerprint, fp, "fingerprint %016llx, want %016llx",
		     (unsigned long long)r->fingerprint,
		     (unsigned long long)fp);
	cr_expect_eq(r->flow_hash, hs_flow_hash(&pkt),
		     "flow_hash %08x, want %08x", r->flow_hash,
		     hs_flow_hash(&pkt));
	cr_expect_eq(r->nat_key, pkt.nat_key, "nat_key %016llx, want %016llx",
		     (unsigned long long)r->nat_key,
		     (unsigned long long)pkt.nat_key);
	cr_expect_eq(r->point_id, POINT, "point_id %u", r->point_id);
	cr_expect_eq(r->proto, proto, "proto %u, want %u", r->proto, proto);
	cr_expect_eq(r->ip_len, ip_len, "ip_len %u, want %u", r->ip_len,
		     ip_len);
	cr_expect_eq(r->flags, flags, "flags %#x, want %#x", r->flags, flags);
	cr_expect_neq(r->ts_ns, 0);
	for (size_t i = 0; i < sizeof(r->__pad); i++)
		cr_expect_eq(r->__pad[i], 0, "__pad[%zu] = %u", i,
			     r->__pad[i]);
}

/* Runs the frame twice; checks both records, the timestamps and the
 * counters. */
static void one_record(enum probe_hook hook, const struct tpkt *t)
{
	FRAME_BUF(frame, TPKT_MAX);
	size_t len = tpkt_build(t, frame);
	uint16_t ip_len = built_ip_len(t, len);
	uint8_t flags = t->family == 6 ? HS_REC_IPV6 : 0;
	struct probe *p = probe_open(&(struct probe_opts){ .point = POINT });
	uint64_t before, after;
	struct hs_counters other;

	before = mono_ns();
	probe_run(p, hook, frame, len);
	after = mono_ns();
	cr_assert_eq(probe_drain(p), 1, "%s: want exactly one record, got %zu",
		     hook_name(hook), p->nrec);
	expect_record(&p->recs[0], frame, len, t->proto, ip_len, flags);
	/* bpf_ktime_get_ns() is CLOCK_MONOTONIC */
	cr_expect(p->recs[0].ts_ns >= before && p->recs[0].ts_ns <= after,
		  "ts_ns %llu outside [%llu, %llu]",
		  (unsigned long long)p->recs[0].ts_ns,
		  (unsigned long long)before, (unsigned long long)after);
	expect_counters(p, 1, 0, 0, 0, 1, 1, 0);

	probe_run(p, hook, frame, len);
	cr_assert_eq(probe_drain(p), 1);
	expect_record(&p->recs[1], frame, len, t->proto, ip_len, flags);
	cr_expect_gt(p->recs[1].ts_ns, p->recs[0].ts_ns,
		     "timestamps not increasing: %llu then %llu",
		     (unsigned long long)p->recs[0].ts_ns,
		     (unsigned long long)p->recs[1].ts_ns);
	cr_expect_eq(p->recs[1].fingerprint, p->recs[0].fingerprint);
	expect_counters(p, 2, 0, 0, 0, 2, 2, 0);

	/* the counters are the point's own: point 0 saw nothing */
	probe_counters(p, 0, &other);
	cr_expect_eq(other.seen, 0, "point 0 counted %llu packets",
		     (unsigned long long)other.seen);
	probe_close(p);
}

static uint64_t tai_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_TAI, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* --clock tai: the probe stamps with bpf_ktime_get_tai_ns, CLOCK_TAI, the
 * clock PTP keeps equal across hosts (skipped where the kernel lacks it). */
HOOK_TESTS(record, tai_timestamps)
{
	FRAME_BUF(frame, TPKT_MAX);
	struct tpkt t;
	struct probe *p;
	uint64_t before, after;
	size_t len;

	if (libbpf_probe_bpf_helper(hook == HOOK_XDP ? BPF_PROG_TYPE_XDP :
						       BPF_PROG_TYPE_SCHED_CLS,
				    BPF_FUNC_ktime_get_tai_ns, NULL) != 1)
		cr_skip_test("the kernel has no bpf_ktime_get_tai_ns (Linux 6.1+)");
	tpkt_init(&t);
	len = tpkt_build(&t, frame);
	p = probe_open(&(struct probe_opts){ .point = POINT, .stamp_tai = true });
	before = tai_ns();
	probe_run(p, hook, frame, len);
	after = tai_ns();
	cr_assert_eq(probe_drain(p), 1);
	cr_expect(p->recs[0].ts_ns >= before && p->recs[0].ts_ns <= after,
		  "ts_ns %llu outside CLOCK_TAI [%llu, %llu]",
		  (unsigned long long)p->recs[0].ts_ns,
		  (unsigned long long)before, (unsigned long long)after);
	probe_close(p);
}

static void v6(struct tpkt *t, uint8_t proto)
{
	t->family = 6;
	t->src = "2001:2::1";
	t->dst = "2001:2:0:1::2";
	t->proto = proto;
	t->flow_label = 0x5a5a5;
}

HOOK_TESTS(record, ipv4_udp)
{
	struct tpkt t;

	tpkt_init(&t);
	one_record(hook, &t);
}

HOOK_TESTS(record, ipv4_tcp)
{
	struct tpkt t;

	tpkt_init(&t);
	t.proto = 6;
	t.sport = 40000;
	t.dport = 5201;
	t.tcp_seq = 0x01020304;
	t.tcp_ack = 0xa0b0c0d0;
	t.tcp_flags = 0x18;
	one_record(hook, &t);
}

HOOK_TESTS(record, ipv4_tcp_no_payload)
{
	struct tpkt t;

	tpkt_init(&t);
	t.proto = 6;
	t.tcp_seq = 77;
	t.tcp_ack = 99;
	t.tcp_flags = 0x10;
	t.payload_len = 0;
	one_record(hook, &t);
}

HOOK_TESTS(record, ipv4_icmp_echo)
{
	struct tpkt t;

	tpkt_init(&t);
	t.proto = 1;
	t.sport = 0x4242; /* echo id */
	t.dport = 3; /* echo sequence */
	t.payload = seq_payload;
	t.payload_len = sizeof(seq_payload);
	one_record(hook, &t);
}

HOOK_TESTS(record, ipv4_options)
{
	struct tpkt t;

	tpkt_init(&t);
	t.ipv4_options = 8;
	one_record(hook, &t);
}

HOOK_TESTS(record, ipv4_short_payload)
{
	struct tpkt t;

	tpkt_init(&t);
	t.payload_len = 5; /* under HS_PAYLOAD_BYTES: no payload bytes */
	one_record(hook, &t);
}

HOOK_TESTS(record, ipv6_udp)
{
	struct tpkt t;

	tpkt_init(&t);
	v6(&t, 17);
	one_record(hook, &t);
}

HOOK_TESTS(record, ipv6_tcp)
{
	struct tpkt t;

	tpkt_init(&t);
	v6(&t, 6);
	t.tcp_seq = 123456789;
	t.tcp_ack = 987654321;
	one_record(hook, &t);
}

HOOK_TESTS(record, ipv6_two_ext_headers)
{
	struct tpkt t;

	tpkt_init(&t);
	v6(&t, 17);
	t.ipv6_ext_hdrs = 2;
	one_record(hook, &t);
}

HOOK_TESTS(record, ipv6_five_ext_headers)
{
	struct tpkt t;

	tpkt_init(&t);
	v6(&t, 17);
	t.ipv6_ext_hdrs = 5;
	one_record(hook, &t);
}

/* hs_packet.h promises "IPv6 with up to HS_MAX_IPV6_EXT_HDRS extension
 * headers"; a chain of exactly that many is refused as malformed. */
HOOK_TESTS(record, ipv6_max_ext_headers)
{
	struct tpkt t;

	tpkt_init(&t);
	v6(&t, 17);
	t.ipv6_ext_hdrs = HS_MAX_IPV6_EXT_HDRS;
	one_record(hook, &t);
}

HOOK_TESTS(record, icmpv6_echo)
{
	struct tpkt t;

	tpkt_init(&t);
	v6(&t, 58);
	t.sport = 0x1111;
	t.dport = 9;
	t.payload = seq_payload;
	t.payload_len = sizeof(seq_payload);
	one_record(hook, &t);
}

HOOK_TESTS(record, vlan_one_tag)
{
	struct tpkt t;

	tpkt_init(&t);
	t.vlan_tags = 1;
	t.vlan_id[0] = 100;
	one_record(hook, &t);
}

HOOK_TESTS(record, vlan_two_tags)
{
	struct tpkt t;

	tpkt_init(&t);
	t.vlan_tags = 2;
	t.vlan_id[0] = 100;
	t.vlan_id[1] = 200;
	one_record(hook, &t);
}

HOOK_TESTS(record, vlan_two_tags_ipv6_tcp)
{
	struct tpkt t;

	tpkt_init(&t);
	v6(&t, 6);
	t.vlan_tags = 2;
	t.vlan_id[0] = 10;
	t.vlan_id[1] = 20;
	t.tcp_seq = 5;
	one_record(hook, &t);
}

/* The IP total length says 16 bytes of payload, the frame stops after 4:
 * the payload read fails on both sides and both leave it zero. */
HOOK_TESTS(record, payload_cut_short)
{
	FRAME_BUF(frame, TPKT_MAX);
	struct tpkt t;
	size_t len;
	struct probe *p = probe_open(&(struct probe_opts){ .point = POINT });

	tpkt_init(&t);
	len = tpkt_build(&t, frame) - 12;
	probe_run(p, hook, frame, len);
	cr_assert_eq(probe_drain(p), 1);
	expect_record(&p->recs[0], frame, len, 17, 24, 0);
	expect_counters(p, 1, 0, 0, 0, 1, 1, 0);
	probe_close(p);
}

/* Ethernet padding past the IP length is not part of the packet. */
static void padded(enum probe_hook hook, struct tpkt *t)
{
	FRAME_BUF(frame, TPKT_MAX);
	FRAME_BUF(pad, TPKT_MAX);
	struct probe *p = probe_open(&(struct probe_opts){ .point = POINT });
	size_t len = tpkt_build(t, frame), plen = len < 60 ? 60 : len + 6;
	struct hs_pkt pkt;
	__u64 fp, fp_pad;

	memcpy(pad, frame, len);
	memset(pad + len, 0xa5, plen - len); /* not even zero */
	cr_assert_eq(hs_frame_fingerprint(frame, (__u32)len, &pkt, &fp), 0);
	cr_assert_eq(hs_frame_fingerprint(pad, (__u32)plen, &pkt, &fp_pad), 0);
	cr_expect_eq(fp, fp_pad, "user space: padding changes the fingerprint");

	probe_run(p, hook, frame, len);
	probe_run(p, hook, pad, plen);
	cr_assert_eq(probe_drain(p), 2);
	cr_expect_eq(p->recs[0].fingerprint, fp);
	cr_expect_eq(p->recs[1].fingerprint, fp,
		     "%s: padded frame recorded %016llx, unpadded %016llx",
		     hook_name(hook),
		     (unsigned long long)p->recs[1].fingerprint,
		     (unsigned long long)fp);
	cr_expect_eq(p->recs[1].ip_len, p->recs[0].ip_len);
	cr_expect_eq(p->recs[1].flow_hash, p->recs[0].flow_hash);
	probe_close(p);
}

HOOK_TESTS(padding, pad_ipv4_udp_short_payload)
{
	struct tpkt t;

	tpkt_init(&t);
	t.payload_len = 2;
	padded(hook, &t);
}

HOOK_TESTS(padding, pad_ipv4_udp_full_payload)
{
	struct tpkt t;

	tpkt_init(&t);
	padded(hook, &t);
}

HOOK_TESTS(padding, pad_ipv4_tcp_ack)
{
	struct tpkt t;

	tpkt_init(&t);
	t.proto = 6;
	t.payload_len = 0;
	t.tcp_seq = 1000;
	t.tcp_ack = 2000;
	padded(hook, &t);
}

HOOK_TESTS(padding, pad_ipv4_icmp_no_payload)
{
	struct tpkt t;

	tpkt_init(&t);
	t.proto = 1;
	t.payload_len = 0;
	padded(hook, &t);
}

HOOK_TESTS(padding, pad_ipv6_udp)
{
	struct tpkt t;

	tpkt_init(&t);
	v6(&t, 17);
	t.payload_len = 4;
	padded(hook, &t);
}

/* IPv4 fragments: a non-first fragment has no L4 header and is flagged. */
HOOK_TESTS(record, ipv4_fragments)
{
	FRAME_BUF(first, TPKT_MAX);
	FRAME_BUF(later, TPKT_MAX);
	struct probe *p = probe_open(&(struct probe_opts){ .point = POINT });
	struct tpkt t;
	size_t len;

	tpkt_init(&t);
	len = tpkt_build(&t, first);
	memcpy(later, first, len);
	first[14 + 6] = 0x20; /* MF, offset 0 */
	first[14 + 7] = 0x00;
	later[14 + 6] = 0x00; /* offset 185 * 8 = 1480, last fragment */
	later[14 + 7] = 185;
	probe_run(p, hook, first, len);
	probe_run(p, hook, later, len);
	cr_assert_eq(probe_drain(p), 2);
	expect_record(&p->recs[0], first, len, 17, 24, 0);
	expect_record(&p->recs[1], later, len, 17, 24, HS_REC_FRAGMENT);
	cr_expect_neq(p->recs[0].fingerprint, p->recs[1].fingerprint);
	probe_close(p);
}

/*
 * Trajectory: the same packet seen at two points, with what forwarding
 * changes between them (MACs, VLAN tag, TTL, ECN), records the same
 * fingerprint and flow hash at both.
 */
Test(record, same_packet_two_hops)
{
	FRAME_BUF(a, TPKT_MAX);
	FRAME_BUF(b, TPKT_MAX);
	struct probe *p1 = probe_open(&(struct probe_opts){
		.point = 1, .hooks = 1u << HOOK_XDP });
	struct probe *p2 = probe_open(&(struct probe_opts){
		.point = 2, .hooks = 1u << HOOK_TC });
	struct tpkt t;
	size_t la, lb;

	tpkt_init(&t);
	t.vlan_tags = 1;
	t.vlan_id[0] = 42;
	la = tpkt_build(&t, a);
	t.vlan_tags = 0;
	t.ttl = 63;
	t.tos = 0x03; /* ECN CE */
	t.src_mac[5] = 0x77;
	t.dst_mac[5] = 0x88;
	lb = tpkt_build(&t, b);
	probe_run(p1, HOOK_XDP, a, la);
	probe_run(p2, HOOK_TC, b, lb);
	cr_assert_eq(probe_drain(p1), 1);
	cr_assert_eq(probe_drain(p2), 1);
	cr_expect_eq(p1->recs[0].fingerprint, p2->recs[0].fingerprint);
	cr_expect_eq(p1->recs[0].flow_hash, p2->recs[0].flow_hash);
	cr_expect_eq(p1->recs[0].point_id, 1);
	cr_expect_eq(p2->recs[0].point_id, 2);
	cr_expect_lt(p1->recs[0].ts_ns, p2->recs[0].ts_ns);
	probe_close(p1);
	probe_close(p2);
}

/*
 * NAT: the packet before a masquerade (IPv4 UDP) and after it, source
 * address and port rewritten with the checksums, through the probe at two
 * points: different fingerprints and flow hashes, one NAT key, the one
 * user space computes. The same for DNAT on IPv6 TCP.
 */
static void expect_hashes(const struct hs_record *r, const uint8_t *frame,
			  size_t len)
{
	struct hs_pkt pkt;
	__u64 fp;

	cr_assert_eq(hs_frame_fingerprint(frame, (__u32)len, &pkt, &fp), 0);
	cr_expect_eq(r->fingerprint, fp);
	cr_expect_eq(r->flow_hash, hs_flow_hash(&pkt));
	cr_expect_eq(r->nat_key, pkt.nat_key);
}

static void nat_pair(struct tpkt *t, const char *new_src, const char *new_dst,
		     uint16_t new_sport, uint16_t new_dport)
{
	FRAME_BUF(a, TPKT_MAX);
	FRAME_BUF(b, TPKT_MAX);
	struct probe *p1 = probe_open(&(struct probe_opts){
		.point = 1, .hooks = 1u << HOOK_TC });
	struct probe *p2 = probe_open(&(struct probe_opts){
		.point = 2, .hooks = 1u << HOOK_TC });
	size_t la, lb;

	la = tpkt_build(t, a);
	t->src = new_src ? new_src : t->src;
	t->dst = new_dst ? new_dst : t->dst;
	t->sport = new_sport ? new_sport : t->sport;
	t->dport = new_dport ? new_dport : t->dport;
	t->ttl--;
	lb = tpkt_build(t, b);
	probe_run(p1, HOOK_TC, a, la);
	probe_run(p2, HOOK_TC, b, lb);
	cr_assert_eq(probe_drain(p1), 1);
	cr_assert_eq(probe_drain(p2), 1);
	expect_hashes(&p1->recs[0], a, la);
	expect_hashes(&p2->recs[0], b, lb);
	cr_expect_neq(p1->recs[0].fingerprint, p2->recs[0].fingerprint);
	cr_expect_neq(p1->recs[0].flow_hash, p2->recs[0].flow_hash);
	cr_expect_eq(p1->recs[0].nat_key, p2->recs[0].nat_key);
	cr_expect_neq(p1->recs[0].nat_key, 0);
	probe_close(p1);
	probe_close(p2);
}

Test(record, nat_key_across_masquerade)
{
	struct tpkt t;

	tpkt_init(&t);
	t.ip_id = 999;
	nat_pair(&t, "198.18.9.1", NULL, 61000, 0);
}

Test(record, nat_key_across_ipv6_dnat)
{
	struct tpkt t;

	tpkt_init(&t);
	v6(&t, 6);
	t.tcp_seq = 123456;
	t.dport = 8080;
	nat_pair(&t, NULL, "2001:2:0:1::9", 0, 80);
}

/*
 * hs_prefault writes a discarded record into every page of the ring but
 * the one the kernel keeps free, so that no probe pays a page's first
 * write; nothing is handed to the reader, and a probe's record still
 * comes through whole after it.
 */
Test(record, prefault_writes_every_page)
{
	FRAME_BUF(frame, TPKT_MAX);
	uint8_t other[64] = { [12] = 0x88, [13] = 0xb5 };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = other,
		    .data_size_in = sizeof(other), .repeat = 1);
	struct probe *p = probe_open(&(struct probe_opts){ .point = POINT,
							   .ringbuf_bytes = 64 * 1024 });
	struct tpkt t;
	size_t len;

	cr_assert_eq(bpf_prog_test_run_opts(bpf_program__fd(p->skel->progs.hs_prefault),
					    &o),
		     0);
	/* 16 pages of 4 KiB, one kept free */
	cr_assert_eq(p->skel->bss->prefault_pages, 15);
	cr_assert_eq(probe_drain(p), 0);
	/* round again: the free page and on, the reader having moved */
	cr_assert_eq(bpf_prog_test_run_opts(bpf_program__fd(p->skel->progs.hs_prefault),
					    &o),
		     0);
	cr_assert_eq(p->skel->bss->prefault_pages, 30);
	cr_assert_eq(probe_drain(p), 0);
	tpkt_init(&t);
	len = tpkt_build(&t, frame);
	probe_run(p, HOOK_TC, frame, len);
	cr_assert_eq(probe_drain(p), 1);
	cr_assert_eq(p->recs[0].point_id, POINT);
	expect_counters(p, 1, 0, 0, 0, 1, 1, 0);
	probe_close(p);
}

static int count_record(void *ctx, void *data, size_t size)
{
	(void)data;
	if (size == sizeof(struct hs_record))
		(*(unsigned int *)ctx)++;
	return 0;
}

static void run_on_cpu(struct probe *p, int cpu, const uint8_t *frame,
		       size_t len)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	cr_assert_eq(sched_setaffinity(0, sizeof(set), &set), 0,
		     "pin to CPU %d: %s", cpu, strerror(errno));
	probe_run(p, HOOK_TC, frame, len);
}

/*
 * A ring per CPU: a record lands in the ring of the CPU the probe ran on,
 * so that two CPUs recording at once share no lock. Two packets run on
 * CPUs 0 and 1: one record in each ring, none in the other's.
 */
Test(record, each_cpu_records_into_its_own_ring)
{
	FRAME_BUF(frame, TPKT_MAX);
	struct probe *p = probe_open(&(struct probe_opts){ .point = POINT });
	unsigned int got[2] = { 0 }, i;
	cpu_set_t was;
	struct tpkt t;
	size_t len;

	if (p->rings.n < 2 || sysconf(_SC_NPROCESSORS_ONLN) < 2)
		cr_skip_test("one CPU: one ring");
	cr_assert_eq(sched_getaffinity(0, sizeof(was), &was), 0);
	tpkt_init(&t);
	len = tpkt_build(&t, frame);
	run_on_cpu(p, 0, frame, len);
	run_on_cpu(p, 1, frame, len);
	cr_assert_eq(sched_setaffinity(0, sizeof(was), &was), 0);
	for (i = 0; i < 2; i++) {
		struct ring_buffer *rb = ring_buffer__new(p->rings.fds[i],
							  count_record,
							  &got[i], NULL);

		cr_assert_not_null(rb);
		cr_assert_geq(ring_buffer__consume(rb), 0);
		ring_buffer__free(rb);
		cr_expect_eq(got[i], 1, "CPU %u's ring holds %u records", i,
			     got[i]);
	}
	probe_close(p);
}

