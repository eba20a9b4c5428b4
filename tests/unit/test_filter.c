// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * filter.c: the --filter language compiled into struct hs_filter, and
 * hs_filter_match() on parsed packets.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <criterion/criterion.h>
#include "probe/filter.h"
#include "hs_packet.h"
#include "packet.h"

static struct hs_filter f;
static char err[256];

static void parse_ok(const char *expr)
{
	err[0] = '\0';
	cr_assert_eq(hs_filter_parse(expr, &f, err, sizeof(err)), 0,
		     "'%s' refused: %s", expr, err);
}

/* The parse fails, and the message names the bad term. */
static void parse_bad(const char *expr, const char *names)
{
	err[0] = '\0';
	cr_assert_eq(hs_filter_parse(expr, &f, err, sizeof(err)), -EINVAL,
		     "'%s' accepted", expr);
	cr_assert_not_null(strstr(err, names), "'%s': message \"%s\" lacks '%s'",
			   expr, err, names);
	cr_assert_null(strchr(err, '\n'), "one line");
}

Test(filter, udp_port_net)
{
	parse_ok("udp and port 5201 and net 198.18.0.0/15");
	cr_assert_eq(f.proto, 17);
	cr_assert_eq(f.family, 0);
	cr_assert_eq(f.has_port, 1);
	cr_assert_eq(f.port, 5201);
	cr_assert_eq(f.has_prefix, 1);
	cr_assert_eq(f.prefix_family, 4);
	/* /15: 0xff, 0xfe, 0, 0 in network order; 198.18 = 0xc6 0x12 */
	cr_assert_eq(f.mask[0], htonl(0xfffe0000));
	cr_assert_eq(f.addr[0], htonl(0xc6120000));
	cr_assert_eq(f.mask[1] | f.mask[2] | f.mask[3], 0);
	cr_assert_eq(f.addr[1] | f.addr[2] | f.addr[3], 0);
}

Test(filter, net_address_is_masked)
{
	/* 198.19.77.5/15 is the same network as 198.18.0.0/15 */
	parse_ok("net 198.19.77.5/15");
	cr_assert_eq(f.addr[0], htonl(0xc6120000));
	parse_ok("net 198.18.1.130/25");
	cr_assert_eq(f.mask[0], htonl(0xffffff80));
	cr_assert_eq(f.addr[0], htonl(0xc6120180));
	/* /0 matches everything of the family */
	parse_ok("net 10.1.2.3/0");
	cr_assert_eq(f.mask[0], 0);
	cr_assert_eq(f.addr[0], 0);
}

Test(filter, host_and_ipv6)
{
	parse_ok("host 198.18.0.1");
	cr_assert_eq(f.mask[0], 0xffffffff);
	cr_assert_eq(f.addr[0], inet_addr("198.18.0.1"));
	cr_assert_eq(f.prefix_family, 4);

	parse_ok("ip6 and net 2001:2::/48");
	cr_assert_eq(f.family, 6);
	cr_assert_eq(f.prefix_family, 6);
	/* 48 bits: the first word whole, half the second */
	cr_assert_eq(f.mask[0], 0xffffffff);
	cr_assert_eq(f.mask[1], htonl(0xffff0000));
	cr_assert_eq(f.mask[2] | f.mask[3], 0);
	cr_assert_eq(f.addr[0], htonl(0x20010002));
	cr_assert_eq(f.addr[1], 0);

	parse_ok("host 2001:2::1");
	cr_assert_eq(f.mask[3], 0xffffffff);
	cr_assert_eq(f.addr[3], htonl(1));
}

Test(filter, protocols_and_families)
{
	parse_ok("tcp port 80"); /* "and" may be left out */
	cr_assert_eq(f.proto, 6);
	cr_assert_eq(f.port, 80);
	parse_ok("icmp");
	cr_assert_eq(f.proto, 1);
	cr_assert_eq(f.family, 4);
	parse_ok("icmp6");
	cr_assert_eq(f.proto, 58);
	cr_assert_eq(f.family, 6);
	parse_ok("proto 47");
	cr_assert_eq(f.proto, 47);
	parse_ok("ip");
	cr_assert_eq(f.family, 4);
	cr_assert_eq(f.proto, 0);
	parse_ok("  udp \t and   ip6 ");
	cr_assert_eq(f.proto, 17);
	cr_assert_eq(f.family, 6);
	/* saying the same thing twice is not a contradiction */
	parse_ok("udp and proto 17");
	cr_assert_eq(f.proto, 17);
}

Test(filter, parse_clears_previous)
{
	parse_ok("udp and port 1");
	parse_ok("ip6");
	cr_assert_eq(f.proto, 0);
	cr_assert_eq(f.has_port, 0);
}

