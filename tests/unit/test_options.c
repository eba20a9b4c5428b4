// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * options.c: typed option tables (cmd/options.h) on a command made for
 * the test, with a row of every type, and hopscope's own commands
 * (cmd/cli.h): each type parsed, each range refused with its exact
 * message, --help listing every row, no option in two rows of a command.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include "core/exit.h"
#include "cmd/cli.h"
#include "cmd/measure.h"
#include "cmd/options.h"

/* --- a command with every type of row, in two sections --- */

struct words_cfg {
	bool flag;
	const char *str;
	struct hs_opt_list list, pair;
};

struct numbers_cfg {
	struct hs_seconds secs, span;
	uint32_t count, kib;
	int mode, two;
	const char *odd;
	int seen_arg;
	bool toggled;
};

static int parse_odd(const struct hs_opt *o, const char *val, void *field)
{
	if (strlen(val) % 2 == 0)
		return hs_opt_bad(o, val, "expected an odd length");
	*(const char **)field = val;
	return 0;
}

/* a custom flag: no value, and the row's arg */
static int parse_toggle(const struct hs_opt *o, const char *val, void *field)
{
	cr_assert_null(val);
	*(int *)field = o->arg;
	return 0;
}

static const char *const modes[] = { "one", "two", "three", NULL };
static const char *const two_names[] = { "left", "right", NULL };

static const struct hs_opt words_opts[] = {
	HS_OPT_DEF_FLAG(struct words_cfg, flag, "flag", "a flag",
			.short_name = 'f'),
	HS_OPT_DEF_STRING(struct words_cfg, str, "str", "TEXT", "a string"),
	HS_OPT_DEF_LIST(struct words_cfg, list, "list", "ITEM",
			"a list\nof three", 3, "too many items"),
	HS_OPT_DEF_PAIR(struct words_cfg, pair, "pair", "A B", "a pair", 2,
			"too many pairs", "a second word"),
	HS_OPT_DEF_END,
};

static const struct hs_opt numbers_opts[] = {
	HS_OPT_DEF_SECONDS(struct numbers_cfg, secs, "secs", "seconds"),
	HS_OPT_DEF_SECONDS_ABOVE_0(struct numbers_cfg, span, "span",
				   "seconds above 0",
				   "expected seconds above 0; 0 means nothing"),
	HS_OPT_DEF_UINT(struct numbers_cfg, count, "count", "N", "1 to 10", 1,
			10),
	HS_OPT_DEF_UINT(struct numbers_cfg, kib, "kib", "KIB", "power of two",
			4, 1024, .pow2 = true),
	HS_OPT_DEF_ENUM(struct numbers_cfg, mode, "mode", "MODE", "three names",
			modes),
	HS_OPT_DEF_ENUM(struct numbers_cfg, two, "side", "SIDE", "two names",
			two_names),
	HS_OPT_DEF_CUSTOM(struct numbers_cfg, odd, const char *, "odd", "TEXT",
			  "custom", parse_odd),
	HS_OPT_DEF_CUSTOM(struct numbers_cfg, seen_arg, int, "toggle", NULL,
			  "custom flag", parse_toggle, .arg = 42),
	HS_OPT_DEF_HELP("help", "this help", .short_name = 'h'),
	HS_OPT_DEF_END,
};

struct test_command {
	int before; /* so that no section is at offset 0 */
	struct words_cfg words;
	double between;
	struct numbers_cfg numbers;
};

static const struct hs_opt_section test_sections[] = {
	HS_OPT_SECTION(struct test_command, words, words),
	HS_OPT_SECTION(struct test_command, numbers, numbers),
	HS_OPT_SECTION_END,
};

static const struct test_command test_defaults = {
	.numbers = { .count = 7, .kib = 8, .mode = 2 },
};

static int run_nothing(void *cfg, int n, char **operands)
{
	(void)cfg;
	(void)n;
	(void)operands;
	return 0;
}

