/* SPDX-License-Identifier: Apache-2.0 */
/*
 * inspect.c: `tinyaot inspect MODEL [--json]`: per operator its shapes, dtypes, MACs and
 * parameter bytes; totals: ops, MACs, weights and arena bytes (the report: ta_report_inspect).
 */
#include <stdio.h>
#include <string.h>

#include "ta_cli.h"

int ta_cmd_inspect(int argc, char **argv) {
  ta_args a;
  ta_args_init(&a, argc, argv, "inspect");
  const char *model = NULL, *svg = NULL, *target = "host";
  bool json = false, show_plan = false, code_size = false;
  ta_compile_options copt;
  ta_compile_options_init(&copt);
  ta_status ast = TA_OK;
  for (; a.i < argc && ast == TA_OK; a.i++) {
    if (ta_arg_help(&a))
      return 0;
    if (ta_arg_switch(&a, "--json", &json) || ta_arg_switch(&a, "--plan", &show_plan) ||
        ta_arg_switch(&a, "--code-size", &code_size) ||
        ta_arg_value(&a, "--plan-svg", &svg, &ast) || ta_arg_value(&a, "--target", &target, &ast) ||
        ta_arg_compile_option(&a, &copt, &ast))
      continue;
    if (ta_arg_unknown(&a) || !ta_arg_model(&a, &model))
      return 1;
  }
  if (ast != TA_OK)
    return 1;
  if (!model)
    return ta_arg_missing(&a, "no MODEL given");
  const ta_board *board;
  if (!ta_cli_target(&a, target, true, &board))
    return 1;
  if (board && !code_size)
    return ta_cli_error(&a, "--target is for --code-size (inspect measures nothing else)");
  /* Inspect runs nothing, so a target-only backend (the example NPU) shows its placement
   * too; --code-size builds for its target and keeps that target's check. */
  copt.target = code_size ? target : NULL;
  /* Unsupported operators are shown, marked, unless code is generated (--code-size). */
  copt.allow_unsupported = !code_size;
  ta_ctx ctx;
  ta_model m;
  ta_status st = ta_cli_load(&ctx, &a, model, &copt, NULL, &m, NULL);
  if (st != TA_OK)
    return ta_cli_done(&ctx, st);
  ta_graph *g = m.g;
  ta_inspect_info info;
  ta_code_size cs;
  st = ta_report_inspect_info(&ctx, model, &copt, &m, code_size ? &cs : NULL, &info);
  if (st != TA_OK)
    return ta_cli_done(&ctx, st);
  ta_buf b;
  if (svg) {
    ta_buf_init(&b, &ctx);
    ta_plan_svg(g, m.calls, &m.plan, &b);
    ctx.file = NULL;
    st = b.ok ? ta_write_file(&ctx, svg, b.data, b.len) : TA_ERR_LIMIT;
    ta_buf_free(&b);
    if (st != TA_OK)
      return ta_cli_done(&ctx, st);
  }
  ta_buf_init(&b, &ctx);
  ta_report_inspect(&b, &m, &info, json);
  if (b.ok)
    fputs(b.data, stdout);
  ta_buf_free(&b);
  if (show_plan) {
    ta_buf_init(&b, &ctx);
    ta_plan_print(g, m.calls, &m.plan, &b);
    if (b.ok)
      fputs(b.data, json ? stderr : stdout);
    ta_buf_free(&b);
  }
  return ta_cli_done(&ctx, TA_OK);
}
