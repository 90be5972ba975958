/* fuzz_csv: libFuzzer target for the CSV reader. Any input must read into
 * records and bad lines, in order of line, and end; never crash, leak or
 * hit undefined behaviour. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    csv_reader r;
    csv_row row;
    csv_init(&r, (const char *)data, size);
    size_t last = 0, steps = 0;
    csv_status st;
    while ((st = csv_next(&r, &row)) != CSV_END) {
        if (row.line <= last || ++steps > size + 1)
            abort(); /* lines go forward and every call consumes text */
        last = row.line;
        if (st == CSV_RECORD) {
            if (row.nfields < 1 || row.nfields > CSV_MAX_FIELDS)
                abort();
            for (int i = 0; i < row.nfields; i++)
                if (strlen(row.field[i]) > CSV_MAX_RECORD)
                    abort();
        } else if (row.msg[0] == '\0') {
            abort();
        }
    }
    csv_free(&r);
    return 0;
}