static const struct hs_command test_cmd = {
	.name = "t",
	.usage = "hopscope t [options]",
	.description = "A test.",
	.examples = "Example:\n  hopscope t --flag\n",
	.sections = test_sections,
	HS_CMD_CONFIG(struct test_command, test_defaults),
	.run = run_nothing,
};

static const struct hs_command test_operands_cmd = {
	.name = "t",
	.usage = "hopscope t FILE... [options]",
	.description = "A test.",
	.examples = "",
	.operands = true,
	.sections = test_sections,
	HS_CMD_CONFIG(struct test_command, test_defaults),
	.run = run_nothing,
};

/* --- parsing with stderr caught --- */

static char err[1024];
static int first_operand;
static char *argv_copy[4 * HS_MAX_POINTS];

/* Parse words (argv[0] is the command) into cfg, which gets the
 * command's defaults first; what went to stderr lands in err. */
static int parse_into(const struct hs_command *cmd, void *cfg, int argc,
		      const char *const *words, FILE *help)
{
	FILE *caught = tmpfile();
	int saved = dup(2), ret, i;
	size_t n;

	cr_assert(caught && saved >= 0);
	cr_assert_lt(argc, 4 * HS_MAX_POINTS);
	for (i = 0; i < argc; i++)
		argv_copy[i] = (char *)words[i];
	argv_copy[argc] = NULL;
	memcpy(cfg, cmd->defaults, cmd->cfg_size);
	fflush(stderr);
	dup2(fileno(caught), 2);
	ret = hs_opt_parse(cmd, cfg, argc, argv_copy, &first_operand,
			   help ? help : stdout);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(caught);
	n = fread(err, 1, sizeof(err) - 1, caught);
	err[n] = '\0';
	fclose(caught);
	return ret;
}

static struct test_command cfg;

#define PARSE(...)                                                      \
	parse_into(&test_cmd, &cfg,                                     \
		   (int)(sizeof((const char *[]){ "t", __VA_ARGS__ }) / \
			 sizeof(const char *)),                         \
		   (const char *[]){ "t", __VA_ARGS__ }, NULL)

/* The parse fails with exactly this line on stderr. */
#define BAD(line, ...)                                                 \
	do {                                                           \
		cr_assert_eq(PARSE(__VA_ARGS__), -EINVAL, "accepted"); \
		cr_assert_str_eq(err, "hopscope: " line "\n");         \
	} while (0)

#define OK(...)                                                          \
	do {                                                             \
		cr_assert_eq(PARSE(__VA_ARGS__), 0, "refused: %s", err); \
		cr_assert_str_eq(err, "");                               \
	} while (0)

Test(options, defaults_when_nothing_given)
{
	cr_assert_eq(parse_into(&test_cmd, &cfg, 1, (const char *[]){ "t" },
				NULL),
		     0);
	cr_assert_eq(cfg.numbers.count, 7);
	cr_assert_eq(cfg.numbers.kib, 8);
	cr_assert_eq(cfg.numbers.mode, 2);
	cr_assert_not(cfg.numbers.secs.given);
	cr_assert_not(cfg.words.flag);
	cr_assert_null(cfg.words.str);
	cr_assert_eq(cfg.words.list.n, 0);
	cr_assert_eq(first_operand, 1);
}

