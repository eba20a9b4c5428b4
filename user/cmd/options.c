// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * options.c - the parser, its checks and --help, made from option tables
 * (options.h).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/exit.h"
#include "core/log.h"
#include "analysis/session.h"
#include "cmd/options.h"

/* getopt_long's value of a long-only option: past every short one. */
#define LONG_ONLY 256

/* A row as one command takes it: where its section's struct is. */
struct slot {
	const struct hs_opt *o;
	size_t base;
};

/* Every row of cmd, in the order --help lists them; -E2BIG if they do
 * not fit (a table too big for HS_OPT_MAX_PER_COMMAND). */
static int slots_of(const struct hs_command *cmd, struct slot *s,
		    unsigned int *n)
{
	const struct hs_opt_section *sec;
	const struct hs_opt *o;

	*n = 0;
	for (sec = cmd->sections; sec->opts; sec++)
		for (o = sec->opts; o->type != HS_OPT_END; o++) {
			if (*n == HS_OPT_MAX_PER_COMMAND) {
				pr_err("hopscope %s has more than %d options",
				       cmd->name, HS_OPT_MAX_PER_COMMAND);
				return -E2BIG;
			}
			s[(*n)++] = (struct slot){ o, sec->offset };
		}
	return 0;
}

static void *field_of(void *cfg, const struct slot *s)
{
	return (char *)cfg + s->base + s->o->offset;
}

/* "a, b or c" */
static void join_or(char *buf, size_t len, const char *const *words,
		    unsigned int n)
{
	size_t used = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 !i	   ? "" :
					 i + 1 < n ? ", " :
						     " or ",
					 words[i]);
}

int hs_opt_bad(const struct hs_opt *o, const char *val, const char *want)
{
	pr_err("bad --%s '%s': %s", o->name, val, want);
	return -EINVAL;
}

/* Digits with at most one point among them: what strtod takes beyond
 * that (hex, exponents, "inf", leading space or sign) is no way to write
 * seconds or a count on a command line, and would pass unnoticed. */
static bool plain_decimal(const char *val, bool point_allowed)
{
	bool digit = false, point = false;

	for (; *val; val++) {
		if (*val >= '0' && *val <= '9')
			digit = true;
		else if (*val == '.' && point_allowed && !point)
			point = true;
		else
			return false;
	}
	return digit;
}

static int set_seconds(const struct hs_opt *o, const char *val,
		       struct hs_seconds *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(val, &end);
	if (!plain_decimal(val, true) || errno || end == val || *end ||
	    !isfinite(v) || v < 0 || v > HS_SECONDS_MAX)
		return hs_opt_bad(o, val,
				  o->min ? "expected seconds above 0" :
					   "expected seconds, 0 or more");
	/* a row with min: 0 would mean nothing, or forever */
	if (o->min && v == 0)
		return hs_opt_bad(o, val, o->many);
	out->s = v;
	out->given = true;
	return 0;
}

static int set_uint(const struct hs_opt *o, const char *val, uint32_t *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(val, &end, 10);
	if (!plain_decimal(val, false) || errno || end == val || *end ||
	    v < o->min || v > o->max) {
		char want[96];

		snprintf(want, sizeof(want),
			 "expected an integer from %lu to %lu", o->min, o->max);
		return hs_opt_bad(o, val, want);
	}
	if (o->pow2 && (v & (v - 1)))
		return hs_opt_bad(o, val, "expected a power of two");
	*out = (uint32_t)v;
	return 0;
}

static int set_enum(const struct hs_opt *o, const char *val, int *out)
{
	char want[128] = "expected ";
	unsigned int n;

	for (n = 0; o->names[n]; n++)
		if (!strcmp(val, o->names[n])) {
			*out = (int)n;
			return 0;
		}
	join_or(want + strlen(want), sizeof(want) - strlen(want), o->names, n);
	return hs_opt_bad(o, val, want);
}

static int add_to_list(const struct hs_opt *o, const char *val,
		       struct hs_opt_list *l)
{
	if (!*val)
		return hs_opt_bad(o, val, "empty");
	if (l->n == o->max)
		return hs_opt_bad(o, val, o->many);
	l->v[l->n++] = val;
	return 0;
}

/* The pair's second word is the next one on the command line. */
static int add_pair(const struct hs_opt *o, const char *val,
		    struct hs_opt_list *l, int argc, char **argv)
{
	if (optind >= argc || argv[optind][0] == '-') {
		pr_err("--%s '%s' needs %s: --%s %s", o->name, val, o->second,
		       o->name, o->metavar);
		return -EINVAL;
	}
	if (!*val || !*argv[optind])
		return hs_opt_bad(o, *val ? argv[optind] : val, "empty");
	if (l->n == o->max)
		return hs_opt_bad(o, val, o->many);
	l->v[2 * l->n] = val;
	l->v[2 * l->n + 1] = argv[optind++];
	l->n++;
	return 0;
}

static int set_value(const struct slot *s, void *cfg, const char *val, int argc,
		     char **argv)
{
	const struct hs_opt *o = s->o;
	void *f = field_of(cfg, s);

	switch (o->type) {
	case HS_OPT_FLAG:
		*(bool *)f = true;
		return 0;
	case HS_OPT_STRING:
		if (!*val)
			return hs_opt_bad(o, val, "empty");
		*(const char **)f = val;
		return 0;
	case HS_OPT_LIST:
		return add_to_list(o, val, f);
	case HS_OPT_PAIR:
		return add_pair(o, val, f, argc, argv);
	case HS_OPT_SECONDS:
		return set_seconds(o, val, f);
	case HS_OPT_UINT:
		return set_uint(o, val, f);
	case HS_OPT_ENUM:
		return set_enum(o, val, f);
	case HS_OPT_CUSTOM:
		return o->parse(o, val, f);
	case HS_OPT_HELP:
	case HS_OPT_END:
		break;
	}
	return -EINVAL;
}

