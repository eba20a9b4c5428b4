/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * options.h - typed option tables: every command's options are rows that
 * say what an option takes, where its value goes and what range it must
 * be in; one parser (getopt_long), its error messages and --help are made
 * from the rows, so that no option is parsed, checked or described twice.
 *
 * A row belongs to a section, whose values live in one struct (struct
 * NAME_cfg for the rows NAME_opts). A command lists the sections it
 * takes, each at an offset into the command's own config struct: run and
 * demo list the same measuring sections, run, demo and report the same
 * output section, every command the common one. The macros check at
 * compile time that each value's field has the type its row writes.
 */
#ifndef HS_OPTIONS_H
#define HS_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "hopscope.h"

enum hs_opt_type {
	HS_OPT_END = 0, /* ends a section */
	HS_OPT_FLAG, /* bool, set to true */
	HS_OPT_STRING, /* const char *, the last one given */
	HS_OPT_LIST, /* struct hs_opt_list: repeatable, up to max */
	HS_OPT_PAIR, /* struct hs_opt_list: repeatable, two words each */
	HS_OPT_SECONDS, /* struct hs_seconds: 0 to HS_SECONDS_MAX */
	HS_OPT_UINT, /* uint32_t from min to max, a power of two if pow2 */
	HS_OPT_ENUM, /* int: the index of the word in names */
	HS_OPT_CUSTOM, /* parse() fills a field of the row's own type */
	HS_OPT_HELP, /* prints the command's --help; no field */
};

/* Room for the words of a list: a pair takes two. */
#define HS_OPT_LIST_WORDS (2 * HS_MAX_POINTS)

struct hs_opt_list {
	unsigned int n; /* values given; pairs count once */
	const char *v[HS_OPT_LIST_WORDS]; /* a pair's words at 2i, 2i + 1 */
};

struct hs_seconds {
	double s;
	bool given; /* on the command line, not the default */
};

struct hs_opt;
/* 0, or -EINVAL after one error line naming val. val is NULL for a row
 * without a metavar (a flag). */
typedef int (*hs_opt_parse_fn)(const struct hs_opt *o, const char *val,
			       void *field);

struct hs_opt {
	const char *name; /* --name */
	char short_name; /* -c as well, or 0 */
	enum hs_opt_type type;
	const char *metavar; /* what --help calls the value; NULL: none */
	const char *help; /* lines joined by '\n' */
	size_t offset; /* of the field in the section's struct */
	/* UINT: range; LIST, PAIR: most values; SECONDS: min 1, above 0 */
	unsigned long min, max;
	bool pow2; /* UINT */
	const char *const *names; /* ENUM: the words, NULL-terminated */
	/* LIST, PAIR: the error past max, "too many ..."; SECONDS with min:
	 * the error for 0 */
	const char *many;
	const char *second; /* PAIR: what the second word is */
	hs_opt_parse_fn parse; /* CUSTOM */
	int arg; /* CUSTOM: handed to parse in the row */
};

/* 0, or a compile error saying msg unless cond holds. */
#define HS_OPT_ASSERT(cond, msg)            \
	(0 * sizeof(struct {                \
		 _Static_assert(cond, msg); \
		 char c;                    \
	 }))

/*
 * offsetof(T, m), refused at compile time unless T.m has type ctype: a row
 * that writes a uint32_t cannot point at a double.
 */