Test(options, every_type_lands_in_its_field)
{
	OK("--flag", "--str", "hello", "--list", "a", "--list", "b", "--pair",
	   "x", "y", "--secs", "2.5", "--count", "10", "--kib", "16", "--mode",
	   "one", "--side", "right", "--odd", "abc", "--toggle");
	cr_assert(cfg.words.flag);
	cr_assert_str_eq(cfg.words.str, "hello");
	cr_assert_eq(cfg.words.list.n, 2);
	cr_assert_str_eq(cfg.words.list.v[0], "a");
	cr_assert_str_eq(cfg.words.list.v[1], "b");
	cr_assert_eq(cfg.words.pair.n, 1);
	cr_assert_str_eq(cfg.words.pair.v[0], "x");
	cr_assert_str_eq(cfg.words.pair.v[1], "y");
	cr_assert_float_eq(cfg.numbers.secs.s, 2.5, 1e-12);
	cr_assert(cfg.numbers.secs.given);
	cr_assert_eq(cfg.numbers.count, 10);
	cr_assert_eq(cfg.numbers.kib, 16);
	cr_assert_eq(cfg.numbers.mode, 0);
	cr_assert_eq(cfg.numbers.two, 1);
	cr_assert_str_eq(cfg.numbers.odd, "abc");
	cr_assert_eq(cfg.numbers.seen_arg, 42);
	/* the sections' neighbours are untouched */
	cr_assert_eq(cfg.before, 0);
	cr_assert_eq(cfg.between, 0);
}

Test(options, short_names_and_the_last_value_wins)
{
	OK("-f", "--str", "a", "--str", "b", "--count", "3", "--count", "4");
	cr_assert(cfg.words.flag);
	cr_assert_str_eq(cfg.words.str, "b");
	cr_assert_eq(cfg.numbers.count, 4);
}

Test(options, seconds)
{
	OK("--secs", "0");
	cr_assert_float_eq(cfg.numbers.secs.s, 0, 1e-12);
	OK("--secs", "31536000");
	OK("--secs", "0.001");
	cr_assert_float_eq(cfg.numbers.secs.s, 0.001, 1e-12);
	OK("--secs", ".5");
	/* what strtod takes besides digits and a point */
	BAD("bad --secs '1e-3': expected seconds, 0 or more", "--secs", "1e-3");
	BAD("bad --secs '0x10': expected seconds, 0 or more", "--secs", "0x10");
	BAD("bad --secs '+5': expected seconds, 0 or more", "--secs", "+5");
	BAD("bad --secs ' 5': expected seconds, 0 or more", "--secs", " 5");
	BAD("bad --secs '1.2.3': expected seconds, 0 or more", "--secs",
	    "1.2.3");
	BAD("bad --secs 'abc': expected seconds, 0 or more", "--secs", "abc");
	BAD("bad --secs '-1': expected seconds, 0 or more", "--secs", "-1");
	BAD("bad --secs '31536001': expected seconds, 0 or more", "--secs",
	    "31536001");
	BAD("bad --secs '1e999': expected seconds, 0 or more", "--secs",
	    "1e999");
	BAD("bad --secs 'nan': expected seconds, 0 or more", "--secs", "nan");
	BAD("bad --secs 'inf': expected seconds, 0 or more", "--secs", "inf");
	BAD("bad --secs '': expected seconds, 0 or more", "--secs", "");
	BAD("bad --secs '2s': expected seconds, 0 or more", "--secs", "2s");
}

/* --duration 0 would read as "no time" or as "forever": refused. */
Test(options, seconds_above_zero)
{
	OK("--span", "0.5");
	cr_assert(cfg.numbers.span.given);
	BAD("bad --span '0': expected seconds above 0; 0 means nothing",
	    "--span", "0");
	BAD("bad --span '0.000': expected seconds above 0; 0 means nothing",
	    "--span", "0.000");
	BAD("bad --span '-1': expected seconds above 0", "--span", "-1");
}

Test(options, unsigned_range)
{
	OK("--count", "1");
	OK("--count", "10");
	BAD("bad --count '0': expected an integer from 1 to 10", "--count",
	    "0");
	BAD("bad --count '11': expected an integer from 1 to 10", "--count",
	    "11");
	BAD("bad --count '-3': expected an integer from 1 to 10", "--count",
	    "-3");
	BAD("bad --count '1.5': expected an integer from 1 to 10", "--count",
	    "1.5");
	BAD("bad --count '0x5': expected an integer from 1 to 10", "--count",
	    "0x5");
	BAD("bad --count '+5': expected an integer from 1 to 10", "--count",
	    "+5");
	BAD("bad --count ' 5': expected an integer from 1 to 10", "--count",
	    " 5");
	BAD("bad --count 'x': expected an integer from 1 to 10", "--count",
	    "x");
	BAD("bad --count '': expected an integer from 1 to 10", "--count", "");
	BAD("bad --count '99999999999999999999999': expected an integer from 1 to 10",
	    "--count", "99999999999999999999999");
}

