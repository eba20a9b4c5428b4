// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * VXLAN and Geneve through the probe at XDP and tc, over IPv4 and IPv6
 * underlays: the record carries the inner packet's fingerprint (what the
 * container's packet has before the tunnel), its flow hash, length and
 * protocol, the VNI, and HS_REC_ENCAP. This kernel has no Geneve device:
 * these frames are how Geneve is tested.
 */
#include <criterion/criterion.h>
#include <string.h>
#include "hopscope.h"
#include "hs_packet.h"
#include "packet.h"
#include "probe.h"

#define POINT 5

/* dport 4789: VXLAN, VNI 42; 6081: Geneve with opt_words of options */
static void tunnel_through(enum probe_hook hook, uint16_t dport,
			   uint8_t opt_words, int outer_family,
			   int inner_family)
{
	static uint8_t inner[TPKT_MAX], payload[8 + 252 + TPKT_MAX];
	FRAME_BUF(frame, TPKT_MAX + 400);
	struct probe *p = probe_open(&(struct probe_opts){ .point = POINT });
	struct tpkt in, out;
	struct hs_record *r;
	struct hs_pkt pkt;
	size_t in_len, len;
	__u64 want;

	tpkt_init(&in);
	in.family = inner_family;
	in.src = inner_family == 4 ? "198.18.10.1" : "2001:2::a:1";
	in.dst = inner_family == 4 ? "198.18.10.2" : "2001:2::a:2";
	in.flow_label = 0x777;
	in_len = tpkt_build(&in, inner);
	cr_assert_eq(hs_frame_fingerprint(inner, (__u32)in_len, &pkt, &want),
		     HS_PARSE_OK);
	tpkt_init(&out);
	out.family = outer_family;
	out.src = outer_family == 4 ? "198.18.0.1" : "2001:2::1";
	out.dst = outer_family == 4 ? "198.18.1.1" : "2001:2::2";
	out.ip_id = 0;
	out.sport = 51000;
	out.dport = dport;
	out.payload = payload;
	out.payload_len = tpkt_tunnel_payload(payload, dport, opt_words, 42,
					      inner, in_len);
	len = tpkt_build(&out, frame);

	probe_run(p, hook, frame, len);
	cr_assert_eq(probe_drain(p), 1);
	r = &p->recs[0];
	cr_expect_eq(r->fingerprint, want,
		     "%s, port %u, IPv%d in IPv%d: %016llx, want %016llx",
		     hook_name(hook), dport, inner_family, outer_family,
		     (unsigned long long)r->fingerprint,
		     (unsigned long long)want);
	cr_expect_eq(r->flow_hash, hs_flow_hash(&pkt));
	cr_expect_eq(r->ip_len, in_len - 14 - (inner_family == 4 ? 20 : 40));
	cr_expect_eq(r->proto, 17);
	cr_expect_eq(r->flags,
		     HS_REC_ENCAP | (inner_family == 6 ? HS_REC_IPV6 : 0),
		     "flags %#x", r->flags);
	cr_expect_eq(r->vni, 42);
	probe_close(p);
}

HOOK_TESTS(tunnel, vxlan_records_the_inner_packet)
{
	tunnel_through(hook, 4789, 0, 4, 4);
	tunnel_through(hook, 4789, 0, 6, 4);
	tunnel_through(hook, 4789, 0, 4, 6);
	tunnel_through(hook, 4789, 0, 6, 6);
}

HOOK_TESTS(tunnel, geneve_records_the_inner_packet)
{
	tunnel_through(hook, 6081, 0, 4, 4);
	tunnel_through(hook, 6081, 2, 6, 4);
	tunnel_through(hook, 6081, 63, 4, 6);
	tunnel_through(hook, 6081, 5, 6, 6);
}

/*
 * Linux's own VXLAN port, 8472 (Flannel's): the outer packet while the
 * probe takes only 4789, the inner one as soon as the loader adds the
 * port (what it does for a vxlan device it attaches to, or --vxlan-port),
 * in the running program, without a reload.
 */
HOOK_TESTS(tunnel, a_vxlan_port_added_at_run_time)
{
	static uint8_t inner[TPKT_MAX], payload[8 + TPKT_MAX];
	FRAME_BUF(frame, TPKT_MAX + 100);
	struct probe *p = probe_open(&(struct probe_opts){ .point = POINT });
	struct tpkt in, out;
	struct hs_pkt pkt;
	size_t in_len, len;
	__u64 inner_fp, outer_fp;

	tpkt_init(&in);
	in_len = tpkt_build(&in, inner);
	cr_assert_eq(hs_frame_fingerprint(inner, (__u32)in_len, &pkt,
					  &inner_fp),
		     HS_PARSE_OK);
	tpkt_init(&out);
	out.dport = 8472;
	out.payload = payload;
	out.payload_len = tpkt_tunnel_payload(payload, 4789, 0, 7, inner,
					      in_len);
	len = tpkt_build(&out, frame);
	cr_assert_eq(hs_frame_fingerprint(frame, (__u32)len, &pkt, &outer_fp),
		     HS_PARSE_OK);
	cr_assert_not(pkt.encap, "8472 is no VXLAN port by default");

	probe_run(p, hook, frame, len);
	hs_vxlan_port_set(p->skel->data->vxlan_ports, 8472);
	probe_run(p, hook, frame, len);
	cr_assert_eq(probe_drain(p), 2);
	cr_expect_eq(p->recs[0].fingerprint, outer_fp);
	cr_expect_eq(p->recs[0].flags & HS_REC_ENCAP, 0);
	cr_expect_eq(p->recs[1].fingerprint, inner_fp);
	cr_expect_eq(p->recs[1].flags & HS_REC_ENCAP, HS_REC_ENCAP);
	cr_expect_eq(p->recs[1].vni, 7);
	probe_close(p);
}
