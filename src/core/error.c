/* Status codes to messages and exit codes. */
#include "itpsim/error.h"

const char *itp_strerror(itp_status status)
{
    switch (status) {
    case ITP_OK: return "success";
    case ITP_EINPUT: return "bad input";
    case ITP_ENOMEM: return "out of memory";
    case ITP_EIO: return "input/output error";
    case ITP_ERANGE: return "size beyond the supported maximum";
    case ITP_ENUMERIC: return "numerical method failed";
    case ITP_EINTERRUPT: return "interrupted";
    case ITP_EINTERNAL: return "internal error";
    }
    return "unknown status";
}

int itp_exit_code(itp_status status)
{
    switch (status) {
    case ITP_OK: return 0;
    case ITP_EINPUT: case ITP_ERANGE: return 2;
    case ITP_EINTERRUPT: return 130;
    default: return 1;
    }
}
