// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The stages after parsing: filter, trajectory sampling, the ring buffer
 * (full, wakeups), and the counters that account for every packet.
 */
#include <criterion/criterion.h>
#include <string.h>
#include "hopscope.h"
#include "hs_packet.h"
#include "packet.h"
#include "probe.h"

#define POINT 11

static void v6(struct tpkt *t, uint8_t proto)
{
	t->family = 6;
	t->src = "2001:2::1";
	t->dst = "2001:2:0:1::2";
	t->proto = proto;
	t->flow_label = 0x12345;
}

/* ----------------------------------------------------------------------
 * Sampling
 */

#define SAMPLE_N 8
#define SAMPLE_PACKETS 2000

/*
 * A stream of distinct packets (IPv4 id and payload sequence number
 * counting up, as a sender makes them): the records are exactly those
 * packets hs_pkt_sampled() keeps, in order.
 */
HOOK_TESTS(sampling, one_in_eight_is_the_fingerprint_decision)
{
	FRAME_BUF(frame, TPKT_MAX);
	uint8_t payload[16] = { 0 };
	struct probe *p = probe_open(&(struct probe_opts){
		.point = POINT, .sample = SAMPLE_N });
	uint64_t thr = hs_sample_threshold(SAMPLE_N);
	static uint64_t want[SAMPLE_PACKETS];
	size_t nwant = 0, i;
	struct hs_counters c;
	struct tpkt t;

	tpkt_init(&t);
	t.payload = payload;
	t.payload_len = sizeof(payload);
	for (i = 0; i < SAMPLE_PACKETS; i++) {
		struct hs_pkt pkt;
		__u64 fp;
		size_t len;

		t.ip_id = (uint16_t)(0x1000 + i);
		memcpy(payload, &i, sizeof(i)); /* sequence number */
		len = tpkt_build(&t, frame);
		cr_assert_eq(hs_frame_fingerprint(frame, (__u32)len, &pkt, &fp),
			     0);
		if (hs_pkt_sampled(&pkt, thr))
			want[nwant++] = fp;
		probe_run(p, hook, frame, len);
		if (i % 256 == 255)
			probe_drain(p);
	}
	probe_drain(p);
	/* sanity: 1 in 8 of 2000 is ~250; anything near is fine */
	cr_expect(nwant > SAMPLE_PACKETS / SAMPLE_N / 2 &&
			  nwant < SAMPLE_PACKETS / SAMPLE_N * 2,
		  "user space samples %zu of %d", nwant, SAMPLE_PACKETS);
	cr_assert_eq(p->nrec, nwant, "%s: %zu records, want %zu",
		     hook_name(hook), p->nrec, nwant);
	for (i = 0; i < nwant; i++)
		cr_assert_eq(p->recs[i].fingerprint, want[i],
			     "record %zu: %016llx, want %016llx", i,
			     (unsigned long long)p->recs[i].fingerprint,
			     (unsigned long long)want[i]);
	probe_counters(p, POINT, &c);
	cr_expect_eq(c.seen, SAMPLE_PACKETS);
	cr_expect_eq(c.sampled, nwant);
	cr_expect_eq(c.sampled_out + c.sampled, c.seen,
		     "sampled_out %llu + sampled %llu != seen %llu",
		     (unsigned long long)c.sampled_out,
		     (unsigned long long)c.sampled,
		     (unsigned long long)c.seen);
	cr_expect_eq(c.recorded, nwant);
	cr_expect_eq(c.parse_errors + c.filtered + c.ringbuf_drops, 0);
	probe_close(p);
}

/* The sampling decision is the same at every point: two probes with the
 * same rate keep the same packets. */
Test(sampling, same_decision_at_xdp_and_tc)
{
	FRAME_BUF(frame, TPKT_MAX);
	struct probe *a = probe_open(&(struct probe_opts){
		.point = 1, .sample = 4, .hooks = 1u << HOOK_XDP });
	struct probe *b = probe_open(&(struct probe_opts){
		.point = 2, .sample = 4, .hooks = 1u << HOOK_TC });
	struct tpkt t;
	size_t i;

	tpkt_init(&t);
	t.proto = 6;
	for (i = 0; i < 400; i++) {
		size_t len;

		t.tcp_seq = (uint32_t)(i * 1448);
		len = tpkt_build(&t, frame);
		probe_run(a, HOOK_XDP, frame, len);
		t.ttl = 63;
		len = tpkt_build(&t, frame);
		probe_run(b, HOOK_TC, frame, len);
		t.ttl = 64;
	}
	probe_drain(a);
	probe_drain(b);
	cr_assert_gt(a->nrec, 0);
	cr_assert_lt(a->nrec, 400);
	cr_assert_eq(a->nrec, b->nrec);
	for (i = 0; i < a->nrec; i++)
		cr_expect_eq(a->recs[i].fingerprint, b->recs[i].fingerprint);
	probe_close(a);
	probe_close(b);
}