static int getopt_val(const struct slot *s, unsigned int i)
{
	return s[i].o->short_name ? s[i].o->short_name : LONG_ONLY + (int)i;
}

/* getopt_long's tables: "+" first unless operands may come among the
 * options (getopt then moves them to the end). */
static void getopt_tables(const struct hs_command *cmd, const struct slot *s,
			  unsigned int n, struct option *longopts, char *shorts)
{
	unsigned int i;
	char *p = shorts;

	if (!cmd->operands)
		*p++ = '+';
	for (i = 0; i < n; i++) {
		const struct hs_opt *o = s[i].o;

		longopts[i] = (struct option){ o->name,
					       o->metavar ? required_argument :
							    no_argument,
					       NULL, getopt_val(s, i) };
		if (o->short_name) {
			*p++ = o->short_name;
			if (o->metavar)
				*p++ = ':';
		}
	}
	longopts[n] = (struct option){ 0 };
	*p = '\0';
}

static int slot_of(const struct slot *s, unsigned int n, int val)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (getopt_val(s, i) == val)
			return (int)i;
	return -1;
}

static int unknown_option(char **argv)
{
	/* a short option inside a cluster has no argv word */
	if (optopt && optopt < LONG_ONLY)
		pr_err("unknown or incomplete option '-%c' (see hopscope %s --help)",
		       optopt, argv[0]);
	else
		pr_err("unknown or incomplete option '%s' (see hopscope %s --help)",
		       argv[optind - 1], argv[0]);
	return -EINVAL;
}

int hs_opt_parse(const struct hs_command *cmd, void *cfg, int argc, char **argv,
		 int *operand, FILE *help)
{
	struct slot s[HS_OPT_MAX_PER_COMMAND];
	struct option longopts[HS_OPT_MAX_PER_COMMAND + 1];
	char shorts[2 * HS_OPT_MAX_PER_COMMAND + 2];
	unsigned int n;
	int val, i;

	if (slots_of(cmd, s, &n))
		return -EINVAL;
	getopt_tables(cmd, s, n, longopts, shorts);
	opterr = 0;
	optind = 0; /* 0, not 1: glibc forgets a half-read cluster */
	while ((val = getopt_long(argc, argv, shorts, longopts, NULL)) != -1) {
		i = val == '?' ? -1 : slot_of(s, n, val);
		if (i < 0)
			return unknown_option(argv);
		if (s[i].o->type == HS_OPT_HELP) {
			hs_opt_usage(help, cmd);
			return HS_OPT_HELP_SHOWN;
		}
		if (set_value(&s[i], cfg, optarg, argc, argv))
			return -EINVAL;
	}
	if (!cmd->operands && optind < argc) {
		pr_err("unexpected argument '%s' (see hopscope %s --help)",
		       argv[optind], argv[0]);
		return -EINVAL;
	}
	*operand = optind;
	return 0;
}

/* "  LEFT    first line" and the others under it, at column indent. */
static void print_indented(FILE *f, int width, const char *left,
			   const char *text)
{
	fprintf(f, "  %-*s ", width, left);
	for (; *text; text++) {
		fputc(*text, f);
		if (*text == '\n')
			fprintf(f, "  %-*s ", width, "");
	}
	fputc('\n', f);
}

void hs_opt_usage(FILE *f, const struct hs_command *cmd)
{
	const struct hs_opt_section *sec;
	const struct hs_opt *o;

	fprintf(f, "Usage: %s\n\n%s\n\n", cmd->usage, cmd->description);
	for (sec = cmd->sections; sec->opts; sec++)
		for (o = sec->opts; o->type != HS_OPT_END; o++) {
			char left[48];

			snprintf(left, sizeof(left), "--%s%s%s", o->name,
				 o->metavar ? " " : "",
				 o->metavar ? o->metavar : "");
			print_indented(f, 24, left, o->help);
		}
	fprintf(f, "\n%s", cmd->examples);
}

const struct hs_command *hs_cmd_find(const struct hs_command *cmds,
				     const char *name)
{
	for (; cmds->name; cmds++)
		if (!strcmp(cmds->name, name))
			return cmds;
	return NULL;
}

void hs_cmd_list(FILE *f, const struct hs_command *cmds)
{
	for (; cmds->name; cmds++)
		print_indented(f, 9, cmds->name, cmds->summary);
}

void hs_cmd_names(char *buf, size_t len, const struct hs_command *cmds)
{
	const char *names[16];
	unsigned int n = 0;

	for (; cmds->name && n < 16; cmds++)
		names[n++] = cmds->name;
	join_or(buf, len, names, n);
}

int hs_cmd_run(const struct hs_command *cmd, int argc, char **argv)
{
	void *cfg = malloc(cmd->cfg_size);
	int operand, ret;

	if (!cfg) {
		pr_err("out of memory");
		return HS_EXIT_FAILURE;
	}
	memcpy(cfg, cmd->defaults, cmd->cfg_size);
	ret = hs_opt_parse(cmd, cfg, argc, argv, &operand, stdout);
	if (ret == HS_OPT_HELP_SHOWN)
		ret = HS_EXIT_OK;
	else if (ret)
		ret = HS_EXIT_USAGE;
	else
		ret = cmd->run(cfg, argc - operand, argv + operand);
	free(cfg);
	return ret;
}