Test(options, power_of_two)
{
	OK("--kib", "4");
	OK("--kib", "1024");
	cr_assert_eq(cfg.numbers.kib, 1024);
	BAD("bad --kib '12': expected a power of two", "--kib", "12");
	BAD("bad --kib '1000': expected a power of two", "--kib", "1000");
	/* out of range first, power of two after */
	BAD("bad --kib '3': expected an integer from 4 to 1024", "--kib", "3");
	BAD("bad --kib '2048': expected an integer from 4 to 1024", "--kib",
	    "2048");
}

Test(options, enum_names)
{
	OK("--mode", "three");
	cr_assert_eq(cfg.numbers.mode, 2);
	OK("--mode", "two");
	cr_assert_eq(cfg.numbers.mode, 1);
	BAD("bad --mode 'four': expected one, two or three", "--mode", "four");
	BAD("bad --mode 'ONE': expected one, two or three", "--mode", "ONE");
	BAD("bad --side 'up': expected left or right", "--side", "up");
}

Test(options, custom_parser)
{
	BAD("bad --odd 'ab': expected an odd length", "--odd", "ab");
	cr_assert_null(cfg.numbers.odd);
}

/* --netns '' or --write '' names nothing: said, not taken for a name. */
Test(options, empty_words_are_refused)
{
	BAD("bad --str '': empty", "--str", "");
	BAD("bad --list '': empty", "--list", "");
	BAD("bad --pair '': empty", "--pair", "", "b");
	BAD("bad --pair '': empty", "--pair", "a", "");
}

Test(options, pair_takes_the_next_word)
{
	OK("--pair", "a", "b", "--pair", "c", "d", "--flag");
	cr_assert_eq(cfg.words.pair.n, 2);
	cr_assert_str_eq(cfg.words.pair.v[2], "c");
	cr_assert_str_eq(cfg.words.pair.v[3], "d");
	cr_assert(cfg.words.flag);
	BAD("--pair 'a' needs a second word: --pair A B", "--pair", "a");
	BAD("--pair 'a' needs a second word: --pair A B", "--pair", "a",
	    "--flag");
	BAD("--pair 'a' needs a second word: --pair A B", "--pair", "a", "-f");
	/* the first word missing is getopt's to find */
	BAD("unknown or incomplete option '--pair' (see hopscope t --help)",
	    "--pair");
}

Test(options, repeat_limits)
{
	OK("--list", "a", "--list", "b", "--list", "c");
	cr_assert_eq(cfg.words.list.n, 3);
	BAD("bad --list 'd': too many items", "--list", "a", "--list", "b",
	    "--list", "c", "--list", "d");
	BAD("bad --pair 'e': too many pairs", "--pair", "a", "b", "--pair", "c",
	    "d", "--pair", "e", "f");
}

Test(options, unknown_options)
{
	BAD("unknown or incomplete option '--nope' (see hopscope t --help)",
	    "--nope");
	BAD("unknown or incomplete option '-x' (see hopscope t --help)", "-x");
	/* inside a cluster: the letter, there is no word of its own */
	BAD("unknown or incomplete option '-x' (see hopscope t --help)", "-fx");
	/* a value missing, or one given to a flag */
	BAD("unknown or incomplete option '--str' (see hopscope t --help)",
	    "--str");
	BAD("unknown or incomplete option '--toggle=1' (see hopscope t --help)",
	    "--toggle=1");
	BAD("unknown or incomplete option '-f' (see hopscope t --help)",
	    "--flag=1");
}