/*
 * Either side of a NAT (addresses and ports rewritten), in a mix of
 * packets the headers decide (IPv4 with an id, TCP) and packets the NAT
 * key decides (IPv4 id 0, IPv6 UDP): the probe keeps the same packets on
 * both sides, and exactly those hs_pkt_sampled() keeps.
 */
HOOK_TESTS(sampling, same_decision_across_nat_as_user_space)
{
	FRAME_BUF(frame, TPKT_MAX);
	uint8_t payload[24] = { 0 };
	struct probe *in = probe_open(&(struct probe_opts){
		.point = 1, .sample = 5 });
	struct probe *out = probe_open(&(struct probe_opts){
		.point = 2, .sample = 5 });
	unsigned int i, n = 1200, want = 0, kinds[4] = { 0 };
	uint64_t thr = hs_sample_threshold(5);
	struct tpkt t;

	for (i = 0; i < n; i++) {
		struct hs_pkt pkt;
		int kind = i % 4;
		size_t len;
		__u64 fp;

		tpkt_init(&t);
		if (kind == 3)
			v6(&t, 17);
		t.proto = kind == 2 ? 6 : t.proto;
		t.ip_id = kind == 1 ? 0 : (uint16_t)(i + 1);
		t.tcp_seq = i * 1000;
		t.payload = payload;
		t.payload_len = sizeof(payload);
		memcpy(payload, &i, sizeof(i));
		len = tpkt_build(&t, frame);
		cr_assert_eq(hs_frame_fingerprint(frame, (__u32)len, &pkt, &fp),
			     0);
		if (hs_pkt_sampled(&pkt, thr)) {
			want++;
			kinds[kind]++;
		}
		probe_run(in, hook, frame, len);
		t.src = kind == 3 ? "2001:2:0:9::9" : "198.19.9.9";
		t.sport = 33333;
		probe_run(out, hook, frame, tpkt_build(&t, frame));
		if (i % 200 == 199) {
			probe_drain(in);
			probe_drain(out);
		}
	}
	probe_drain(in);
	probe_drain(out);
	for (i = 0; i < 4; i++)
		cr_expect_gt(kinds[i], 0, "kind %u never sampled", i);
	cr_assert_eq(in->nrec, want, "%s: %zu records, user space keeps %u",
		     hook_name(hook), in->nrec, want);
	cr_assert_eq(out->nrec, want, "%s: past the NAT %zu records, want %u",
		     hook_name(hook), out->nrec, want);
	for (i = 0; i < want; i++)
		cr_assert_eq(in->recs[i].nat_key, out->recs[i].nat_key,
			     "record %u: another packet past the NAT", i);
	probe_close(in);
	probe_close(out);
}

/*
 * docs/design.md: where no header field tells a flow's packets apart,
 * sampling is by the NAT key, payload included. Were the probe to sample
 * on the header hash only, a flow
 * whose headers do not change from packet to packet (IPv6 UDP: no IP id,
 * a per-flow flow label, a constant length) would get one decision for
 * every packet, and 1 in N would keep all of the flow or none of it. This
 * is exactly the traffic user/cmd/traffic.c sends over IPv6 (a sequence
 * number in the payload, nothing else changes).
 */
HOOK_TESTS(sampling, ipv6_udp_flow_is_sampled_one_in_n)
{
	FRAME_BUF(frame, TPKT_MAX);
	uint8_t payload[64] = { 0 };
	struct probe *p = probe_open(&(struct probe_opts){
		.point = POINT, .sample = SAMPLE_N });
	struct hs_counters c;
	struct tpkt t;
	uint64_t i;

	tpkt_init(&t);
	v6(&t, 17);
	t.payload = payload;
	t.payload_len = sizeof(payload);
	for (i = 0; i < SAMPLE_PACKETS; i++) {
		size_t len;

		memcpy(payload, &i, sizeof(i));
		len = tpkt_build(&t, frame);
		probe_run(p, hook, frame, len);
		if (i % 256 == 255)
			probe_drain(p);
	}
	probe_drain(p);
	probe_counters(p, POINT, &c);
	cr_expect_eq(c.sampled + c.sampled_out, SAMPLE_PACKETS);
	cr_expect(c.sampled > SAMPLE_PACKETS / SAMPLE_N / 2 &&
			  c.sampled < SAMPLE_PACKETS / SAMPLE_N * 2,
		  "%s: 1 in %d sampling kept %llu of %d packets of one "
		  "IPv6 UDP flow (the decision ignores the payload)",
		  hook_name(hook), SAMPLE_N, (unsigned long long)c.sampled,
		  SAMPLE_PACKETS);
	probe_close(p);
}

