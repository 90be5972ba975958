/* linkage: the batch record-linkage commands over FEBRL-format CSV files.
 *
 *   frontdoor link   [--threshold X] [--review X] [--verbose] A.csv B.csv
 *   frontdoor dedupe [--threshold X] [--review X] [--verbose] FILE.csv
 *
 * They print, on stdout, one CSV line per pair scoring at least the review
 * threshold, best first: rec_id_a,rec_id_b,score,match_class, then for each
 * field FIELD_level,FIELD_weight (the evidence: why the two were joined).
 * A level compared against the other record's swap-partner field (given
 * name and surname swapped) ends in "/swapped". Malformed input lines are
 * reported on stderr as FILE:LINE: reason and skipped. */
#ifndef FD_LINKAGE_H
#define FD_LINKAGE_H

/* `frontdoor link`: argv[0] is "link", then flags and the two files.
 * Returns 0 on success; 2, after one line on stderr, for a bad flag, a
 * missing or unreadable file or an unusable header; 0 and usage on stdout
 * for --help. */
int linkage_cmd_link(int argc, char **argv);
/* `frontdoor dedupe`: argv[0] is "dedupe", then flags and the file.
 * Returns as linkage_cmd_link. */
int linkage_cmd_dedupe(int argc, char **argv);

#endif