#define HS_OPT_AT(T, m, ctype)                                               \
	(offsetof(T, m) +                                                    \
	 HS_OPT_ASSERT(__builtin_types_compatible_p(__typeof__(((T *)0)->m), \
						    ctype),                  \
		       "field " #m " of " #T " is not " #ctype))

#define HS_OPT_ROW(T, m, ctype, _type, _name, _metavar, _help, ...)            \
	{                                                                      \
		.name = (_name), .type = (_type), .metavar = (_metavar),       \
		.help = (_help), .offset = HS_OPT_AT(T, m, ctype), __VA_ARGS__ \
	}

#define HS_OPT_DEF_FLAG(T, m, name, help, ...) \
	HS_OPT_ROW(T, m, bool, HS_OPT_FLAG, name, NULL, help, __VA_ARGS__)
#define HS_OPT_DEF_STRING(T, m, name, metavar, help) \
	HS_OPT_ROW(T, m, const char *, HS_OPT_STRING, name, metavar, help)
#define HS_OPT_DEF_LIST(T, m, name, metavar, help, _max, _many)                \
	HS_OPT_ROW(T, m, struct hs_opt_list, HS_OPT_LIST, name, metavar, help, \
		   .max = (_max) + HS_OPT_ASSERT((_max) <= HS_OPT_LIST_WORDS,  \
						 "too many for a list"),       \
		   .many = (_many))
#define HS_OPT_DEF_PAIR(T, m, name, metavar, help, _max, _many, _second)       \
	HS_OPT_ROW(T, m, struct hs_opt_list, HS_OPT_PAIR, name, metavar, help, \
		   .max = (_max) +                                             \
			  HS_OPT_ASSERT(2 * (_max) <= HS_OPT_LIST_WORDS,       \
					"too many for a list of pairs"),       \
		   .many = (_many), .second = (_second))
#define HS_OPT_DEF_SECONDS(T, m, name, help, ...)                              \
	HS_OPT_ROW(T, m, struct hs_seconds, HS_OPT_SECONDS, name, "SEC", help, \
		   __VA_ARGS__)
/* Seconds above 0; why stands in for 0. */
#define HS_OPT_DEF_SECONDS_ABOVE_0(T, m, name, help, why) \
	HS_OPT_DEF_SECONDS(T, m, name, help, .min = 1, .many = (why))
#define HS_OPT_DEF_UINT(T, m, name, metavar, help, _min, _max, ...)  \
	HS_OPT_ROW(T, m, uint32_t, HS_OPT_UINT, name, metavar, help, \
		   .min = (_min), .max = (_max), __VA_ARGS__)
#define HS_OPT_DEF_ENUM(T, m, name, metavar, help, _names)      \
	HS_OPT_ROW(T, m, int, HS_OPT_ENUM, name, metavar, help, \
		   .names = (_names))
#define HS_OPT_DEF_CUSTOM(T, m, ctype, name, metavar, help, _parse, ...) \
	HS_OPT_ROW(T, m, ctype, HS_OPT_CUSTOM, name, metavar, help,      \
		   .parse = (_parse), __VA_ARGS__)
#define HS_OPT_DEF_HELP(_name, _help, ...)                             \
	{                                                              \
		.name = (_name), .type = HS_OPT_HELP, .help = (_help), \
		__VA_ARGS__                                            \
	}
#define HS_OPT_DEF_END             \
	{                          \
		.type = HS_OPT_END \
	}

/* A section as one command takes it: its rows, and where its struct is
 * in the command's config. */
struct hs_opt_section {
	const struct hs_opt *opts;
	size_t offset;
};

/* Section NAME (rows NAME_opts, values in struct NAME_cfg) at member m of
 * the command's config T. */
#define HS_OPT_SECTION(T, m, NAME)                           \
	{                                                    \
		.opts = NAME##_opts,                         \
		.offset = HS_OPT_AT(T, m, struct NAME##_cfg) \
	}
#define HS_OPT_SECTION_END   \
	{                    \
		.opts = NULL \
	}

/* A command's config struct T and its defaults dflt, of that type. */
#define HS_CMD_CONFIG(T, dflt)                                            \
	.cfg_size = sizeof(T),                                            \
	.defaults = &(dflt) + HS_OPT_ASSERT(__builtin_types_compatible_p( \
						    __typeof__(dflt), T), \
					    "the defaults are not a " #T)

struct hs_command {
	const char *name;
	const char *summary; /* its lines in hopscope --help */
	const char *usage; /* after "Usage: " */
	const char *description;
	const char *examples; /* after the options, with its heading */
	bool operands; /* takes words among its options (report's files) */
	const struct hs_opt_section *sections;
	size_t cfg_size;
	const void *defaults; /* cfg_size bytes */
	/* what the command does with its config; an enum hs_exit */
	int (*run)(void *cfg, int n_operands, char **operands);
};

/* The most options one command takes. */
#define HS_OPT_MAX_PER_COMMAND 64
/* hs_opt_parse's return when --help was given and printed. */
#define HS_OPT_HELP_SHOWN 1

/* "bad --NAME 'VAL': WANT" on stderr; returns -EINVAL. */
int hs_opt_bad(const struct hs_opt *o, const char *val, const char *want);

/*
 * Parse argv (argv[0] is the command's name) into cfg, which holds the
 * command's defaults already. 0, with the first operand's index in
 * *operand; HS_OPT_HELP_SHOWN after printing --help to help; or -EINVAL
 * after one error line on stderr.
 */
int hs_opt_parse(const struct hs_command *cmd, void *cfg, int argc, char **argv,
		 int *operand, FILE *help);
/* The command's --help. */
void hs_opt_usage(FILE *f, const struct hs_command *cmd);

/* The command called name in cmds (ended by a NULL name), or NULL. */
const struct hs_command *hs_cmd_find(const struct hs_command *cmds,
				     const char *name);
/* "  NAME      SUMMARY" for every command, as hopscope --help lists them. */
void hs_cmd_list(FILE *f, const struct hs_command *cmds);
/* "run, agent, demo, study, topo or report". */
void hs_cmd_names(char *buf, size_t len, const struct hs_command *cmds);
/* Parse argv into a fresh config of cmd and run it; an enum hs_exit. */
int hs_cmd_run(const struct hs_command *cmd, int argc, char **argv);

#endif /* HS_OPTIONS_H */