/* ----------------------------------------------------------------------
 * Filter
 */

HOOK_TESTS(filter, udp_and_port)
{
	FRAME_BUF(frame, TPKT_MAX);
	struct probe *p = probe_open(&(struct probe_opts){
		.point = POINT, .filter = "udp and port 2000" });
	struct hs_pkt pkt;
	__u64 fp_match, fp_src, fp;
	struct tpkt t;
	size_t len;

	tpkt_init(&t);
	t.proto = 6; /* TCP to port 2000 */
	probe_run(p, hook, frame, tpkt_build(&t, frame));
	tpkt_init(&t);
	t.dport = 3000; /* UDP 1000 -> 3000 */
	probe_run(p, hook, frame, tpkt_build(&t, frame));
	v6(&t, 6); /* IPv6 TCP 1000 -> 3000 */
	probe_run(p, hook, frame, tpkt_build(&t, frame));
	cr_expect_eq(probe_drain(p), 0, "%s: a filtered packet was recorded",
		     hook_name(hook));
	expect_counters(p, 3, 0, 3, 0, 0, 0, 0);

	tpkt_init(&t); /* UDP 1000 -> 2000 */
	len = tpkt_build(&t, frame);
	cr_assert_eq(hs_frame_fingerprint(frame, (__u32)len, &pkt, &fp_match),
		     0);
	probe_run(p, hook, frame, len);
	t.sport = 2000; /* the port matches either side */
	t.dport = 53;
	len = tpkt_build(&t, frame);
	cr_assert_eq(hs_frame_fingerprint(frame, (__u32)len, &pkt, &fp_src), 0);
	probe_run(p, hook, frame, len);
	tpkt_init(&t);
	v6(&t, 17); /* IPv6 UDP to 2000: no family in the filter */
	len = tpkt_build(&t, frame);
	cr_assert_eq(hs_frame_fingerprint(frame, (__u32)len, &pkt, &fp), 0);
	probe_run(p, hook, frame, len);
	cr_assert_eq(probe_drain(p), 3);
	cr_expect_eq(p->recs[0].fingerprint, fp_match);
	cr_expect_eq(p->recs[1].fingerprint, fp_src);
	cr_expect_eq(p->recs[2].fingerprint, fp);
	expect_counters(p, 6, 0, 3, 0, 3, 3, 0);
	probe_close(p);
}

HOOK_TESTS(filter, net_prefix)
{
	FRAME_BUF(frame, TPKT_MAX);
	struct probe *p = probe_open(&(struct probe_opts){
		.point = POINT, .filter = "net 198.18.1.0/24" });
	struct tpkt t;

	tpkt_init(&t);
	v6(&t, 17); /* IPv6: never in an IPv4 prefix */
	probe_run(p, hook, frame, tpkt_build(&t, frame));
	tpkt_init(&t);
	t.dst = "198.18.2.2"; /* neither side in the prefix */
	probe_run(p, hook, frame, tpkt_build(&t, frame));
	cr_expect_eq(probe_drain(p), 0);
	expect_counters(p, 2, 0, 2, 0, 0, 0, 0);

	tpkt_init(&t); /* destination 198.18.1.2 */
	probe_run(p, hook, frame, tpkt_build(&t, frame));
	t.src = "198.18.1.200"; /* source in the prefix */
	t.dst = "198.18.0.9";
	probe_run(p, hook, frame, tpkt_build(&t, frame));
	cr_expect_eq(probe_drain(p), 2);
	expect_counters(p, 4, 0, 2, 0, 2, 2, 0);
	probe_close(p);
}