Test(options, prefixes_as_getopt_long_takes_them)
{
	OK("--cou", "5");
	cr_assert_eq(cfg.numbers.count, 5);
	/* --s: --str, --secs or --side */
	BAD("unknown or incomplete option '--s' (see hopscope t --help)", "--s",
	    "1");
}

Test(options, operands)
{
	BAD("unexpected argument 'file' (see hopscope t --help)", "--flag",
	    "file");
	/* the parse stops at the first word that is no option */
	BAD("unexpected argument 'file' (see hopscope t --help)", "file",
	    "--flag");
	cr_assert_eq(parse_into(&test_operands_cmd, &cfg, 6,
				(const char *[]){ "t", "a", "--flag", "b",
						  "--count", "2" },
				NULL),
		     0);
	cr_assert(cfg.words.flag);
	cr_assert_eq(cfg.numbers.count, 2);
	/* operands moved to the end, in their order */
	cr_assert_eq(first_operand, 4);
	cr_assert_str_eq(argv_copy[4], "a");
	cr_assert_str_eq(argv_copy[5], "b");
}

Test(options, help_is_printed_and_stops_the_parse)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	cr_assert_eq(parse_into(&test_cmd, &cfg, 4,
				(const char *[]){ "t", "--flag", "--help",
						  "--nope" },
				f),
		     HS_OPT_HELP_SHOWN);
	fclose(f);
	cr_assert_str_eq(err, "");
	cr_assert_str_eq(text, "Usage: hopscope t [options]\n\n"
			       "A test.\n\n"
			       "  --flag                   a flag\n"
			       "  --str TEXT               a string\n"
			       "  --list ITEM              a list\n"
			       "                           of three\n"
			       "  --pair A B               a pair\n"
			       "  --secs SEC               seconds\n"
			       "  --span SEC               seconds above 0\n"
			       "  --count N                1 to 10\n"
			       "  --kib KIB                power of two\n"
			       "  --mode MODE              three names\n"
			       "  --side SIDE              two names\n"
			       "  --odd TEXT               custom\n"
			       "  --toggle                 custom flag\n"
			       "  --help                   this help\n"
			       "\nExample:\n  hopscope t --flag\n");
	free(text);
	/* an error before --help is said, and no help */
	BAD("bad --count '0': expected an integer from 1 to 10", "--count", "0",
	    "-h");
}

/* --- hopscope's own commands --- */

static int n_commands(void)
{
	int n = 0;

	while (hs_commands[n].name)
		n++;
	return n;
}

Test(commands, the_six_commands_by_name)
{
	char names[96];

	cr_assert_eq(n_commands(), 6);
	cr_assert_str_eq(hs_cmd_find(hs_commands, "report")->name, "report");
	cr_assert_null(hs_cmd_find(hs_commands, "rep"));
	cr_assert_null(hs_cmd_find(hs_commands, ""));
	hs_cmd_names(names, sizeof(names), hs_commands);
	cr_assert_str_eq(names, "run, agent, demo, study, topo or report");
}

Test(commands, no_option_in_two_rows_of_a_command)
{
	const struct hs_opt_section *a, *b;
	const struct hs_opt *o, *p;
	int c;

	for (c = 0; hs_commands[c].name; c++)
		for (a = hs_commands[c].sections; a->opts; a++)
			for (o = a->opts; o->type != HS_OPT_END; o++)
				for (b = a; b->opts; b++)
					for (p = b == a ? o + 1 : b->opts;
					     p->type != HS_OPT_END; p++) {
						cr_assert_str_neq(
							o->name, p->name,
							"hopscope %s: --%s twice",
							hs_commands[c].name,
							o->name);
						cr_assert(
							!o->short_name ||
								o->short_name !=
									p->short_name,
							"hopscope %s: -%c twice",
							hs_commands[c].name,
							o->short_name);
					}
}

