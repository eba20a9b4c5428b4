// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "probe/filter.h"

#define MAX_TOKENS 32

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || *end || *out > max ? -1 : 0;
}

static void set_prefix(struct hs_filter *f, int family, const __u8 *addr,
		       unsigned int len)
{
	__u8 mask[16] = {};
	unsigned int i, bytes = family == 4 ? 4 : 16;

	for (i = 0; i < bytes; i++) {
		unsigned int bits = len > i * 8 ? len - i * 8 : 0;

		mask[i] = bits >= 8 ? 0xff : (__u8)(0xff << (8 - bits));
	}
	memset(f->addr, 0, sizeof(f->addr));
	memset(f->mask, 0, sizeof(f->mask));
	memcpy(f->mask, mask, bytes);
	for (i = 0; i < bytes; i++)
		((__u8 *)f->addr)[i] = addr[i] & mask[i];
	f->prefix_family = family;
	f->has_prefix = 1;
}

/* ADDR or ADDR/LEN; host_only forbids /LEN. */
static int parse_prefix(const char *s, int host_only, struct hs_filter *f)
{
	char buf[INET6_ADDRSTRLEN + 8];
	unsigned long len;
	__u8 addr[16];
	char *slash;
	int family;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		if (host_only)
			return -1;
		*slash++ = '\0';
	}
	if (inet_pton(AF_INET, buf, addr) == 1)
		family = 4;
	else if (inet_pton(AF_INET6, buf, addr) == 1)
		family = 6;
	else
		return -1;
	len = family == 4 ? 32 : 128;
	if (slash && parse_uint(slash, len, &len))
		return -1;
	set_prefix(f, family, addr, (unsigned int)len);
	return 0;
}

static int split(char *s, char **tok)
{
	int n = 0;
	char *save = NULL, *t;

	for (t = strtok_r(s, " \t", &save); t;
	     t = strtok_r(NULL, " \t", &save)) {
		if (n == MAX_TOKENS)
			return -1;
		tok[n++] = t;
	}
	return n;
}

static int set_proto(struct hs_filter *f, unsigned int proto, int family)
{
	if (f->proto && f->proto != proto)
		return -1;
	/* "ip6 and icmp" contradicts as much as "icmp and ip6" */
	if (family && f->family && f->family != family)
		return -1;
	f->proto = proto;
	if (family)
		f->family = family;
	return 0;
}

int hs_filter_parse(const char *expr, struct hs_filter *f, char *err,
		    size_t errlen)
{
	char *copy, *tok[MAX_TOKENS];
	unsigned long v;
	int n, i, ret = 0;

	memset(f, 0, sizeof(*f));
	copy = strdup(expr ? expr : "");
	if (!copy)
		return -ENOMEM;
	n = split(copy, tok);
	if (n <= 0) {
		snprintf(err, errlen, "bad filter '%s': %s", expr,
			 n ? "too many terms" : "empty expression");
		free(copy);
		return -EINVAL;
	}
	for (i = 0; i < n && !ret; i++) {
		const char *t = tok[i], *arg = i + 1 < n ? tok[i + 1] : NULL;
		int takes_arg = !strcmp(t, "proto") || !strcmp(t, "port") ||
				!strcmp(t, "net") || !strcmp(t, "host");

		if (!strcmp(t, "and")) {
			if (i == 0 || i == n - 1 || !strcmp(tok[i - 1], "and"))
				ret = -1;
		} else if (!strcmp(t, "udp")) {
			ret = set_proto(f, 17, 0);
		} else if (!strcmp(t, "tcp")) {
			ret = set_proto(f, 6, 0);
		} else if (!strcmp(t, "icmp")) {
			ret = set_proto(f, 1, 4);
		} else if (!strcmp(t, "icmp6")) {
			ret = set_proto(f, 58, 6);
		} else if (!strcmp(t, "ip") || !strcmp(t, "ip6")) {
			int fam = t[2] ? 6 : 4;

			if (f->family && f->family != fam)
				ret = -1;
			f->family = fam;
		} else if (!strcmp(t, "proto") && arg) {
			ret = parse_uint(arg, 255, &v) || !v ?
				      -1 :
				      set_proto(f, (unsigned int)v, 0);
			i++;
		} else if (!strcmp(t, "port") && arg) {
			ret = parse_uint(arg, 65535, &v) || !v || f->has_port ?
				      -1 :
				      0;
			f->port = (__u16)v;
			f->has_port = 1;
			i++;
		} else if ((!strcmp(t, "net") || !strcmp(t, "host")) && arg) {
			ret = f->has_prefix ? -1 :
					      parse_prefix(arg, t[0] == 'h', f);
			i++;
		} else {
			ret = -1;
		}
		if (ret) {
			snprintf(
				err, errlen,
				"bad filter '%s' at '%s%s%s': expected udp, tcp, icmp, icmp6, ip, ip6, "
				"proto N, port N, net ADDR/LEN, host ADDR, joined by 'and'",
				expr, t, takes_arg && arg ? " " : "",
				takes_arg && arg ? arg : "");
		}
	}
	/* "icmp and ip6" cannot match anything: say so now */
	if (!ret && f->has_prefix && f->family &&
	    f->family != f->prefix_family) {
		snprintf(
			err, errlen,
			"bad filter '%s': the address family contradicts the prefix",
			expr);
		ret = -1;
	}
	free(copy);
	return ret ? -EINVAL : 0;
}