HOOK_TESTS(filter, ipv6_net_and_icmp6)
{
	FRAME_BUF(frame, TPKT_MAX);
	struct probe *p = probe_open(&(struct probe_opts){
		.point = POINT, .filter = "icmp6 and net 2001:2:0:1::/64" });
	struct tpkt t;

	tpkt_init(&t);
	v6(&t, 17); /* UDP */
	probe_run(p, hook, frame, tpkt_build(&t, frame));
	tpkt_init(&t);
	t.proto = 1; /* IPv4 ICMP */
	probe_run(p, hook, frame, tpkt_build(&t, frame));
	v6(&t, 58);
	t.dst = "2001:2:0:2::2"; /* ICMPv6, neither address in the prefix */
	probe_run(p, hook, frame, tpkt_build(&t, frame));
	t.dst = "2001:2:0:1::99"; /* match */
	probe_run(p, hook, frame, tpkt_build(&t, frame));
	cr_expect_eq(probe_drain(p), 1);
	expect_counters(p, 4, 0, 3, 0, 1, 1, 0);
	probe_close(p);
}

/* The filter comes before sampling: filtered packets are not sampled_out. */
HOOK_TESTS(filter, before_sampling)
{
	FRAME_BUF(frame, TPKT_MAX);
	struct probe *p = probe_open(&(struct probe_opts){
		.point = POINT, .filter = "tcp", .sample = 4 });
	struct hs_counters c;
	struct tpkt t;
	int i;

	tpkt_init(&t);
	for (i = 0; i < 100; i++) {
		t.ip_id = (uint16_t)i;
		t.proto = i % 2 ? 6 : 17;
		probe_run(p, hook, frame, tpkt_build(&t, frame));
	}
	probe_drain(p);
	probe_counters(p, POINT, &c);
	cr_expect_eq(c.seen, 100);
	cr_expect_eq(c.filtered, 50);
	cr_expect_eq(c.sampled + c.sampled_out, 50);
	cr_expect_eq(c.recorded, p->nrec);
	cr_expect_eq(c.recorded, c.sampled);
	for (size_t j = 0; j < p->nrec; j++)
		cr_expect_eq(p->recs[j].proto, 6);
	probe_close(p);
}

/* ----------------------------------------------------------------------
 * Ring buffer
 */

HOOK_TESTS(ringbuf, full_counts_drops)
{
	FRAME_BUF(frame, TPKT_MAX);
	struct probe *p = probe_open(&(struct probe_opts){
		.point = POINT, .ringbuf_bytes = 4096 });
	/* 4096 bytes hold about 100 records of 32 + 8 bytes */
	const unsigned int n = 300;
	struct hs_counters c;
	struct tpkt t;
	unsigned int i;

	tpkt_init(&t);
	for (i = 0; i < n; i++) {
		t.ip_id = (uint16_t)i;
		probe_run(p, hook, frame, tpkt_build(&t, frame));
	}
	probe_counters(p, POINT, &c);
	cr_expect_eq(c.seen, n);
	cr_expect_eq(c.sampled, n);
	cr_expect_gt(c.ringbuf_drops, 0, "%s: no drops with a full ring",
		     hook_name(hook));
	cr_expect_eq(c.recorded + c.ringbuf_drops, c.sampled,
		     "recorded %llu + drops %llu != sampled %llu",
		     (unsigned long long)c.recorded,
		     (unsigned long long)c.ringbuf_drops,
		     (unsigned long long)c.sampled);
	cr_expect_leq(c.recorded * (sizeof(struct hs_record) + 8), 4096);
	/* what was counted as recorded is what the reader gets, in order */
	cr_expect_eq(probe_drain(p), c.recorded);
	for (i = 1; i < p->nrec; i++)
		cr_expect_geq(p->recs[i].ts_ns, p->recs[i - 1].ts_ns);

	/* once drained, the ring takes records again */
	probe_run(p, hook, frame, tpkt_build(&t, frame));
	cr_expect_eq(probe_drain(p), 1);
	expect_counters(p, n + 1, 0, 0, 0, n + 1, c.recorded + 1,
			c.ringbuf_drops);
	probe_close(p);
}

/* The probe looks at the ring's fill level once every this many records a
 * CPU makes (HS_WAKEUP_CHECK_EVERY in bpf/hopscope.bpf.c). */
#define WAKEUP_CHECK_EVERY 64

/* wakeup_bytes 0: records are submitted without waking the reader, who
 * drains on a timer; epoll never reports the ring readable. */