/* "  --NAME" lines of a command's --help: every row once, in order */
Test(commands, help_lists_every_option)
{
	const struct hs_opt_section *sec;
	const struct hs_opt *o;
	int c;

	for (c = 0; hs_commands[c].name; c++) {
		char *text = NULL, *block, *end, *p, want[64];
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);
		int rows = 0, listed = 0;

		hs_opt_usage(f, &hs_commands[c]);
		fclose(f);
		/* the options' block: after the description, before the
		 * examples (a description may name an option too) */
		block = strstr(text, hs_commands[c].description);
		cr_assert_not_null(block);
		block += strlen(hs_commands[c].description);
		end = strstr(block + 2, "\n\n");
		cr_assert_not_null(end);
		for (p = block; (p = strstr(p, "\n  --")) && p < end; p++)
			listed++;
		for (sec = hs_commands[c].sections; sec->opts; sec++)
			for (o = sec->opts; o->type != HS_OPT_END; o++) {
				snprintf(want, sizeof(want), "\n  --%s%s",
					 o->name, o->metavar ? " " : "");
				cr_assert_not_null(
					strstr(text, want),
					"hopscope %s --help lacks --%s",
					hs_commands[c].name, o->name);
				rows++;
			}
		free(text);
		cr_assert_eq(listed, rows, "hopscope %s: %d rows, %d listed",
			     hs_commands[c].name, rows, listed);
		cr_assert_gt(rows, 2);
	}
}

/* A real command's config, its defaults first. */
static void *real_cfg;

static int parse_real(const char *name, int argc, const char *const *words)
{
	const struct hs_command *cmd = hs_cmd_find(hs_commands, name);

	cr_assert_not_null(cmd);
	free(real_cfg);
	real_cfg = malloc(cmd->cfg_size);
	cr_assert_not_null(real_cfg);
	return parse_into(cmd, real_cfg, argc, words, NULL);
}

#define REAL(name, ...)                                                  \
	parse_real(name,                                                 \
		   (int)(sizeof((const char *[]){ name, __VA_ARGS__ }) / \
			 sizeof(const char *)),                          \
		   (const char *[]){ name, __VA_ARGS__ })

#define REAL_BAD(line, name, ...)                                           \
	do {                                                                \
		cr_assert_eq(REAL(name, __VA_ARGS__), -EINVAL, "accepted"); \
		cr_assert_str_eq(err, "hopscope: " line "\n");              \
	} while (0)

