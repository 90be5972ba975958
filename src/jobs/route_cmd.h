/* route_cmd: `frontdoor route-enquiry TEXT` (the best articles for one
 * enquiry) and `frontdoor route-enquiry --eval FILE [--split S] [--fit]`
 * (top-1 and top-3 accuracy, the commonest confusions and the calibration
 * of the confidence over a labelled file "SPLIT<TAB>LABEL<TAB>TEXT";
 * --fit also fits the confidence's logistic curve). */
#ifndef FD_ROUTE_CMD_H
#define FD_ROUTE_CMD_H
#include "core/kb.h"

/* Returns the exit code: 0, 1 if text matched nothing, 2 on a bad file. */
int route_cmd(const kb *k, const char *text, const char *eval_file, const char *split, int do_fit, int verbose);

#endif