HOOK_TESTS(ringbuf, no_wakeup_by_default)
{
	FRAME_BUF(frame, TPKT_MAX);
	struct probe *p = probe_open(&(struct probe_opts){ .point = POINT });
	const int total = 2 * WAKEUP_CHECK_EVERY + 2;
	struct tpkt t;
	int i, n;

	pin_to_this_cpu();
	tpkt_init(&t);
	for (i = 0; i < total; i++) {
		t.ip_id = (uint16_t)i;
		probe_run(p, hook, frame, tpkt_build(&t, frame));
	}
	n = ring_buffer__poll(p->rb, 50);
	cr_expect_eq(n, 0, "%s: the reader was woken (%d)", hook_name(hook),
		     n);
	cr_expect_eq(probe_drain(p) + (size_t)(n > 0 ? n : 0), (size_t)total);
	probe_close(p);
}

/* wakeup_bytes W: the reader is woken by a submit that leaves more than W
 * bytes unread, looked at every WAKEUP_CHECK_EVERY records. */
HOOK_TESTS(ringbuf, wakeup_past_threshold)
{
	FRAME_BUF(frame, TPKT_MAX);
	const size_t slot = sizeof(struct hs_record) + 8; /* + ringbuf header */
	struct probe *p = probe_open(&(struct probe_opts){
		.point = POINT, .wakeup_bytes = 2 * slot + slot / 2 });
	struct tpkt t;
	int i, n;

	pin_to_this_cpu();
	tpkt_init(&t);
	for (i = 0; i < WAKEUP_CHECK_EVERY - 1; i++)
		probe_run(p, hook, frame, tpkt_build(&t, frame));
	n = ring_buffer__poll(p->rb, 50);
	cr_expect_eq(n, 0, "%s: woken before the check (%d)", hook_name(hook),
		     n);
	probe_run(p, hook, frame, tpkt_build(&t, frame));
	/* the wakeup comes from irq_work: give it a moment */
	n = ring_buffer__poll(p->rb, 500);
	cr_expect_eq(n, WAKEUP_CHECK_EVERY,
		     "%s: not woken past the threshold (%d)", hook_name(hook),
		     n);
	cr_expect_eq(p->nrec, WAKEUP_CHECK_EVERY);
	probe_close(p);
}

/* ----------------------------------------------------------------------
 * Verdict and packet integrity over a mix of everything (probe_run()
 * checks the verdict and compares data_out with data_in on every run).
 */
HOOK_TESTS(verdict, mixed_traffic_passes_unchanged)
{
	FRAME_BUF(frame, TPKT_MAX);
	struct probe *p = probe_open(&(struct probe_opts){
		.point = POINT, .sample = 2, .filter = "port 2000" });
	static const uint8_t protos[] = { 17, 6, 1 };
	struct hs_counters c;
	struct tpkt t;
	int i, n = 0;

	for (i = 0; i < 96; i++) {
		size_t len;

		tpkt_init(&t);
		t.proto = protos[i % 3];
		if (i % 2)
			v6(&t, t.proto == 1 ? 58 : t.proto);
		t.vlan_tags = i % 4 == 3 ? 2 : i % 4 == 2;
		t.ipv4_options = t.family == 4 && i % 5 == 0 ? 8 : 0;
		t.ipv6_ext_hdrs = t.family == 6 && i % 5 == 1 ? 2 : 0;
		t.ip_id = (uint16_t)i;
		t.tcp_seq = (uint32_t)i;
		t.dport = i % 7 ? 2000 : 9;
		t.bad_ip_csum = i % 11 == 0;
		len = tpkt_build(&t, frame);
		if (i % 13 == 0) /* some cut 4 bytes after the IP header */
			len = 14 + 4 * (size_t)t.vlan_tags + 4 +
			      (t.family == 4 ? 20 + (size_t)t.ipv4_options :
					       40 + 8 * (size_t)t.ipv6_ext_hdrs);
		probe_run(p, hook, frame, len);
		n++;
	}
	probe_drain(p);
	probe_counters(p, POINT, &c);
	cr_expect_eq(c.seen, n);
	cr_expect_eq(c.parse_errors + c.filtered + c.sampled_out + c.sampled,
		     c.seen, "a packet is in no counter or in two");
	cr_expect_eq(c.recorded + c.ringbuf_drops, c.sampled);
	cr_expect_eq(c.recorded, p->nrec);
	cr_expect_gt(c.parse_errors, 0);
	cr_expect_gt(c.filtered, 0);
	cr_expect_gt(c.recorded, 0);
	probe_close(p);
}