Test(commands, messages_of_the_real_tables)
{
	REAL_BAD("bad --ring-size '12': expected a power of two", "run",
		 "--ring-size", "12");
	REAL_BAD("bad --ring-size '3': expected an integer from 4 to 1048576",
		 "demo", "--ring-size", "3");
	REAL_BAD("bad --xdp-mode 'weird': expected auto, native or generic",
		 "run", "--xdp-mode", "weird");
	REAL_BAD("bad --clock 'utc': expected monotonic or tai", "demo",
		 "--clock", "utc");
	REAL_BAD("bad --wakeup 'often': expected quarter, timer or every",
		 "run", "--wakeup", "often");
	REAL_BAD("bad --window '10': expected an integer from 50 to 60000",
		 "run", "--window", "10");
	REAL_BAD("bad --sample '0': expected an integer from 1 to 1073741824",
		 "run", "--sample", "0");
	REAL_BAD("bad --warmup 'x': expected seconds, 0 or more", "report",
		 "--warmup", "x");
	REAL_BAD(
		"--between 'a' needs a second namespace: --between NETNS NETNS",
		"run", "--between", "a");
	REAL_BAD("bad --vnfs '9': expected an integer from 1 to 8", "demo",
		 "--vnfs", "9");
	REAL_BAD(
		"bad --chain 'veth,foo': expected veth, bridge, macvlan or ovs, comma-separated",
		"demo", "--chain", "veth,foo");
	REAL_BAD(
		"bad --chain 'veth,veth,veth,veth,veth,veth,veth,veth,veth,veth': at most 9 links",
		"demo", "--chain",
		"veth,veth,veth,veth,veth,veth,veth,veth,veth,veth");
	REAL_BAD("bad --metrics '99999': expected a port from 1 to 65535",
		 "run", "--metrics", "99999");
	REAL_BAD(
		"bad --rotate '10QB': unknown unit 'QB' (expected B, KiB, MiB, GiB or TiB)",
		"run", "--rotate", "10QB");
	REAL_BAD(
		"bad --rotate '1MiB,5y': unknown unit 'y' (expected s, m, h or d)",
		"demo", "--rotate", "1MiB,5y");
	REAL_BAD("bad --rotate '0,1h': must be more than 0", "run",
		 "--rotate", "0,1h");
	REAL_BAD("bad --keep 'lots': expected a number and a unit (B, KiB, MiB, GiB or TiB)",
		 "run", "--keep", "lots");
	REAL_BAD(
		"bad filter 'bogus' at 'bogus': expected udp, tcp, icmp, icmp6, ip, ip6, proto N, port N, net ADDR/LEN, host ADDR, joined by 'and'",
		"demo", "--filter", "bogus");
	/* the second format flag is refused at once, before what follows */
	REAL_BAD("--json and --dot exclude each other", "topo", "--dot",
		 "--json", "--bogus");
	REAL_BAD("--json and --dot exclude each other", "topo", "--json",
		 "--dot");
	REAL_BAD(
		"unknown or incomplete option '--fit' (see hopscope run --help)",
		"run", "--fit");
	REAL_BAD(
		"unknown or incomplete option '--point' (see hopscope report --help)",
		"report", "--point", "x");
	REAL_BAD("unexpected argument 'extra' (see hopscope topo --help)",
		 "topo", "extra");
	free(real_cfg);
	real_cfg = NULL;
}

Test(commands, too_many_points)
{
	const char *words[2 * HS_MAX_POINTS + 3] = { "run" };
	int i;

	for (i = 0; i <= HS_MAX_POINTS; i++) {
		words[1 + 2 * i] = "--point";
		words[2 + 2 * i] = "x";
	}
	cr_assert_eq(parse_real("run", 2 * HS_MAX_POINTS + 1, words), 0, "%s",
		     err);
	cr_assert_eq(parse_real("run", 2 * HS_MAX_POINTS + 3, words), -EINVAL);
	cr_assert_str_eq(err, "hopscope: bad --point 'x': too many points\n");
	free(real_cfg);
	real_cfg = NULL;
}

/* What the measuring options make of a live run by default, and of the
 * wake-up modes: as hopscope did before the tables. */
Test(commands, live_run_defaults)
{
	struct hs_capture_cfg capture = { .sample = 1 };
	struct hs_results_cfg results = {};
	struct hs_live_cfg live = HS_LIVE_DEFAULTS;
	struct hs_run_opts run = {};

	hs_measure_run_opts(&capture, &results, &live, &run);
	cr_assert_eq(run.probe.sample_one_in, 1);
	cr_assert_not(run.probe.filter_enabled);
	cr_assert_eq(run.probe.xdp_mode, HS_XDP_AUTO);
	cr_assert_eq(run.probe.ringbuf_bytes, HS_RINGBUF_DEFAULT_BYTES);
	cr_assert_eq(run.probe.wakeup_bytes, HS_RINGBUF_DEFAULT_BYTES / 4);
	cr_assert_eq(run.probe.wakeup_check_every, 0);
	cr_assert_not(run.probe.stamp_tai);
	cr_assert_eq(run.collect.session.window_ns, 100000000ULL);
	cr_assert_eq(run.collect.session.max_inflight, 262144);
	cr_assert_eq(run.collect.drain_ms, 20);
	cr_assert_eq(run.collect.clock, HS_CLOCK_MONOTONIC);
	cr_assert_str_eq(run.collect.info.filter, "");
	cr_assert(run.table);

	live.wakeup = HS_WAKEUP_TIMER;
	hs_measure_run_opts(&capture, &results, &live, &run);
	cr_assert_eq(run.probe.wakeup_bytes, 0);
	live.wakeup = HS_WAKEUP_EVERY;
	live.clock = HS_CLOCK_TAI;
	live.ring_kib = 4;
	hs_measure_run_opts(&capture, &results, &live, &run);
	cr_assert_eq(run.probe.wakeup_bytes, 1);
	cr_assert_eq(run.probe.wakeup_check_every, 1);
	cr_assert(run.probe.stamp_tai);
	cr_assert_eq(run.collect.clock, HS_CLOCK_TAI);
	cr_assert_eq(run.probe.ringbuf_bytes, 4096);
}