Test(filter, bad_expressions_name_the_term)
{
	parse_bad("port 70000", "port 70000");
	parse_bad("net 300.1.1.1/8", "300.1.1.1/8");
	parse_bad("bogus", "'bogus'");
	parse_bad("udp and", "'and'");
	parse_bad("and udp", "'and'");
	parse_bad("udp and and tcp", "'and'");
	parse_bad("udp tcp", "'tcp'");
	parse_bad("", "empty");
	parse_bad("   ", "empty");
	parse_bad("port", "'port'");
	parse_bad("port 0", "port 0");
	parse_bad("port -1", "port -1");
	parse_bad("port 80x", "port 80x");
	parse_bad("port 1 and port 2", "port 2");
	parse_bad("proto 256", "proto 256");
	parse_bad("net 198.18.0.0/33", "198.18.0.0/33");
	parse_bad("net 198.18.0.0/", "198.18.0.0/");
	parse_bad("net 2001:2::/129", "2001:2::/129");
	parse_bad("host 198.18.0.1/32", "host 198.18.0.1/32");
	parse_bad("net 1.2.3.0/24 and net 1.2.4.0/24", "1.2.4.0/24");
	parse_bad("ip and ip6", "'ip6'");
	parse_bad("icmp and ip6", "'ip6'");
	parse_bad("ip6 and net 198.18.0.0/15", "family");
}

Test(filter, long_expression_refused)
{
	char expr[512] = "";
	int i;

	/* 40 terms: more than the parser holds, refused, not truncated */
	for (i = 0; i < 20; i++)
		strcat(expr, "udp and ");
	strcat(expr, "udp");
	parse_bad(expr, "too many");
}

/*
 * Regression: "icmp and ip6" was refused but "ip6 and icmp" silently
 * became IPv4 ICMP (set_proto() overwrote a family set by "ip6").
 */
Test(filter, family_contradiction_in_either_order)
{
	parse_bad("ip6 and icmp", "'icmp'");
	parse_bad("ip and icmp6", "'icmp6'");
}

/* ---- hs_filter_match on parsed packets ---- */

static struct hs_pkt pkt_of(const struct tpkt *p)
{
	static uint8_t frame[TPKT_MAX];
	struct hs_pkt pkt;
	__u64 fp;
	size_t len = tpkt_build(p, frame);

	cr_assert_eq(hs_frame_fingerprint(frame, (uint32_t)len, &pkt, &fp),
		     HS_PARSE_OK);
	return pkt;
}

static int matches(const struct tpkt *p)
{
	struct hs_pkt pkt = pkt_of(p);

	return hs_filter_match(&pkt, &f);
}

Test(filter, match_packets)
{
	struct tpkt p;

	/* default packet: UDP 198.18.0.1:1000 -> 198.18.1.2:2000 */
	parse_ok("udp and port 2000 and net 198.18.1.0/24");
	tpkt_init(&p);
	cr_assert(matches(&p), "destination port and address match");
	p.proto = 6;
	cr_assert_not(matches(&p), "TCP");
	tpkt_init(&p);
	p.dport = 2001;
	cr_assert_not(matches(&p), "no port 2000 either way");
	p.sport = 2000;
	cr_assert(matches(&p), "the port may be the source port");
	tpkt_init(&p);
	p.dst = "198.20.1.2";
	cr_assert_not(matches(&p), "neither address in 198.18.1.0/24");
	p.src = "198.18.1.200";
	cr_assert(matches(&p), "the source address may match");
	tpkt_init(&p);
	p.family = 6;
	p.src = "2001:2::1";
	p.dst = "2001:2::2";
	cr_assert_not(matches(&p), "an IPv4 prefix never matches IPv6");
}

Test(filter, match_families)
{
	struct tpkt p4, p6;

	tpkt_init(&p4);
	tpkt_init(&p6);
	p6.family = 6;
	p6.src = "2001:2::1";
	p6.dst = "2001:2:0:1::2";

	parse_ok("ip6");
	cr_assert_not(matches(&p4));
	cr_assert(matches(&p6));
	parse_ok("net 2001:2::/48 and udp");
	cr_assert(matches(&p6));
	p6.dst = "2001:3::2";
	cr_assert(matches(&p6), "source still in 2001:2::/48");
	p6.src = "2001:3::1";
	cr_assert_not(matches(&p6));
	/* an empty filter (all zero) passes everything */
	memset(&f, 0, sizeof(f));
	cr_assert(matches(&p4));
	cr_assert(matches(&p6));
}

Test(filter, match_icmp)
{
	struct tpkt p;

	parse_ok("icmp");
	tpkt_init(&p);
	cr_assert_not(matches(&p));
	p.proto = 1;
	cr_assert(matches(&p));
}