/* --rotate and --keep land in the live run's rotation policy; what is not
 * given stays 0 (the directory's defaults are the run's, run.c). */
Test(commands, rotate_and_keep)
{
	const char *words[] = { "run", "--rotate", "1KiB,2s", "--keep",
				"8KiB" };
	struct hs_capture_cfg capture = { .sample = 1 };
	struct hs_results_cfg results = {};
	struct hs_live_cfg live = HS_LIVE_DEFAULTS;
	struct hs_run_opts run = {};
	const struct hs_opt_section *sec;
	const struct hs_command *cmd = hs_cmd_find(hs_commands, "run");

	cr_assert_eq(parse_real("run", 5, words), 0, "%s", err);
	for (sec = cmd->sections; sec->opts; sec++)
		if (sec->opts == hs_live_opts)
			live = *(struct hs_live_cfg *)((char *)real_cfg +
						       sec->offset);
	free(real_cfg);
	real_cfg = NULL;
	hs_measure_run_opts(&capture, &results, &live, &run);
	cr_assert_eq(run.collect.rotate.max_bytes, 1024);
	cr_assert_eq(run.collect.rotate.max_age_ns, 2000000000ULL);
	cr_assert_eq(run.collect.rotate.keep_bytes, 8192);
	cr_assert(run.collect.rotate_given);

	live = (struct hs_live_cfg)HS_LIVE_DEFAULTS;
	hs_measure_run_opts(&capture, &results, &live, &run);
	cr_assert_eq(run.collect.rotate.max_bytes, 0);
	cr_assert_eq(run.collect.rotate.keep_bytes, 0);
	cr_assert_not(run.collect.rotate_given);
}

Test(commands, filter_compiled_and_kept_as_written)
{
	const struct hs_command *cmd = hs_cmd_find(hs_commands, "run");
	struct hs_results_cfg results = {};
	struct hs_live_cfg live = HS_LIVE_DEFAULTS;
	struct hs_capture_cfg *capture;
	struct hs_run_opts run = {};
	const struct hs_opt_section *sec;

	cr_assert_eq(REAL("run", "--filter", "udp and port 7777", "--warmup",
			  "1.5"),
		     0, "%s", err);
	/* the capture section, found by its rows */
	for (sec = cmd->sections; sec->opts != hs_capture_opts; sec++)
		cr_assert_not_null(sec->opts);
	capture = (struct hs_capture_cfg *)((char *)real_cfg + sec->offset);
	results.warmup.s = 1.5;
	hs_measure_run_opts(capture, &results, &live, &run);
	cr_assert(run.probe.filter_enabled);
	cr_assert_eq(run.probe.filter.proto, 17);
	cr_assert_eq(run.probe.filter.port, 7777);
	cr_assert_str_eq(run.collect.info.filter, "udp and port 7777");
	cr_assert_eq(run.collect.session.warmup_ns, 1500000000ULL);
	/* run prints a table every 5 s by default, the demo a summary only */
	cr_assert_float_eq(capture->interval.s, 5, 1e-12);
	cr_assert_float_eq(capture->duration.s, 0, 1e-12);
	free(real_cfg);
	real_cfg = NULL;
}
